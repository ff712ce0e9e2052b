/**
 * The case-authoring API. A suite file under suites/<area>/ declares its cases with
 * `relayCase` (one scenario) or `propertyCase` (a fast-check property), each with a
 * metadata block. The wrapper decides selection, profile and capability skips, gives the
 * body a CaseContext (fresh keys, bounded driver, signed HTTP, transcript), closes every
 * socket afterwards and hands the transcript to the reporter through `task.meta`.
 * See harness/WRITING-CASES.md.
 */

import fc from 'fast-check'
import { finalizeEvent } from 'nostr-tools/pure'
import { type TestContext, inject, test } from 'vitest'
import type { NostrEvent, Tag } from '../../spec/model/event.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type RelayConnection, openConnection } from './driver.ts'
import { HarnessError, isControlError, isHarnessError } from './errors.ts'
import { HttpClient } from './http.ts'
import { type KeyPair, freshKeys, uniqueSlug } from './identity.ts'
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
  /** Opens a bounded WebSocket to the target; closed automatically when the case ends. */
  connect(): Promise<RelayConnection>
  freshKeys(): KeyPair
  /** A slug nobody else uses: `<prefix>-<random hex>`. */
  slug(prefix?: string): string
  /** The relay's clock in seconds, as estimated by the probe. */
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
    const runOnce = async (values: Ts): Promise<void> => {
      if (harnessFailure !== undefined) throw harnessFailure
      state.resetForRun()
      try {
        await predicate(state.context, ...values)
      } catch (error) {
        if (isHarnessError(error) || isControlError(error)) harnessFailure = error
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
    const replay = replayCommand(declaration.id, details.seed, details.counterexamplePath, c.target)
    state.task.meta.property = {
      seed: details.seed,
      path: details.counterexamplePath,
      counterexample,
      numRuns: details.numRuns,
      numShrinks: details.numShrinks,
      replay,
    }
    // Re-run the shrunk counterexample alone so the transcript shows exactly that input.
    let rerun: unknown
    try {
      await runOnce(details.counterexample)
      state.context.note('re-running the counterexample passed: the failure may depend on relay state or timing')
    } catch (error) {
      rerun = error
    }
    const original = details.errorInstance ?? rerun
    const error = original instanceof Error ? original : new Error(String(original))
    error.message = `${error.message}\n\ncounterexample: ${counterexample}\nafter ${details.numRuns} run(s), ${details.numShrinks} shrink(s); seed ${details.seed}, path "${details.counterexamplePath}"\nreplay: ${replay}`
    throw error
  })
}

export function replayCommand(id: string, seed: number, path: string, target: TargetInfo): string {
  const url = target.embedded ? '' : ` ${target.url}`
  return `npx persona-conformance replay ${id} --seed ${seed} --path ${path}${url}`
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
  resetForRun(): void
  closeConnections(): Promise<void>
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
      throw error
    } finally {
      await state.closeConnections()
      ctx.task.meta.transcript = state.context.transcript.entries
      ctx.task.meta.transcriptDropped = state.context.transcript.dropped
    }
  })
}

function createCaseState(declaration: CaseDeclaration, suite: SuiteContext, ctx: TestContext): CaseState {
  const transcript = new Transcript()
  const connections: RelayConnection[] = []
  const timeoutMs = suite.settings.timeoutMs
  let connectionCount = 0
  let keys = freshKeys()
  let http = makeHttp()
  const task = ctx.task

  function makeHttp(): HttpClient {
    return new HttpClient({ baseUrl: suite.target.httpUrl, transcript, timeoutMs, defaultKey: keys.secretKey })
  }

  const relayNow = (): number => Math.floor(Date.now() / 1000 + suite.probe.clock.offsetSeconds)

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
    async connect() {
      connectionCount += 1
      const connection = await openConnection(suite.target.url, { transcript, label: `ws${connectionCount}`, timeoutMs })
      connections.push(connection)
      return connection
    },
    freshKeys,
    slug: (prefix) => uniqueSlug(prefix ?? declaration.id.split('.').pop()?.slice(0, 24) ?? 'case'),
    now: relayNow,
    clockMargin: () => Math.ceil(Math.abs(suite.probe.clock.offsetSeconds) + suite.probe.clock.uncertaintySeconds),
    sign(template, signer = keys) {
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
    resetForRun() {
      transcript.reset()
      connectionCount = 0
      keys = freshKeys()
      http = makeHttp()
    },
    async closeConnections() {
      const open = connections.splice(0)
      await Promise.all(open.map((connection) => connection.close().catch(() => undefined)))
    },
  }
}
