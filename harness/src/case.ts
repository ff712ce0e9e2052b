/**
 * The case-authoring API. A suite file under suites/<area>/ declares its cases with
 * `relayCase` (one scenario) or `propertyCase` (a fast-check property), each with a
 * metadata block. The wrapper decides selection, profile and capability skips, gives the
 * body a CaseContext (fresh keys, bounded driver, signed HTTP, transcript), closes every
 * socket afterwards and hands the transcript to the reporter through `task.meta`.
 * See harness/WRITING-CASES.md.
 */

import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { finalizeEvent } from 'nostr-tools/pure'
import { type TestContext, inject, test } from 'vitest'
import type { NostrEvent, Tag } from '../../spec/model/event.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type AuthSession, type RelayConnection, openConnection, openSocket } from './driver.ts'
import { HarnessError, isControlError, isHarnessError } from './errors.ts'
import { missingFrameControl } from './missing-frames.ts'
import { replayCommand } from './replay.ts'
import { HttpClient } from './http.ts'
import { Identities, type KeyPair, keyPairOf } from './identity.ts'
import { hexToBytes } from '@noble/hashes/utils.js'
import './meta.ts'
import { SuiteContextKey } from './meta.ts'
import { isSelected } from './select.ts'
import { Transcript } from './transcript.ts'
import type { CaseDeclaration, Finding, ProbeResult, RunSettings, SuiteContext, TargetInfo } from './types.ts'

export interface EventTemplate {
  kind: number
  tags?: Tag[]
  content?: string
  /** Seconds; default: the relay's now (harness clock corrected by the probe's offset). */
  created_at?: number
}

export interface PersonaTemplate {
  /** Default: a fresh unique slug. */
  slug?: string
  /** Body object, serialized with JSON.stringify. Default: a minimal valid body. */
  body?: Record<string, unknown>
  /** Raw content text; wins over `body`. */
  content?: string
  /** Replaces the default `[["d", slug]]` entirely (for envelope cases). */
  tags?: Tag[]
  created_at?: number
  keys?: KeyPair
}

/** What a case body receives. Everything is scoped to this one case (or property run). */
export interface CaseContext {
  readonly id: string
  readonly target: TargetInfo
  readonly probe: ProbeResult
  readonly settings: RunSettings
  /** A fresh key pair made for this case (property cases: for each run). */
  readonly keys: KeyPair
  /** NIP-98 signed HTTP client on the target's HTTP origin (signs with `keys`). */
  readonly http: HttpClient
  readonly transcript: Transcript
  /** Per-wait deadline in ms (`--timeout`). */
  readonly timeoutMs: number
  /**
   * Opens a bounded WebSocket to the target; closed automatically when the case ends. When
   * the relay requires NIP-42 AUTH the connection answers challenges by itself (section 4
   * of WRITING-CASES.md); `{ auth: false }` gives a connection that never does.
   */
  connect(options?: { auth?: boolean }): Promise<RelayConnection>
  /** Another key pair of this case (derived from the seed; with `--key`, the next user key). */
  freshKeys(): KeyPair
  /** A slug of this case: `<prefix>-<12 hex>`, derived from the seed, the case id and a counter. */
  slug(prefix?: string): string
  /** The relay's clock in seconds: probed at the case's start (or pinned by replay `--now`), then counting. */
  now(): number
  /** Margin in whole seconds to add around clock-window boundaries (offset + its error). */
  clockMargin(): number
  /** Signs an event with `keys` (or the given keys). */
  sign(template: EventTemplate, keys?: KeyPair): NostrEvent
  /** A signed kind 30175 persona with sensible defaults. */
  persona(template?: PersonaTemplate): NostrEvent
  /** Ends the case as `skip` with this reason (a precondition the target does not meet). */
  skip(reason: string): never
  /** Skips the case unless the target's NIP-11 `supported_nips` lists `nip`. */
  requireNip(nip: number): void
  /** Soft SHOULD check: when false the case grades `warn` (unless it also fails). */
  should(condition: boolean, message: string): void
  /** Records a claim-vs-observation finding for the report (e.g. a NIP-11 limit tested). */
  finding(finding: Omit<Finding, 'source'>): void
  /** Adds a line to the transcript. */
  note(text: string): void
}

export interface PropertyOptions<Ts extends unknown[] = unknown[]> {
  /** Default number of runs; `--runs` overrides it. Keep it small: every run talks to a relay. */
  numRuns?: number
  /** Inputs always tried first (fast-check `examples`), e.g. the grammar's boundaries. */
  examples?: Ts[]
}

/** Registers one scenario case. */
export function relayCase(declaration: CaseDeclaration, body: (c: CaseContext) => Promise<void>): void {
  register(declaration, 'relay', async (c) => body(c))
}

/**
 * Registers a property case: `predicate` runs once per generated input with a fresh key
 * pair and transcript. On failure the shrunk counterexample, seed and path are stored in
 * the report with a replay command, and the transcript is that of the counterexample.
 */
export function propertyCase<Ts extends [unknown, ...unknown[]]>(
  declaration: CaseDeclaration,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (c: CaseContext, ...values: Ts) => Promise<void>,
  options: PropertyOptions<Ts> = {},
): void {
  register(declaration, 'property', async (c, state) => {
    const settings = c.settings
    const numRuns = settings.runs ?? options.numRuns ?? 20
    // Transport trouble and failed controls are not counterexamples: once one happens, every
    // later run (shrinking included) fails at once with the same error instead of waiting
    // out more deadlines, and the case ends with that error (error or skip).
    let harnessFailure: unknown
    // Keys and slugs of a run derive from its input (and how often that input ran before),
    // so replaying the counterexample alone makes the same ones.
    const occurrences = new Map<string, number>()
    let lastFailure: { transcript: ReturnType<Transcript['snapshot']>; clockBase: number; clockTicks: number[] } | undefined
    const runOnce = async (values: Ts): Promise<void> => {
      if (harnessFailure !== undefined) throw harnessFailure
      const input = fc.stringify(values)
      const seen = occurrences.get(input) ?? 0
      occurrences.set(input, seen + 1)
      state.resetForRun(`input:${input}#${seen}`)
      try {
        await predicate(state.context, ...values)
      } catch (error) {
        if (isHarnessError(error) || isControlError(error) || isSkip(error)) harnessFailure = error
        else lastFailure = { transcript: state.context.transcript.snapshot(), clockBase: state.clockBase(), clockTicks: [...state.clockTicks()] }
        throw error
      } finally {
        await state.closeConnections()
      }
    }
    const property = fc.asyncProperty<Ts>(...arbitraries, (...values: Ts) => runOnce(values))
    const details = await fc.check(property, {
      seed: settings.seed,
      numRuns,
      ...(settings.path !== undefined ? { path: settings.path } : {}),
      ...(options.examples ? { examples: options.examples } : {}),
    })
    if (!details.failed) return
    if (harnessFailure !== undefined) throw harnessFailure
    if (details.counterexample === null || details.counterexamplePath === null) {
      throw new HarnessError('timeout', `property stopped before a verdict (${details.interrupted ? 'interrupted' : 'too many skipped inputs'})`)
    }
    const counterexample = fc.stringify(details.counterexample)
    // The counterexample is fast-check's last failing run: its transcript is the one kept.
    if (lastFailure) {
      state.context.transcript.restore(lastFailure.transcript)
      state.pinClock(lastFailure.clockBase, lastFailure.clockTicks)
    }
    const clockBase = lastFailure?.clockBase
    const clockTicks = lastFailure?.clockTicks
    const replay = replayCommand(declaration.id, details.seed, details.counterexamplePath, c.target, clockBase, clockTicks)
    state.task.meta.property = {
      seed: details.seed,
      path: details.counterexamplePath,
      counterexample,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
      ...(clockBase !== undefined ? { clockBase } : {}),
      ...(clockTicks !== undefined && clockTicks.length > 0 ? { clockTicks } : {}),
      replay,
    }
    const original = details.errorInstance
    const error = original instanceof Error ? original : new Error(String(original))
    error.message = `${error.message}\n\ncounterexample: ${counterexample}\nafter ${details.numRuns} run(s), ${details.numShrinks} shrink(s); seed ${details.seed}, path "${details.counterexamplePath}"\nreplay: ${replay}`
    throw error
  })
}

/** vitest's `ctx.skip()` signal: a skip inside a property run ends the property, it is no counterexample. */
function isSkip(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'VITEST_PENDING'
}

/** Reads the run context the harness provided; clear error when run outside the harness. */
export function suiteContext(): SuiteContext {
  const context = inject(SuiteContextKey)
  if (context === undefined) {
    throw new HarnessError(
      'config',
      'no run context: run the suites through `persona-conformance run` or `vitest -c harness/vitest.suites.config.ts`',
    )
  }
  return context
}

interface CaseState {
  task: TestContext['task']
  context: CaseContext
  /** Starts a property run: new transcript, keys and slugs of `scope`, a new clock base. */
  resetForRun(scope: string): void
  closeConnections(): Promise<void>
  /** The relay clock (seconds) `c.now()` counts from. */
  clockBase(): number
  /** The clock trace so far (CaseRecord.clockTicks). */
  clockTicks(): number[]
  /** Reports a property's failing run: its clock base and trace. */
  pinClock(base: number, ticks: number[]): void
}

const registeredIds = new Set<string>()

function register(declaration: CaseDeclaration, kind: 'relay' | 'property', run: (c: CaseContext, state: CaseState) => Promise<void>): void {
  if (registeredIds.has(declaration.id)) throw new Error(`duplicate case id ${declaration.id}`)
  registeredIds.add(declaration.id)
  const suite = suiteContext()
  const meta = { nipAp: { ...declaration, needs: declaration.needs ?? [] } }
  const { settings } = suite
  if (suite.mode === 'run' && !isSelected(declaration.id, settings.only, settings.skip)) {
    // Registered as skipped (not omitted) so a file never ends up empty; the reporter drops it.
    test.skip(declaration.title, { meta: { ...meta, filteredOut: true } }, () => {})
    return
  }
  const backstop = kind === 'property' ? Math.max(120_000, settings.timeoutMs * 200) : settings.timeoutMs * 40 + 10_000
  test(declaration.title, { meta, timeout: backstop }, async (ctx) => {
    const state = createCaseState(declaration, suite, ctx)
    try {
      if (declaration.profile === 'origin' && settings.profile === 'core') {
        state.context.skip('origin-profile case; the run uses --profile core')
      }
      for (const need of declaration.needs ?? []) {
        const capability = suite.probe.capabilities[need]
        if (!capability?.available) state.context.skip(`needs ${need}: ${capability?.reason ?? 'not probed'}`)
      }
      await run(state.context, state)
    } catch (error) {
      if (isControlError(error)) state.context.skip(error.message)
      const missing = isHarnessError(error) ? missingFrameControl(error, suite.probe) : undefined
      if (missing !== undefined) state.context.skip(`control failed: ${missing}`)
      throw error
    } finally {
      await state.closeConnections()
      ctx.task.meta.transcript = state.context.transcript.entries
      ctx.task.meta.transcriptDropped = state.context.transcript.dropped
      ctx.task.meta.clockBase = state.clockBase()
      ctx.task.meta.clockTicks = [...state.clockTicks()]
    }
  })
}

/** Told apart across harness processes run at once against one relay. */
const processSubTag = randomBytes(2).toString('hex')
let caseSerial = 0

/**
 * A prefix for the subscription ids of one case's connections, unique among the cases run at
 * once: NIP-01 scopes a subscription id to its connection, but a relay that wrongly keeps
 * one map for all connections would otherwise let concurrent cases (all of them naming
 * their first subscription alike) close or replace each other's subscriptions, and the
 * failure would be blamed on whatever rule the victim case checks.
 */
function nextSubTag(): string {
  caseSerial += 1
  return `${processSubTag}${caseSerial.toString(36)}`
}

function createCaseState(declaration: CaseDeclaration, suite: SuiteContext, ctx: TestContext): CaseState {
  const transcript = new Transcript()
  const subTag = nextSubTag()
  const connections: RelayConnection[] = []
  const timeoutMs = suite.settings.timeoutMs
  const { probe, settings } = suite
  const userKeys = (suite.keys ?? []).map((hex) => keyPairOf(hexToBytes(hex)))
  const plan = authPlanOf(probe, userKeys.length > 0)
  let connectionCount = 0
  let identities = new Identities({ seed: settings.seed, caseId: declaration.id, scope: 'case' }, plan.signWithUserKeys ? userKeys : [])
  const keyring = new Map<string, KeyPair>()
  const remember = (keys: KeyPair): KeyPair => {
    keyring.set(keys.pubkey, keys)
    return keys
  }
  const nextKeys = (): KeyPair => {
    const next = identities.nextKey()
    if (next === null) {
      context.skip(`the case needs more distinct keys than the ${userKeys.length} given with --key/--key-file (the relay writes on a connection only for the key it authenticated)`)
    }
    return remember(next)
  }
  let keys = nextKeys()
  let http = makeHttp()
  let startedMs = Date.now()
  let base = settings.clockBase ?? relayClockAt(startedMs)
  const task = ctx.task

  function makeHttp(): HttpClient {
    return new HttpClient({ baseUrl: suite.target.httpUrl, transcript, timeoutMs, defaultKey: keys.secretKey })
  }

  /** The relay's clock (seconds, to the millisecond) when the harness clock reads `ms`. */
  function relayClockAt(ms: number): number {
    return Math.round((ms / 1000 + probe.clock.offsetSeconds) * 1000) / 1000
  }

  // The relay's now: the clock base (the relay's clock, to the millisecond, when the case or
  // property run started) plus the time since, in whole seconds: the probed clock exactly.
  // Each call is numbered; the calls at which the value passed another second are the clock
  // trace (`ticks`), which a replay (`--now` with `--ticks`) plays back instead of reading the
  // clock, so its calls get the run's values however long the replay takes.
  let ticks: number[] = []
  let calls = 0
  const replayedTicks = settings.clockBase !== undefined ? settings.clockTicks : undefined
  const relayNow = (): number => {
    const call = calls++
    if (replayedTicks !== undefined) return Math.floor(base) + replayedTicks.filter((t) => t <= call).length
    const value = Math.floor(base + (Date.now() - startedMs) / 1000)
    while (Math.floor(base) + ticks.length < value) ticks.push(call)
    return value
  }

  const session = (identity: KeyPair): AuthSession => ({
    prepare: plan.prepare,
    answersAuth: probe.auth.answered !== false,
    perAuthor: plan.perAuthor,
    identity,
    keyFor: (pubkey) => keyring.get(pubkey),
    openSocket: (label) => openSocket(suite.target.url, { transcript, label, timeoutMs, subIdPrefix: `${subTag}-${label}` }),
    note: (text) => transcript.note(text),
  })

  const context: CaseContext = {
    id: declaration.id,
    target: suite.target,
    probe: suite.probe,
    settings: suite.settings,
    get keys() {
      return keys
    },
    get http() {
      return http
    },
    transcript,
    timeoutMs,
    async connect(options = {}) {
      connectionCount += 1
      const auth = plan.authenticate && options.auth !== false ? session(plan.authAsUser ? (userKeys[0] as KeyPair) : keys) : undefined
      const label = `ws${connectionCount}`
      const connection = await openConnection(suite.target.url, { transcript, label, timeoutMs, subIdPrefix: `${subTag}-${label}` }, auth)
      connections.push(connection)
      return connection
    },
    freshKeys: nextKeys,
    slug: (prefix) => identities.nextSlug(prefix ?? declaration.id.split('.').pop()?.slice(0, 24) ?? 'case'),
    now: relayNow,
    clockMargin: () => Math.ceil(Math.abs(suite.probe.clock.offsetSeconds) + suite.probe.clock.uncertaintySeconds),
    sign(template, signer = keys) {
      remember(signer)
      return finalizeEvent(
        {
          kind: template.kind,
          tags: template.tags ?? [],
          content: template.content ?? '',
          created_at: template.created_at ?? relayNow(),
        },
        signer.secretKey,
      )
    },
    persona(template = {}) {
      const slug = template.slug ?? context.slug()
      const content =
        template.content ??
        JSON.stringify(template.body ?? { display_name: `Case ${declaration.id}`, system_prompt: 'You are a conformance test persona.' })
      return context.sign(
        { kind: PersonaKind, tags: template.tags ?? personaTags(slug), content, created_at: template.created_at },
        template.keys ?? keys,
      )
    },
    skip(reason) {
      task.meta.skipReason = reason
      transcript.note(`skip: ${reason}`)
      ctx.skip(reason)
      throw new Error('unreachable: ctx.skip returned')
    },
    requireNip(nip) {
      const { nip11 } = suite.probe
      if (!nip11.served) context.skip(`needs NIP-${nip} claimed in NIP-11, but no NIP-11 document is served`)
      if (!nip11.supportedNips.includes(nip)) context.skip(`the target does not claim NIP-${nip} (NIP-11 supported_nips: ${nip11.supportedNips.join(', ') || 'none'})`)
    },
    should(condition, message) {
      if (condition) return
      const warnings = task.meta.warnings ?? []
      if (!warnings.includes(message)) task.meta.warnings = [...warnings, message]
      transcript.note(`SHOULD not met: ${message}`)
    },
    finding(finding) {
      task.meta.findings = [...(task.meta.findings ?? []), { ...finding, source: declaration.id }]
    },
    note: (text) => transcript.note(text),
  }

  return {
    task,
    context,
    resetForRun(scope) {
      transcript.reset()
      connectionCount = 0
      identities = new Identities({ seed: settings.seed, caseId: declaration.id, scope }, plan.signWithUserKeys ? userKeys : [])
      keyring.clear()
      keys = nextKeys()
      http = makeHttp()
      startedMs = Date.now()
      base = settings.clockBase ?? relayClockAt(startedMs)
      ticks = []
      calls = 0
    },
    async closeConnections() {
      const open = connections.splice(0)
      await Promise.all(open.map((connection) => connection.close().catch(() => undefined)))
    },
    clockBase: () => base,
    clockTicks: () => replayedTicks ?? ticks,
    pinClock(pinned, pinnedTicks) {
      base = pinned
      ticks = pinnedTicks
    },
  }
}

/** How a case authenticates, from what the probe found (harness/INTERPRETING.md, section 5). */
export interface AuthPlan {
  /** The relay requires AUTH for something: connections answer challenges. */
  authenticate: boolean
  /** How each new socket authenticates before the case uses it (driver.ts, AuthSession). */
  prepare: AuthSession['prepare']
  /** The relay writes on a connection only for the key it authenticated. */
  perAuthor: boolean
  /** Events must be signed by the user's keys (they authenticate; the case's own keys would not). */
  signWithUserKeys: boolean
  /** Sockets authenticate as the first user key while events are signed by the case's keys. */
  authAsUser: boolean
}

export function authPlanOf(probe: ProbeResult, userKeys: boolean): AuthPlan {
  const { auth } = probe
  const authenticate = auth.event === 'required' || auth.req === 'required' || auth.count === 'required'
  const perAuthor = authenticate && auth.bindsKey === true
  return {
    authenticate,
    prepare: !authenticate
      ? 'lazy'
      : auth.challenge === 'on-connect'
        ? 'challenge'
        : auth.req === 'required'
          ? 'REQ'
          : auth.count === 'required'
            ? 'COUNT'
            : 'lazy',
    perAuthor,
    signWithUserKeys: userKeys && perAuthor,
    authAsUser: userKeys && authenticate && !perAuthor,
  }
}
