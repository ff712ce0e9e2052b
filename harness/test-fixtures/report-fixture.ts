/**
 * A fixed result set for the renderer tests: one case per outcome, a property failure, an
 * expected failure, findings, awkward characters and an error outside any case.
 */

import { emptyProbe } from '../src/probe.ts'
import { computeConformance } from '../src/conformance.ts'
import { totalsOf } from '../src/stream.ts'
import type { CaseRecord, FooterRecord, HeaderRecord, ProbeRecord, ProbeResult, Report, StreamRecord } from '../src/types.ts'

function caseRecord(partial: Partial<CaseRecord> & Pick<CaseRecord, 'id' | 'outcome'>): CaseRecord {
  const area = partial.id.split('.')[0] ?? 'misc'
  return {
    title: `title of ${partial.id}`,
    area,
    file: `suites/${area}/${partial.id.split('.')[1] ?? 'x'}.test.ts`,
    requirements: ['AP-SLUG-2'],
    level: 'MUST',
    profile: 'core',
    needs: [],
    message: '',
    durationMs: 12,
    warnings: [],
    findings: [],
    transcript: [
      { t: 0, dir: 'open', conn: 'ws1', text: 'ws://127.0.0.1:1234' },
      { t: 3, dir: 'send', conn: 'ws1', text: '["EVENT",{"content":"<b>&amp;</b>"}]' },
      { t: 5, dir: 'recv', conn: 'ws1', text: '["OK","ab",false,"invalid: persona event `d` tag must not be empty"]' },
    ],
    transcriptDropped: 0,
    ...partial,
  }
}

export const fixtureCases: CaseRecord[] = [
  caseRecord({ id: 'nip01.ok-for-every-event', outcome: 'pass', requirements: ['AP-RELAY-1'] }),
  caseRecord({
    id: 'slug.invalid-refused',
    outcome: 'fail',
    message: 'expected a persona with slug "A" to be refused with invalid:, relay answered OK true ""',
    details: 'AssertionError: expected … | pipes | and <angle> brackets\n    at suites/slug/invalid.test.ts:12:5',
    property: {
      seed: 42,
      path: '3:1:0',
      counterexample: '[{"slug":"A","defect":"bad-first-char"}]',
      numRuns: 4,
      numShrinks: 2,
      replay: 'npx persona-conformance replay slug.invalid-refused --seed 42 --path 3:1:0 ws://127.0.0.1:1234',
    },
  }),
  caseRecord({
    id: 'replaceable.read-returns-only-head',
    outcome: 'warn',
    level: 'SHOULD',
    requirements: ['AP-READ-1'],
    message: 'expected the answer to hold one version, got 2',
  }),
  caseRecord({
    id: 'threads.depth-limit-zero',
    outcome: 'skip',
    profile: 'origin',
    needs: ['http-bridge'],
    requirements: ['AP-THREAD-1'],
    message: 'needs http-bridge: no HTTP bridge: signed POST /count answered 404',
    transcript: [],
  }),
  caseRecord({
    id: 'deletion.author-only',
    outcome: 'error',
    requirements: ['AP-DEL-6'],
    message: 'timeout: ws1: no OK for 0123456789ab within 5000 ms',
    details: 'HarnessError: timeout: ws1: no OK for 0123456789ab within 5000 ms',
    findings: [{ subject: 'NIP-11 created_at_upper_limit', claimed: '900', observed: 'refused at +600', agrees: false, source: 'deletion.author-only' }],
  }),
  caseRecord({
    id: 'scope.h-tag-global',
    outcome: 'fail',
    requirements: ['AP-SCOPE-1'],
    message: 'served to a channel read',
    expectation: { expected: ['fail'], reason: 'implements NIP-01 only', link: 'https://example.org/issue/1', status: 'met' },
  }),
]

export function fixtureProbe(): ProbeResult {
  const probe = emptyProbe('fixture')
  probe.reachable = true
  delete probe.unreachableReason
  probe.websocketRoundTripMs = 2
  probe.capabilities.websocket = { available: true, reason: 'REQ answered with EOSE' }
  probe.capabilities.count = { available: true, reason: 'COUNT answered 0' }
  probe.nip11 = { served: true, status: 200, contentType: 'application/nostr+json', cors: true, document: { supported_nips: [1, 11, 45] }, supportedNips: [1, 11, 45], limitation: {} }
  probe.findings = [{ subject: 'NIP-45 COUNT', claimed: 'supported_nips includes 45', observed: 'COUNT refused', agrees: false, source: 'probe' }]
  probe.clock = { offsetSeconds: 0.25, uncertaintySeconds: 0.5, method: 'http-date', window: { lower: 900, upper: 900, source: 'nip11' } }
  probe.transcript = [{ t: 0, dir: 'http', conn: 'http', text: '> GET http://127.0.0.1:1234' }]
  return probe
}

export function fixtureStream(): StreamRecord[] {
  const header: HeaderRecord = {
    type: 'header',
    format: 'nip-ap-conformance-report',
    version: 1,
    contract: '1.1',
    suiteVersion: '0.1.0',
    startedAt: '2026-01-01T00:00:00.000Z',
    target: { name: 'fixture', url: 'ws://127.0.0.1:1234', httpUrl: 'http://127.0.0.1:1234', embedded: false },
    settings: { profile: 'core', strict: false, timeoutMs: 5000, seed: 42, only: [], skip: [] },
    expectationsFile: 'expect.json',
    environment: { node: 'v20.20.2', platform: 'linux', arch: 'x64', vitest: '4.1.11', fastCheck: '4.10.2', harness: '0.1.0' },
    catalog: {
      source: 'spec/requirements.json',
      requirements: [
        { id: 'AP-SLUG-2', level: 'MUST', role: 'relay', profile: 'core', section: '3', summary: 'slug refused', testable: 'relay', relayTestable: true },
        { id: 'AP-READ-1', level: 'SHOULD', role: 'relay', profile: 'core', section: '8', summary: 'only the head', testable: 'relay', relayTestable: true },
        { id: 'AP-DEL-9', level: 'MUST', role: 'reader', profile: 'core', section: '10', summary: 'reader deletes', testable: 'client', relayTestable: false },
        { id: 'AP-REPL-5', level: 'MUST', role: 'relay', profile: 'core', section: '7', summary: 'owners independent', testable: 'relay', relayTestable: true },
      ],
    },
  }
  const probe: ProbeRecord = { type: 'probe', probe: fixtureProbe() }
  const { expectation, ...scope } = fixtureCases[5] as CaseRecord
  const cases = [...fixtureCases.slice(0, 5), scope].reverse().map((c) => ({ type: 'case' as const, ...c }))
  const footer: FooterRecord = {
    type: 'footer',
    finishedAt: '2026-01-01T00:00:03.000Z',
    durationMs: 3000,
    totals: totalsOf(fixtureCases),
    conformance: computeConformance(fixtureCases, 'core'),
    expectations: {
      file: 'expect.json',
      unexpectedFailures: ['slug.invalid-refused', 'deletion.author-only'],
      unexpectedPasses: [],
      unused: [],
      statuses: { 'scope.h-tag-global': expectation as NonNullable<CaseRecord['expectation']> },
    },
    verdict: { exitCode: 1, failing: ['slug.invalid-refused', 'deletion.author-only'], reason: '2 case(s) failed unexpectedly' },
    runErrors: ['suites/broken/x.test.ts: SyntaxError: Unexpected token'],
  }
  return [header, probe, ...cases, footer]
}

/** The report the stream must assemble into. */
export function fixtureReport(): Report {
  const records = fixtureStream()
  const header = records[0] as HeaderRecord
  const footer = records[records.length - 1] as FooterRecord
  const { type: _h, ...head } = header
  const { statuses: _s, ...expectations } = footer.expectations ?? { statuses: {} }
  return {
    ...head,
    finishedAt: footer.finishedAt,
    durationMs: footer.durationMs,
    probe: fixtureProbe(),
    totals: footer.totals,
    conformance: footer.conformance,
    cases: [...fixtureCases].sort((a, b) => (a.id < b.id ? -1 : 1)),
    expectations: expectations as NonNullable<Report['expectations']>,
    verdict: footer.verdict,
    runErrors: footer.runErrors,
  }
}
