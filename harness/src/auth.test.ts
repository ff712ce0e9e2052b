/**
 * NIP-42 end to end: a relay that requires AUTH for EVENT, REQ and COUNT and binds each
 * connection to one key is tested as fully as an open one (the same cases, the same
 * outcomes); keys from the user serve relays with an allowlist and are never written out.
 */

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import { nsecEncode } from 'nostr-tools/nip19'
import { afterAll, describe, expect, test } from 'vitest'
import { type FakeAuthOptions, type FakeRelay, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { main } from './cli.ts'
import { freshKeys } from './identity.ts'
import { type RunOptions, runConformance } from './run.ts'
import type { Outcome, Report } from './types.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('harness-auth-')

const relays: FakeRelay[] = []
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()))
})

async function fake(auth?: FakeAuthOptions): Promise<FakeRelay> {
  const relay = await startFakeRelay({ behaviour: 'honest', ...(auth ? { auth } : {}) })
  relays.push(relay)
  return relay
}

const outDir = (): string => scratch()

async function run(relay: FakeRelay, options: Partial<RunOptions>): Promise<Report> {
  return (await runConformance({ url: relay.url, seed: 11, profile: 'core', out: outDir(), ...options })).report
}

const outcomes = (report: Report): Record<string, Outcome> => Object.fromEntries(report.cases.map((c) => [c.id, c.outcome]))

/**
 * Real cases that exercise what AUTH changes: two owners, live delivery, COUNT, raw REQs
 * (the fake relay keeps no deletions, so the deletion gate would skip deletion cases). (Concurrent refusals sharing one AUTH are in
 * driver.test.ts.)
 */
const transparencyCases = [
  'nip01.req-reuse-replaces',
  'replaceable.owners-independent',
  'nip01.eose-then-live',
  'nip01.count',
  'nip01.limit-only-initial',
]

describe('a relay that requires AUTH is tested as fully as an open one', () => {
  test('the same real cases give the same outcomes open, with a challenge on connect, and with a challenge on demand', async () => {
    const [open, onConnect, onDemand] = await Promise.all([
      run(await fake(), { only: transparencyCases }),
      run(await fake({ require: ['EVENT', 'REQ', 'COUNT'] }), { only: transparencyCases }),
      run(await fake({ require: ['EVENT', 'REQ', 'COUNT'], challenge: 'on-demand' }), { only: transparencyCases }),
    ])
    expect(onConnect.probe.auth).toMatchObject({ challenge: 'on-connect', event: 'required', req: 'required', count: 'required', bindsKey: true })
    expect(onDemand.probe.auth).toMatchObject({ challenge: 'on-demand', bindsKey: true })
    expect(Object.values(outcomes(open))).toEqual(transparencyCases.map(() => 'pass'))
    const messages = (r: Report) => r.cases.map((c) => `${c.id} ${c.outcome} ${c.message}`)
    expect(messages(onConnect)).toEqual(messages(open))
    expect(outcomes(onConnect)).toEqual(outcomes(open))
    expect(outcomes(onDemand)).toEqual(outcomes(open))
    const owners = onConnect.cases.find((c) => c.id === 'replaceable.owners-independent')
    expect(new Set(owners?.transcript.map((e) => e.conn)).size, 'a socket per owner').toBeGreaterThan(2)
  }, 120_000)
})

describe('keys from the user (relays with an allowlist)', () => {
  const include = ['harness/test-fixtures/suites/auth/*.case.ts']
  const [k1, k2] = [freshKeys(), freshKeys()]

  test('without keys the run stops at the probe with the reason (exit 3)', async () => {
    const relay = await fake({ require: ['EVENT', 'REQ'], allow: [k1.pubkey, k2.pubkey] })
    const report = await run(relay, { include })
    expect(report.verdict.exitCode).toBe(3)
    expect(report.probe.unreachableReason).toMatch(/refused it for a key the harness made/)
  })

  test('with keys, cases sign with them; a case needing more authors than given skips with the reason; no key is written', async () => {
    const relay = await fake({ require: ['EVENT', 'REQ'], allow: [k1.pubkey, k2.pubkey] })
    const out = outDir()
    const { report } = await runConformance({ url: relay.url, seed: 11, profile: 'core', out, include, keys: [k1, k2] })
    expect(outcomes(report)).toEqual({ 'fixture.two-authors': 'pass', 'fixture.three-authors': 'skip' })
    expect(report.cases.find((c) => c.id === 'fixture.three-authors')?.message).toBe(
      'the case needs more distinct keys than the 2 given with --key/--key-file (the relay writes on a connection only for the key it authenticated)',
    )
    expect(report.settings.userKeys).toBe(2)
    for (const file of readdirSync(out)) {
      const text = readFileSync(join(out, file), 'utf8')
      for (const key of [k1, k2]) {
        expect(text, file).not.toContain(bytesToHex(key.secretKey))
        expect(text, file).not.toContain(nsecEncode(key.secretKey))
      }
    }
  }, 60_000)

  test('the CLI takes --key and --key-file, never echoes a key, and refuses a bad one with exit 2', async () => {
    const relay = await fake({ require: ['EVENT', 'REQ'], allow: [k1.pubkey, k2.pubkey] })
    const dir = outDir()
    const keyFile = join(dir, 'keys.txt')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(keyFile, `# allowed keys\n${bytesToHex(k2.secretKey)}\n`)
    let printed = ''
    const io = { out: (t: string) => void (printed += t), err: (t: string) => void (printed += t), isTTY: false }
    const code = await main(['run', relay.url, '--key', nsecEncode(k1.secretKey), '--key-file', keyFile, '--profile', 'core', '--out', join(dir, 'r'), '--only', 'nip01.limit-only-initial', '--json'], io)
    expect(code, printed).toBe(0)
    expect(JSON.parse(printed.slice(0, printed.lastIndexOf('}') + 1))).toMatchObject({ totals: { cases: 1, pass: 1 } })
    expect(printed).not.toContain(bytesToHex(k1.secretKey))
    expect(printed).not.toContain(nsecEncode(k1.secretKey))
    let bad = ''
    const badCode = await main(['run', relay.url, '--key', 'nsec1notakey'], { ...io, err: (t) => void (bad += t) })
    expect(badCode).toBe(2)
    expect(bad).toBe('error: --key number 1 does not decode as nsec\n')
  }, 60_000)
})
