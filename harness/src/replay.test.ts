/**
 * The replay command a report prints re-runs one case exactly: run the real suites against
 * an independent relay with a defect, take the printed `replay` command, run it through the
 * CLI and compare what the relay was sent (event ids: same keys, slugs and created_at) and
 * the verdict.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RunningTestRelay, startTestRelay } from '../../test-relays/launch.ts'
import { type CliIo, main } from './cli.ts'
import { validateJson } from './json-schema.ts'
import type { Report } from './types.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('nip-ap-replay-')

async function cli(argv: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  let out = ''
  let err = ''
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false }
  const code = await main(argv, io)
  return { code, json: JSON.parse(out) as Record<string, unknown>, stderr: err }
}

/** The ids of the events a case sent, in order (signatures differ between runs; ids do not). */
function sentIds(outDir: string, caseId: string): string[] {
  const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as Report
  const record = report.cases.find((c) => c.id === caseId)
  return (record?.transcript ?? [])
    .filter((e) => e.dir === 'send' && e.text.startsWith('["EVENT"'))
    .map((e) => (JSON.parse(e.text) as [string, { id: string }])[1].id)
}

let relay: RunningTestRelay
const dir = scratch()

beforeAll(async () => {
  // Accepts uppercase slugs: the slug cases fail against it.
  relay = await startTestRelay({ relay: 'core', defects: ['slug-uppercase-accepted'], port: 0 })
})
afterAll(async () => {
  await relay.close()
})

describe('replay reproduces a case', () => {
  test.each([
    ['a property case (replay with --path, --now and --ticks)', 'slug.invalid-refused'],
    ['an example case (replay with --now and --ticks)', 'slug.invalid-vectors-refused'],
  ])('%s: the same event ids and the same verdict', async (_what, caseId) => {
    const first = await cli(['run', relay.url, '--profile', 'core', '--only', caseId, '--seed', '11', '--out', join(dir, `${caseId}-run`), '--json'])
    expect(validateJson(first.json, 'cli-run.v1.schema.json')).toEqual([])
    const record = (first.json.cases as Array<{ id: string; outcome: string; replay: string }>).find((c) => c.id === caseId)
    expect(record?.outcome, first.stderr).toBe('fail')
    const command = record?.replay ?? ''
    expect(command).toMatch(new RegExp(`^npx persona-conformance replay ${caseId.replace('.', '\\.')} --seed 11 .*--now [\\d.]+ --ticks (none|[\\d,]+) ${relay.url}$`))
    if (caseId === 'slug.invalid-refused') expect(command).toContain('--path ')

    // The same relay already holds the run's events and would answer the replay `duplicate:`;
    // a fresh relay with the same defect is in the state the run started from.
    const fresh = await startTestRelay({ relay: 'core', defects: ['slug-uppercase-accepted'], port: 0 })
    const argv = command.split(' ').slice(2, -1)
    const again = await cli([...argv, fresh.url, '--profile', 'core', '--out', join(dir, `${caseId}-replay`), '--json'])
    expect(validateJson(again.json, 'cli-replay.v1.schema.json')).toEqual([])
    await fresh.close()
    const replayed = again.json.case as { id: string; outcome: string; message: string }
    expect(replayed.id).toBe(caseId)
    expect(replayed.outcome).toBe('fail')
    expect(replayed.message, 'the same verdict for the same reason').toBe((record as unknown as { message: string }).message)
    const ids = sentIds(join(dir, `${caseId}-run`), caseId)
    const replayedIds = sentIds(join(dir, `${caseId}-replay`), caseId)
    expect(replayedIds.length).toBeGreaterThan(0)
    if (caseId === 'slug.invalid-refused') {
      // The run tried many inputs and shrank; the replay runs the one counterexample: its events were all sent in the run.
      expect(replayedIds.filter((id) => !ids.includes(id)), 'events of the replay the run never sent').toEqual([])
    } else {
      expect(replayedIds, 'the same events: same keys, slugs, created_at, so the same ids').toEqual(ids)
    }
  }, 120_000)
})
