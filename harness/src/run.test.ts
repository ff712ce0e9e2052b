/**
 * End-to-end runs of the harness (probe → vitest engine → grading → reports) against fake
 * relays with the fixture suite of harness/test-fixtures/suites: every outcome path, replay,
 * expectations, hostile relays and an unreachable target.
 */

import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FakeRelay, type FakeRelayOptions, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { applyExpectations, loadExpectations } from './expectations.ts'
import { validateJson } from './json-schema.ts'
import { type RunOptions, checkSelection, runConformance } from './run.ts'
import { readStream } from './stream.ts'
import type { Outcome, Report } from './types.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('harness-run-')

const include = ['harness/test-fixtures/suites/outcomes/*.case.ts']
const relays: FakeRelay[] = []
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()))
})

async function fake(options: FakeRelayOptions): Promise<FakeRelay> {
  const relay = await startFakeRelay(options)
  relays.push(relay)
  return relay
}

function outDir(): string {
  return scratch()
}

async function run(relay: FakeRelay, options: Partial<RunOptions> = {}): Promise<Report> {
  const { report } = await runConformance({ url: relay.url, include, timeoutMs: 1000, seed: 7, out: outDir(), ...options })
  return report
}

function outcomes(report: Report): Record<string, Outcome> {
  return Object.fromEntries(report.cases.map((c) => [c.id, c.outcome]))
}

describe('a run against an honest relay', () => {
  let relay: FakeRelay
  let report: Report
  const out = outDir()
  beforeAll(async () => {
    relay = await fake({ behaviour: 'honest' })
    report = (await runConformance({ url: relay.url, include, timeoutMs: 1000, seed: 7, out, profile: 'core' })).report
  })

  test('grades every outcome path', () => {
    expect(outcomes(report)).toEqual({
      'fixture.error-bug': 'error',
      'fixture.error-timeout': 'error',
      'fixture.fail': 'fail',
      'fixture.pass': 'pass',
      'fixture.property-fail': 'fail',
      'fixture.property-control': 'skip',
      'fixture.property-pass': 'pass',
      'fixture.skip-body': 'skip',
      'fixture.skip-control': 'skip',
      'fixture.skip-capability': 'skip',
      'fixture.skip-nip': 'skip',
      'fixture.skip-profile': 'skip',
      'fixture.soft-warn': 'warn',
      'fixture.warn': 'warn',
    })
    expect(report.totals).toEqual({ cases: 14, pass: 2, fail: 2, warn: 2, skip: 6, error: 2 })
    expect(report.verdict.exitCode).toBe(1)
    expect(report.verdict.failing.sort()).toEqual(['fixture.error-bug', 'fixture.error-timeout', 'fixture.fail', 'fixture.property-fail'])
  })

  test('keeps the reasons: skip notes, harness errors, assertion messages', () => {
    const byId = new Map(report.cases.map((c) => [c.id, c]))
    expect(byId.get('fixture.skip-capability')?.message).toMatch(/^needs http-bridge: no HTTP bridge/)
    expect(byId.get('fixture.skip-profile')?.message).toBe('origin-profile case; the run uses --profile core')
    expect(byId.get('fixture.skip-control')?.message).toBe('control failed: the relay never served the first version')
    expect(byId.get('fixture.property-control')?.message).toMatch(/^control failed: control failed at n = \d+$/)
    expect(byId.get('fixture.skip-body')?.message).toBe('the target does not claim this')
    expect(byId.get('fixture.skip-nip')?.message).toBe('the target does not claim NIP-98 (NIP-11 supported_nips: 1, 11, 45)')
    expect(byId.get('fixture.error-timeout')?.message).toBe('timeout: ws1: waited 1000 ms for a NEVER frame; it did not come')
    expect(byId.get('fixture.error-bug')?.message).toMatch(/^TypeError: /)
    expect(byId.get('fixture.fail')?.message).toBe('expected the event to be refused, relay answered OK true ""')
    expect(byId.get('fixture.soft-warn')?.warnings).toEqual(['the relay should have said something nice'])
  })

  test('a property failure carries seed, path, the shrunk counterexample and a replay command, with its transcript', () => {
    const failure = report.cases.find((c) => c.id === 'fixture.property-fail')
    expect(failure?.property).toMatchObject({ seed: 7, counterexample: '[5]' })
    expect(failure?.property?.clockBase).toEqual(expect.any(Number))
    expect(failure?.property?.replay).toBe(
      `npx persona-conformance replay fixture.property-fail --seed 7 --path ${failure?.property?.path} --now ${failure?.property?.clockBase} --ticks ${failure?.property?.clockTicks?.join(',') ?? 'none'} ${relay.url}`,
    )
    expect(failure?.transcript.some((e) => e.dir === 'send' && e.text.includes('"n5-'))).toBe(true)
  })

  test('writes every report file; report.json and each stream line validate against the schema', () => {
    expect(readdirSync(out).sort()).toEqual(['index.html', 'junit.xml', 'report.json', 'report.jsonl', 'summary.md'])
    expect(validateJson(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), 'report.v1.schema.json')).toEqual([])
    for (const record of readStream(join(out, 'report.jsonl'))) {
      expect(validateJson(record, 'report.v1.schema.json#/$defs/streamRecord')).toEqual([])
    }
  })

  test('replay re-runs only that case and finds the same counterexample, with the same keys, slug and event id', async () => {
    const failure = report.cases.find((c) => c.id === 'fixture.property-fail')
    const property = failure?.property
    const replayed = await run(relay, { only: ['fixture.property-fail'], seed: 7, path: property?.path as string, clockBase: property?.clockBase as number })
    expect(replayed.cases.map((c) => c.id)).toEqual(['fixture.property-fail'])
    expect(replayed.cases[0]?.property?.counterexample).toBe('[5]')
    // Signatures differ (BIP-340 signing adds randomness); everything else, the id included, is the same.
    const sentEvents = (c: typeof failure) =>
      c?.transcript
        .filter((e) => e.dir === 'send' && e.text.startsWith('["EVENT"'))
        .map((e) => {
          const { sig: _sig, ...event } = (JSON.parse(e.text) as [string, Record<string, unknown>])[1]
          return event
        })
    expect(sentEvents(replayed.cases[0]), 'the same events: same key, slug, created_at, id').toEqual(sentEvents(failure))
    expect(sentEvents(failure)).toHaveLength(1)
  })

  test('two runs with the same seed make the same keys and slugs; ids differ only through created_at', async () => {
    const again = await run(relay, { only: ['fixture.pass'], seed: 7, profile: 'core' })
    const first = report.cases.find((c) => c.id === 'fixture.pass')
    const event = (c: typeof first) => JSON.parse(c?.transcript.find((e) => e.dir === 'send')?.text ?? '[]')[1] as { pubkey: string; tags: string[][]; id: string; created_at: number }
    const [a, b] = [event(first), event(again.cases[0])]
    expect(b.pubkey).toBe(a.pubkey)
    expect(b.tags).toEqual(a.tags)
    if (a.created_at === b.created_at) expect(b.id).toBe(a.id)
    else expect(b.id).not.toBe(a.id)
  })

  test('an expectations file turns known failures into a green run; --strict and --strict-expectations make more count', async () => {
    const dir = outDir()
    const file = join(dir, 'expect.json')
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        expectations: [
          { case: 'fixture.fail', outcome: 'fail', reason: 'known' },
          { case: 'fixture.property-fail', outcome: 'fail', reason: 'known' },
          { case: 'fixture.error-*', outcome: 'error', reason: 'known' },
          { case: 'fixture.pass', outcome: 'fail', reason: 'was broken, now fixed' },
        ],
      }),
    )
    const gated = await run(relay, { expectationsFile: file, skip: ['fixture.property-pass'] })
    expect(gated.verdict.exitCode).toBe(0)
    expect(gated.expectations?.unexpectedPasses).toEqual(['fixture.pass'])
    expect(gated.cases.find((c) => c.id === 'fixture.fail')?.expectation?.status).toBe('met')
    // The same outcomes under the strict flags (gating only; no need to run the relay again).
    const strict = applyExpectations(gated.cases, loadExpectations(file), { strict: true, strictExpectations: true })
    expect(strict.failing.sort()).toEqual(['fixture.pass', 'fixture.soft-warn', 'fixture.warn'])
  })
})

test('two runs at once against the same relay do not disturb each other', async () => {
  const relay = await fake({ behaviour: 'honest' })
  const only = ['fixture.pass', 'fixture.fail', 'fixture.property-fail', 'fixture.property-pass']
  const [a, b] = await Promise.all([run(relay, { only }), run(relay, { only })])
  const expected = { 'fixture.pass': 'pass', 'fixture.fail': 'fail', 'fixture.property-fail': 'fail', 'fixture.property-pass': 'pass' }
  expect(outcomes(a)).toEqual(expected)
  expect(outcomes(b)).toEqual(expected)
})

test('a suite file that does not load is a run error: exit code 1, listed in the report', async () => {
  const relay = await fake({ behaviour: 'honest' })
  const report = await run(relay, { include: ['harness/test-fixtures/suites/broken/*.case.ts'] })
  expect(report.runErrors).toEqual([expect.stringMatching(/broken\.case\.ts: Error: this suite file is broken on purpose/)])
  expect(report.verdict.exitCode).toBe(1)
})

describe('hostile relays end in errors, never a hang or a fail', () => {
  test.each(['ignore', 'disconnect'] as const)('EVENT frames %s: every publishing case is an error', async (onEvent) => {
    const relay = await fake({ behaviour: 'honest', onEvent })
    const report = await run(relay, { only: ['fixture.pass', 'fixture.fail', 'fixture.property-pass'] })
    expect(outcomes(report)).toEqual({ 'fixture.pass': 'error', 'fixture.fail': 'error', 'fixture.property-pass': 'error' })
    expect(report.verdict.exitCode).toBe(1)
  })

  test('a silent relay fails the probe: exit code 3, reports still written', async () => {
    const relay = await fake({ behaviour: 'silent' })
    const out = outDir()
    const { report } = await runConformance({ url: relay.url, include, timeoutMs: 300, out })
    expect(report.probe.reachable).toBe(false)
    expect(report.verdict.exitCode).toBe(3)
    expect(report.cases).toEqual([])
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(summary).toContain('Conformance: **not tested** (the target could not be reached)')
    expect(summary).toContain('CI gate: **unreachable**: target unreachable (exit code 3)')
  })

  test('nothing listening: exit code 3', async () => {
    const port = await closedPort()
    const { report } = await runConformance({ url: `ws://127.0.0.1:${port}`, include, timeoutMs: 300, out: outDir() })
    expect(report.verdict).toMatchObject({ exitCode: 3, reason: 'target unreachable' })
  })
})

describe('selection', () => {
  test('an --only or --skip pattern that matches no case is a usage error, and so is a selection that leaves nothing', async () => {
    const relay = await fake({ behaviour: 'honest' })
    await expect(run(relay, { only: ['fixture.pass', 'fixture.no-such-case'] })).rejects.toThrow(
      'error: --only fixture.no-such-case matches no case (see `persona-conformance list`)',
    )
    await expect(run(relay, { skip: ['nothing.*'] })).rejects.toThrow('error: --skip nothing.* matches no case')
    await expect(run(relay, { only: ['fixture.pass'], skip: ['fixture'] })).rejects.toThrow('error: --only and --skip together leave no case to run')
  })

  test('checkSelection names every pattern that matches nothing', () => {
    const ids = ['slug.a', 'slug.b', 'nip01.c']
    expect(() => checkSelection({ only: ['slug'], skip: ['nip01.c'] }, ids, 2)).not.toThrow()
    expect(() => checkSelection({ only: ['slg', 'slug.a'], skip: ['x*'] }, ids, 1)).toThrow('error: --only slg, --skip x* match no case')
  })
})
