/**
 * The suite's deletion area against origin mode on the memory store and on a SQLite file:
 * every case passes, the origin-profile ones included (the embedded runs of the matrix and
 * of the power test use the memory store only). The cases that need the origin's soft
 * deletion (an `e` deletion of a superseded version kept, another author's deletion of one
 * refused as foreign) are judged on both, so the rule is held on the durable backend too.
 * The only skips allowed are the matrix's known ones for the origin profile (scripts/matrix/gate.ts).
 */

import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { runConformance } from '../../harness/src/run.ts'
import { ReferenceKnownSkips } from '../../scripts/matrix/gate.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'
import type { RelayInternals } from '../src/relay.ts'
import { startTestRelay } from './helpers.ts'

const scratch = scratchDirs('origin-deletion-suite-')
const relays: RelayInternals[] = []
afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.close()))
})

/** Cases the origin profile skips on purpose (deletion.a-older-keeps-head, AMB-57): the embedded matrix row's known skips. */
const knownSkips = new Set((ReferenceKnownSkips.embedded ?? []).flatMap((gap) => gap.cases))

const stores: Array<[string, () => string | null]> = [
  ['memory', () => null],
  ['SQLite', () => join(scratch(), 'origin.db')],
]

describe.each(stores)('suites/deletion against origin mode on %s', (_name, db) => {
  test('every case passes', { timeout: 180_000 }, async () => {
    const path = db()
    const relay = await startTestRelay({ origin: true, ...(path === null ? {} : { db: path }) })
    relays.push(relay)
    const { report } = await runConformance({ url: relay.url, httpUrl: relay.httpUrl, profile: 'origin', include: ['suites/deletion/*.test.ts'], seed: 1, out: scratch() })
    const notPassed = report.cases.filter((c) => c.outcome !== 'pass' && !(c.outcome === 'skip' && knownSkips.has(c.id))).map((c) => `${c.id} ${c.outcome}: ${c.message}`)
    expect(notPassed).toEqual([])
    expect(report.cases.map((c) => c.id)).toEqual(expect.arrayContaining(['deletion.e-superseded-keeps-head', 'deletion.foreign-refused-origin']))
    expect(report.runErrors).toEqual([])
  })
})
