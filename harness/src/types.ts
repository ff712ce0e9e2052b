/**
 * The harness's shared vocabulary: outcomes, case metadata, transcripts, probe findings and
 * the records of the report stream. Everything here is plain JSON so it can cross vitest's
 * worker RPC and land in report files unchanged.
 */

import type { CatalogRequirement } from './catalog.ts'
import type { Conformance } from './conformance.ts'

/** Version of the report stream and report.json format (harness/schemas/report.v1.json). */
export const ReportFormatVersion = 1
/** Version of the runner contract in harness/INTERPRETING.md. */
export const RunnerContractVersion = '1.1'

export const Outcomes = ['pass', 'fail', 'warn', 'skip', 'error'] as const
export type Outcome = (typeof Outcomes)[number]

export const Levels = ['MUST', 'SHOULD', 'MAY'] as const
export type Level = (typeof Levels)[number]

/** core: any relay implementing NIP-01 + NIP-AP. origin: also the origin relay's extensions. */
export const Profiles = ['core', 'origin'] as const
export type Profile = (typeof Profiles)[number]

/**
 * Capabilities a case can require. The probe decides each one before the cases run; a case
 * whose need is not met ends as `skip` with the probe's reason.
 */
export const Capabilities = [
  'websocket', // always required; listed for completeness
  'nip11', // a NIP-11 document is served
  'http-bridge', // POST /events, /query, /count on the relay's HTTP origin
  'http-auth', // the HTTP bridge enforces NIP-98 (unsigned requests get 401)
  'count', // NIP-45 COUNT over WebSocket
  'clock-window', // the acceptance window is known (NIP-11 limitation or --skew)
  'nip42', // the relay sends NIP-42 AUTH challenges, so a client can answer one
] as const
export type Capability = (typeof Capabilities)[number]

/** What a case declares about itself (the metadata block). */
export interface CaseDeclaration {
  /** Stable id, `<area>.<behaviour>` in kebab-case, unique across suites. */
  id: string
  /** One-line statement of the behaviour checked, in the present tense. */
  title: string
  /** Requirement ids from spec/requirements.json that this case covers. */
  requirements: string[]
  /** MUST failures grade `fail`; SHOULD and MAY failures grade `warn`. */
  level: Level
  profile: Profile
  /** Capabilities beyond `websocket` the case needs; unmet ones make it `skip`. */
  needs?: Capability[]
}

export type TranscriptDirection = 'send' | 'recv' | 'open' | 'close' | 'http' | 'note'

export interface TranscriptEntry {
  /** Milliseconds since the case started. */
  t: number
  dir: TranscriptDirection
  /** Connection label (`ws1`, `ws2`, `http`) so interleaved sockets stay readable. */
  conn: string
  /** The frame text as sent or received (truncated past TranscriptFrameLimit), or a note. */
  text: string
}

/** A disagreement or confirmation between what the target claims and what it does. */
export interface Finding {
  /** What was checked, e.g. `nip11.supported_nips includes 45`. */
  subject: string
  claimed: string | null
  observed: string
  /** null: the behaviour could not be told (e.g. the relay stayed silent); neither agrees nor disagrees. */
  agrees: boolean | null
  /** Case id or `probe`. */
  source: string
}

export interface PropertyFailure {
  seed: number
  path: string
  counterexample: string
  numRuns: number
  numShrinks: number
  /** The relay clock (seconds, to the millisecond) the failing run started from; replay `--now` pins it. */
  clockBase?: number
  /** The failing run's clock trace (CaseRecord.clockTicks); replay `--ticks` replays it. */
  clockTicks?: number[]
  replay: string
}

/**
 * Runtime metadata a case attaches to its vitest task (read by the reporter). Declared on
 * vitest's TaskMeta in meta.ts.
 */
export interface CaseRuntimeMeta {
  transcript?: TranscriptEntry[]
  transcriptDropped?: number
  /** SHOULD-level soft checks that failed without failing the case (grade `warn`). */
  warnings?: string[]
  findings?: Finding[]
  property?: PropertyFailure
  /** Set when the harness (not the case body) decided a skip, e.g. unmet capability. */
  skipReason?: string
  /** The relay clock (seconds) `c.now()` counted from in this case (the last run of a property). */
  clockBase?: number
  /** The calls of `c.now()` at which its value passed another whole second (CaseRecord.clockTicks). */
  clockTicks?: number[]
}

export interface TargetInfo {
  /** Matrix name or `embedded` / the URL host. */
  name: string
  url: string
  httpUrl: string
  embedded: boolean
}

export interface ClockWindowFinding {
  lower: number
  upper: number
  source: 'nip11' | 'option' | 'default'
  /** How the NIP-11 limits were read (they are not defined as relative or absolute). */
  interpretation?: string
}

/** Whether the relay requires NIP-42 AUTH before it serves an EVENT, a REQ or a COUNT. */
export type AuthNeed = 'required' | 'not-required' | 'unknown'

/** What the probe learned about NIP-42 AUTH (harness/INTERPRETING.md, section 5). */
export interface AuthProbe {
  /** When the relay sent a challenge: right on connect, only after a request, or never. */
  challenge: 'on-connect' | 'on-demand' | 'none'
  event: AuthNeed
  req: AuthNeed
  count: AuthNeed
  /** The probe's AUTH took effect: OK true, or no OK but requests served afterwards (null: not tried). */
  accepted: boolean | null
  /** The relay answered the probe's AUTH with an OK at all (null: not tried). */
  answered: boolean | null
  /** After AUTH as one key, the relay refused an EVENT signed by another key (null: not tried). */
  bindsKey: boolean | null
  /** Whose key the probe authenticated with: one it made, or the first of the user's keys. */
  identity: 'harness' | 'user'
  detail: string
}

/**
 * What the probe saw the relay send: EOSE after a REQ, an accepted event delivered live on an
 * open REQ, an answer to COUNT. `no`/`missing`: silence or a hang-up where it was due;
 * `unknown`: not seen either way (refused, not tried). A case whose wait for one of these
 * times out on a relay that showed `no` ends as a failed control (skip), unless the case owns it.
 */
export interface Delivery {
  eose: 'yes' | 'no' | 'unknown'
  live: 'yes' | 'no' | 'unknown'
  count: 'answered' | 'closed' | 'missing' | 'unknown'
}

export interface ProbeResult {
  reachable: boolean
  /** Why the WebSocket could not be used, when unreachable. */
  unreachableReason?: string
  websocketRoundTripMs?: number
  nip11: {
    served: boolean
    status?: number
    contentType?: string
    cors?: boolean
    document?: Record<string, unknown>
    supportedNips: number[]
    limitation: Record<string, unknown>
    error?: string
  }
  /** What the relay sends in answer to REQ, live and COUNT, as observed. */
  delivery: Delivery
  /** NIP-42 AUTH as observed on the WebSocket. */
  auth: AuthProbe
  http: {
    bridge: boolean
    /** `nip98`: unsigned requests refused with 401, signed ones accepted. */
    auth: 'nip98' | 'none' | 'unknown'
    detail: string
  }
  clock: {
    /** Relay clock minus harness clock, seconds (positive: relay ahead). */
    offsetSeconds: number
    /** Half-width of the estimate's error bar, seconds. */
    uncertaintySeconds: number
    method: 'http-date' | 'same-process' | 'none'
    window?: ClockWindowFinding
  }
  capabilities: Record<Capability, { available: boolean; reason: string }>
  findings: Finding[]
  durationMs: number
  /** The probe's own frames and HTTP exchanges. */
  transcript: TranscriptEntry[]
}

/** Options of one run that the cases see (provided to workers). */
export interface RunSettings {
  profile: Profile
  strict: boolean
  /** Per-wait deadline in milliseconds. */
  timeoutMs: number
  /** fast-check seed; fixed for the whole run so every property is replayable. */
  seed: number
  /** fast-check numRuns override (undefined: each case's default). */
  runs?: number
  /** fast-check replay path (replay verb only). */
  path?: string
  /**
   * Pinned relay clock (seconds, to the millisecond) at the start of each case or property run (replay `--now`):
   * with the same seed it reproduces the same created_at values, hence the same event ids.
   */
  clockBase?: number
  /**
   * With `clockBase` (replay `--ticks`): the clock trace of the run replayed. `c.now()` then
   * does not read the clock: its n-th call (from 0) answers floor(clockBase) plus the number
   * of ticks <= n, the values the run got, whatever the time the replay takes.
   */
  clockTicks?: number[]
  /** How many keys the user gave (`--key`, `--key-file`); the keys themselves are never recorded. */
  userKeys?: number
  only: string[]
  skip: string[]
}

/** Everything a case needs from the run, passed through vitest `provide`/`inject`. */
export interface SuiteContext {
  mode: 'run' | 'list'
  target: TargetInfo
  probe: ProbeResult
  settings: RunSettings
  /** The user's secret keys (hex), for relays with an allowlist. Handed to the workers only; never written to a report. */
  keys?: string[]
}

export interface CaseRecord {
  id: string
  title: string
  area: string
  file: string
  requirements: string[]
  level: Level
  profile: Profile
  needs: Capability[]
  outcome: Outcome
  /** One line: the assertion message, the skip reason, the harness error. */
  message: string
  /** Full error text (stack trimmed) for fail/warn/error. */
  details?: string
  durationMs: number
  /** The relay clock (seconds) `c.now()` counted from; `replay --now` pins it to reproduce the case's event ids. */
  clockBase?: number
  /**
   * The case's clock trace: the calls of `c.now()` (numbered from 0) at which its value
   * passed another whole second after floor(clockBase), one entry per second (a call that
   * jumped two seconds is listed twice). `replay --now B --ticks T` gives every call the
   * value it had, so the same created_at values, so the same event ids.
   */
  clockTicks?: number[]
  warnings: string[]
  findings: Finding[]
  property?: PropertyFailure
  transcript: TranscriptEntry[]
  transcriptDropped: number
  /** Filled in after the run when an expectations file is used. */
  expectation?: CaseExpectationStatus
}

export interface CaseExpectationStatus {
  expected: Outcome[]
  reason: string
  link?: string
  /** met: outcome as expected; unexpected-pass: expected a failure, got pass. */
  status: 'met' | 'unexpected-pass' | 'unexpected-outcome'
}

export interface Totals {
  cases: number
  pass: number
  fail: number
  warn: number
  skip: number
  error: number
}

export interface EnvironmentInfo {
  node: string
  platform: string
  arch: string
  vitest: string
  fastCheck: string
  harness: string
}

export interface HeaderRecord {
  type: 'header'
  format: 'nip-ap-conformance-report'
  version: typeof ReportFormatVersion
  contract: string
  suiteVersion: string
  startedAt: string
  target: TargetInfo
  settings: RunSettings
  expectationsFile?: string
  environment: EnvironmentInfo
  catalog: CatalogSnapshot
}

/** The requirement catalog as it was at run time, so renderers need nothing but the stream. */
export interface CatalogSnapshot {
  source: string
  error?: string
  requirements: CatalogRequirement[]
}

export interface ProbeRecord {
  type: 'probe'
  probe: ProbeResult
}

export interface CaseStreamRecord extends CaseRecord {
  type: 'case'
}

export interface ExpectationsSummary {
  file: string
  unexpectedFailures: string[]
  unexpectedPasses: string[]
  /** Expectation entries that matched no case in this run. */
  unused: string[]
}

export interface Verdict {
  exitCode: 0 | 1 | 2 | 3
  /** Case ids counted against the run. */
  failing: string[]
  reason: string
}

/** The footer also carries each gated case's status; report.json moves it onto the cases. */
export interface FooterExpectations extends ExpectationsSummary {
  statuses: Record<string, CaseExpectationStatus>
}

export interface FooterRecord {
  type: 'footer'
  finishedAt: string
  durationMs: number
  totals: Totals
  /** MUST and SHOULD cases passed of those that applied, per profile (harness/src/conformance.ts). */
  conformance?: Conformance
  expectations?: FooterExpectations
  verdict: Verdict
  /** Errors vitest reported outside any case (e.g. a suite file that does not load). */
  runErrors: string[]
}

export type StreamRecord = HeaderRecord | ProbeRecord | CaseStreamRecord | FooterRecord

/** report.json: the stream assembled into one document. */
export interface Report {
  format: 'nip-ap-conformance-report'
  version: typeof ReportFormatVersion
  contract: string
  suiteVersion: string
  startedAt: string
  finishedAt: string
  durationMs: number
  target: TargetInfo
  settings: RunSettings
  expectationsFile?: string
  environment: EnvironmentInfo
  catalog: CatalogSnapshot
  probe: ProbeResult
  totals: Totals
  /** MUST and SHOULD cases passed of those that applied, per profile; apart from the gate (`verdict`). */
  conformance?: Conformance
  cases: CaseRecord[]
  expectations?: ExpectationsSummary
  verdict: Verdict
  runErrors: string[]
}
