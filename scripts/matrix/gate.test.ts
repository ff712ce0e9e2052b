import { describe, expect, test } from 'vitest'
import type { Report } from '../../harness/src/types.ts'
import { gateMatrix } from './gate.ts'
import type { EntryResult } from './orchestrate.ts'
import type { MatrixEntry } from './targets.ts'
import { fixturePair } from './test-fixtures.ts'

const start = (): Promise<never> => Promise.reject(new Error('not started in this test'))
const referenceEntry: MatrixEntry = { name: 'reference', software: 'r', reference: true, start }
const thirdEntry: MatrixEntry = { name: 'third', software: 't', reference: false, expectationsFile: 'x/third.json', start }

function result(entry: MatrixEntry, report?: Report, error?: string): EntryResult {
  return { entry, ...(report ? { report } : {}), ...(error ? { error } : {}), durationMs: 1 }
}

function cleanPair(): { reference: Report; thirdParty: Report } {
  const { reference, thirdParty } = fixturePair({ port: 1, repoRoot: '/r' })
  const cases = thirdParty.cases.filter((c) => c.id !== 'replaceable.tie-break')
  return { reference, thirdParty: { ...thirdParty, cases, verdict: { exitCode: 0, failing: [], reason: 'no unexpected failure' } } }
}

describe('gateMatrix', () => {
  test('clean: the reference relay passes everything, the third party only fails as expected', () => {
    const { reference, thirdParty } = cleanPair()
    expect(gateMatrix([result(referenceEntry, reference), result(thirdEntry, thirdParty)])).toEqual({ exitCode: 0, problems: [] })
  })

  test('the reference relay may not fail, warn, error or skip, with no expectations to excuse it', () => {
    const { reference } = cleanPair()
    const cases = reference.cases.map((c, i) => (i === 0 ? { ...c, outcome: 'skip' as const, message: 'needs count' } : c))
    expect(gateMatrix([result(referenceEntry, { ...reference, cases })]).problems).toEqual(['reference: replaceable.tie-break skip: needs count'])
  })

  test('the reference relay may skip a case that needs a capability it is known to lack (NIP-42), and no other', () => {
    const { reference } = cleanPair()
    const capabilities = { ...reference.probe.capabilities, nip42: { available: false, reason: 'no NIP-42 challenge' } }
    const cases = reference.cases.map((c, i) => (i === 0 ? { ...c, outcome: 'skip' as const, needs: ['nip42' as const], message: 'needs nip42: no NIP-42 challenge' } : c))
    expect(gateMatrix([result(referenceEntry, { ...reference, probe: { ...reference.probe, capabilities }, cases })]).problems).toEqual([])
  })

  test('a core run of the reference relay may skip origin-profile cases; an origin run may not', () => {
    const { reference } = cleanPair()
    const cases = reference.cases.map((c, i) => (i === 0 ? { ...c, profile: 'origin' as const, outcome: 'skip' as const, message: 'origin-profile case; the run uses --profile core' } : c))
    const core = { ...reference, settings: { ...reference.settings, profile: 'core' as const }, cases }
    expect(gateMatrix([result(referenceEntry, core)]).problems).toEqual([])
    const origin = { ...core, settings: { ...core.settings, profile: 'origin' as const } }
    expect(gateMatrix([result(referenceEntry, origin)]).problems).toEqual([`reference: ${cases[0]?.id} skip: origin-profile case; the run uses --profile core`])
  })

  test('a known gap of one matrix entry excuses that skip on that entry only, never a failure', () => {
    const { reference } = cleanPair()
    const embedded: MatrixEntry = { ...referenceEntry, name: 'embedded' }
    const skipped = reference.cases.map((c, i) => (i === 0 ? { ...c, id: 'nip42.every-authenticated-key-counts', outcome: 'skip' as const, message: 'control failed' } : c))
    expect(gateMatrix([result(embedded, { ...reference, cases: skipped })]).problems).toEqual([])
    expect(gateMatrix([result(referenceEntry, { ...reference, cases: skipped })]).problems).toEqual(['reference: nip42.every-authenticated-key-counts skip: control failed'])
    const failed = skipped.map((c, i) => (i === 0 ? { ...c, outcome: 'fail' as const } : c))
    expect(gateMatrix([result(embedded, { ...reference, cases: failed })]).problems).toEqual(['embedded: nip42.every-authenticated-key-counts fail: control failed'])
  })

  test("a third party's unexpected failure is listed with its message", () => {
    const { thirdParty } = fixturePair({ port: 1, repoRoot: '/r' })
    const gate = gateMatrix([result(thirdEntry, thirdParty)])
    expect(gate.exitCode).toBe(1)
    expect(gate.problems).toEqual([expect.stringMatching(/^third: replaceable\.tie-break fail: the relay's answer gives [0-9a-f]{12}/)])
  })

  test('missing or stale expectations, draft reasons, a relay that did not start', () => {
    const { thirdParty } = cleanPair()
    const { expectations: _e, ...withoutFile } = thirdParty
    const stale = { ...thirdParty, expectations: { file: 'x', unexpectedFailures: [], unexpectedPasses: [], unused: ['gone.case'] } }
    expect(gateMatrix([result(thirdEntry, withoutFile)]).problems).toEqual([
      'third: no expectations file (x/third.json); draft one with npm run matrix -- --draft-expectations',
    ])
    expect(gateMatrix([result(thirdEntry, stale)]).problems).toEqual(['third: expectation gone.case matches no case'])
    expect(gateMatrix([result(thirdEntry, thirdParty)], new Map([['third', ['slug.invalid-refused']]])).problems).toEqual([
      'third: the expectation for slug.invalid-refused still has a draft reason ("TODO: ...")',
    ])
    expect(gateMatrix([result(thirdEntry, undefined, 'error: third did not start: boom')])).toEqual({
      exitCode: 1,
      problems: ['third: error: third did not start: boom'],
    })
  })
})
