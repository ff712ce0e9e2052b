/**
 * A fixed pair of reports for the matrix tests: the reference relay (everything passes)
 * and one third-party relay (a failure covered by an expectation, an unexpected failure, a
 * skip). Each call signs fresh events under fresh keys on a port and in a checkout of the
 * caller's choosing, like two regenerations of the matrix would; dates and timings are
 * fixed so that anything else that differs between two calls is a leak of randomness.
 */

import { bytesToHex } from '@noble/hashes/utils.js'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { emptyProbe } from '../../harness/src/probe.ts'
import { totalsOf } from '../../harness/src/stream.ts'
import type { CaseRecord, Outcome, Report, TranscriptEntry } from '../../harness/src/types.ts'

export interface FixtureRun {
  port: number
  /** Absolute path of the checkout, as it appears in stack traces. */
  repoRoot: string
}

const CreatedAt = 1_800_000_000

function personaTranscript(port: number, subId: string): { transcript: TranscriptEntry[]; id: string; slug: string } {
  const secretKey = generateSecretKey()
  const slug = `case-${bytesToHex(generateSecretKey()).slice(0, 12)}`
  const event = finalizeEvent({ kind: 30175, created_at: CreatedAt, tags: [['d', slug]], content: '{"display_name":"A","system_prompt":"B"}' }, secretKey)
  const transcript: TranscriptEntry[] = [
    { t: 0, dir: 'open', conn: 'ws1', text: `ws://127.0.0.1:${port}` },
    { t: 2, dir: 'send', conn: 'ws1', text: JSON.stringify(['EVENT', event]) },
    { t: 4, dir: 'recv', conn: 'ws1', text: JSON.stringify(['OK', event.id, true, '']) },
    { t: 5, dir: 'send', conn: 'ws1', text: JSON.stringify(['REQ', subId, { kinds: [30175], authors: [getPublicKey(secretKey)] }]) },
    { t: 7, dir: 'recv', conn: 'ws1', text: JSON.stringify(['EOSE', subId]) },
  ]
  return { transcript, id: event.id, slug }
}

function subscriptionId(): string {
  return `h${Math.floor(Math.random() * 1e6).toString(36)}-${Math.floor(Math.random() * 40).toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

function fixtureCase(id: string, outcome: Outcome, run: FixtureRun, message: (eventId: string, slug: string) => string): CaseRecord {
  const { transcript, id: eventId, slug } = personaTranscript(run.port, subscriptionId())
  const text = message(eventId, slug)
  return {
    id,
    title: `title of ${id}`,
    area: id.split('.')[0] ?? 'misc',
    file: `suites/${id.split('.')[0]}/x.test.ts`,
    requirements: ['AP-SLUG-2'],
    level: 'MUST',
    profile: 'core',
    needs: [],
    outcome,
    message: text,
    ...(outcome === 'fail' ? { details: `AssertionError: ${text}\n    at ${run.repoRoot}/suites/x.test.ts:3:5` } : {}),
    durationMs: 9,
    warnings: [],
    findings: [],
    transcript,
    transcriptDropped: 0,
  }
}

function report(name: string, embedded: boolean, cases: CaseRecord[], run: FixtureRun, expectationReason?: string): Report {
  const probe = emptyProbe('fixture')
  probe.reachable = true
  delete probe.unreachableReason
  probe.capabilities.websocket = { available: true, reason: 'REQ answered with EOSE' }
  probe.findings = [{ subject: 'NIP-11 document', claimed: null, observed: 'answered HTTP 426', agrees: false, source: 'probe' }]
  probe.transcript = [{ t: 0, dir: 'http', conn: 'http', text: `> GET http://127.0.0.1:${run.port}` }]
  const withExpectation = cases.map((c) =>
    expectationReason && c.id === 'slug.invalid-refused'
      ? { ...c, expectation: { expected: ['fail' as const], reason: expectationReason, status: 'met' as const } }
      : c,
  )
  const failing = withExpectation.filter((c) => c.outcome === 'fail' && !c.expectation).map((c) => c.id)
  return {
    format: 'nip-ap-conformance-report',
    version: 1,
    contract: '1.0',
    suiteVersion: '0.1.0',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    durationMs: 5000,
    target: { name, url: `ws://127.0.0.1:${run.port}`, httpUrl: `http://127.0.0.1:${run.port}`, embedded },
    settings: { profile: embedded ? 'origin' : 'core', strict: true, timeoutMs: 5000, seed: 1, only: [], skip: [] },
    ...(expectationReason ? { expectationsFile: `${run.repoRoot}/reports/matrix/expectations/${name}.json` } : {}),
    environment: { node: 'v20.20.2', platform: 'linux', arch: 'x64', vitest: '4.1.11', fastCheck: '4.10.2', harness: '0.1.0' },
    catalog: {
      source: 'spec/requirements.json',
      requirements: [{ id: 'AP-SLUG-2', level: 'MUST', role: 'relay', profile: 'core', section: '3', summary: 'slug refused', testable: 'relay', relayTestable: true }],
    },
    probe,
    totals: totalsOf(withExpectation),
    cases: withExpectation,
    ...(expectationReason
      ? { expectations: { file: `${run.repoRoot}/reports/matrix/expectations/${name}.json`, unexpectedFailures: failing, unexpectedPasses: [], unused: [] } }
      : {}),
    verdict: failing.length > 0 ? { exitCode: 1, failing, reason: `${failing.length} case(s) failed unexpectedly` } : { exitCode: 0, failing: [], reason: 'no unexpected failure' },
    runErrors: [],
  }
}

export const SlugReason = 'implements NIP-01 only, no NIP-AP slug rules'

/** The reference relay's report and a third-party relay's report of one regeneration. */
export function fixturePair(run: FixtureRun): { reference: Report; thirdParty: Report } {
  const refused = (id: string, slug: string): string => `expected ${id.slice(0, 12)} (slug ${slug}) to be refused, relay answered OK true ""`
  const reference = report(
    'reference',
    true,
    [fixtureCase('replaceable.tie-break', 'pass', run, () => ''), fixtureCase('slug.invalid-refused', 'pass', run, () => ''), fixtureCase('threads.depth', 'pass', run, () => '')],
    run,
  )
  const thirdParty = report(
    'third',
    false,
    [
      fixtureCase('replaceable.tie-break', 'fail', run, (id) => `the relay's answer gives ${id.slice(0, 12)} (created_at ${CreatedAt})`),
      fixtureCase('slug.invalid-refused', 'fail', run, refused),
      fixtureCase('threads.depth', 'skip', run, () => 'origin-profile case; the run uses --profile core'),
    ],
    run,
    SlugReason,
  )
  return { reference, thirdParty }
}
