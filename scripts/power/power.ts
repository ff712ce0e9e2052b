/**
 * Proof of power: run the conformance suites against many relays (scripts/power/targets.ts:
 * the reference relay healthy and with each test fault, the independent core relay as it
 * is, with each defect and with each variation), all in this process and in ONE vitest run:
 * each relay is a vitest project with its own run context, so workers and module caches are
 * shared and the run pays vitest's start-up once. Grading is the harness's own
 * (CaseReporter). Used by scripts/power/power.test.ts (the recorded detectors, in `npm test`)
 * and scripts/power/kill-table.ts (every case against every relay).
 */

import { createVitest, type TestModule, type TestSpecification } from 'vitest/node'
import { join } from 'node:path'
import { RepoRoot } from '../../harness/src/engine.ts'
import { type Expectation, findExpectation, loadExpectations } from '../../harness/src/expectations.ts'
import { probeTarget } from '../../harness/src/probe.ts'
import { CaseReporter } from '../../harness/src/reporter.ts'
import { defaultSettings } from '../../harness/src/settings.ts'
import type { Level, Outcome, SuiteContext, TargetInfo } from '../../harness/src/types.ts'
import { type FaultArea, type FaultName, Faults } from '../../reference-relay/test-support/faults.ts'
import { type RelaySpec, type StartedRelay, defectInfo, isFaulty, profileOf, specName, startSpec } from './targets.ts'

export { AllFaults } from './targets.ts'

/** Suite folders (case id areas) holding the cases meant to catch each kind of reference-relay fault. */
export const SuiteAreasByFaultArea: Readonly<Record<FaultArea, readonly string[]>> = {
  slug: ['slug'],
  envelope: ['envelope'],
  content: ['envelope'],
  replacement: ['replaceable', 'stateful'],
  deletion: ['deletion', 'stateful'],
  clock: ['clock-skew'],
  nip11: ['clock-skew', 'nip01'],
  scope: ['scope'],
  nip01: ['nip01'],
  nip45: ['nip01'],
  thread: ['threads'],
  http: ['http-bridge', 'http-auth'],
}

export interface CaseResult {
  id: string
  /** Suite file, relative to the repository root. */
  file: string
  level: Level
  requirements: string[]
  outcome: Outcome
  message: string
  durationMs: number
}

/** Which cases run against one relay: whole suite areas, or listed case ids in listed files. */
export type Selection = { areas: readonly string[] | 'all' } | { cases: readonly string[]; files: readonly string[] }

export interface Target {
  spec: RelaySpec
  selection: Selection
}

export interface TargetRun extends Target {
  name: string
  cases: CaseResult[]
}

export interface PowerOptions {
  targets: readonly Target[]
  /** Per-wait deadline for relays with a fault or defect (a silent defect costs this per wait). Default 2000. */
  faultTimeoutMs?: number
  /** Per-wait deadline for correct relays. Default: the harness default. */
  healthyTimeoutMs?: number
  seed?: number
  maxWorkers?: number
  /** Called with a line each time a relay's suite files have all run (the runs take many minutes). */
  progress?: (line: string) => void
}

export interface PowerResult {
  runs: TargetRun[]
  /** Errors outside any case (a suite file that does not load). */
  runErrors: string[]
  durationMs: number
  seed: number
}

export function faultInfo(name: FaultName) {
  const info = Faults.find((fault) => fault.name === name)
  if (info === undefined) throw new Error(`unknown fault ${name}`)
  return info
}

/**
 * Suite folders holding the cases meant to catch each area of core test-relay defects
 * (test-relays/core/defects.ts). `--areas` runs a defect against these only; a defect they do
 * not catch is run again against every case before it counts as uncaught.
 */
export const SuiteAreasByDefectArea: Readonly<Record<string, readonly string[] | 'all'>> = {
  control: 'all',
  replacement: ['replaceable', 'stateful'],
  isolation: ['replaceable', 'nip01', 'scope'],
  slug: ['slug'],
  envelope: ['envelope', 'scope'],
  deletion: ['deletion', 'stateful'],
  live: ['nip01', 'replaceable'],
  filters: ['nip01'],
  count: ['nip01'],
  ok: ['nip01', 'envelope', 'slug'],
  nip11: ['nip01', 'clock-skew'],
  ingest: ['nip01', 'envelope'],
  auth: ['nip42'],
}

/** The suite areas meant to catch a reference-relay fault or a core defect (every area for anything else). */
export function areaSelection(spec: RelaySpec): Selection {
  if (spec.kind === 'reference') return { areas: spec.fault !== null ? SuiteAreasByFaultArea[faultInfo(spec.fault).area] : 'all' }
  if (spec.kind === 'origin' || spec.defect === undefined) return { areas: 'all' }
  return { areas: SuiteAreasByDefectArea[defectInfo(spec.defect).area] ?? 'all' }
}

function includeOf(selection: Selection): string[] {
  if ('files' in selection) return [...selection.files]
  return selection.areas === 'all' ? ['suites/**/*.test.ts'] : selection.areas.map((area) => `suites/${area}/**/*.test.ts`)
}

export async function runPower(options: PowerOptions): Promise<PowerResult> {
  const started = Date.now()
  const seed = options.seed ?? 1
  const relays: StartedRelay[] = []
  try {
    const projects = []
    for (const { spec, selection } of options.targets) {
      const relay = await startSpec(spec)
      relays.push(relay)
      const name = specName(spec)
      const target: TargetInfo = { name, url: relay.url, httpUrl: relay.httpUrl, embedded: false }
      const timeoutMs = isFaulty(spec) ? (options.faultTimeoutMs ?? 2000) : options.healthyTimeoutMs
      const settings = defaultSettings({
        profile: profileOf(spec),
        seed,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...('cases' in selection ? { only: [...selection.cases] } : {}),
      })
      const probe = await probeTarget(target, { timeoutMs: settings.timeoutMs, sameClock: true })
      const context: SuiteContext = { mode: 'run', target, probe, settings }
      projects.push({
        test: {
          name,
          root: RepoRoot,
          include: includeOf(selection),
          provide: { nipApSuite: context },
          pool: 'threads' as const,
          // As in harness/vitest.suites.config.ts: cases keep no module state.
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      })
    }
    const byProject = new Map<string, CaseResult[]>(options.targets.map(({ spec }) => [specName(spec), []]))
    let current = ''
    const filesLeft = new Map<string, number>()
    let relaysDone = 0
    const progress = options.progress
    const reporter = new (class extends CaseReporter {
      onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
        for (const { project } of specifications) filesLeft.set(project.name, (filesLeft.get(project.name) ?? 0) + 1)
      }
      override onTestCaseResult(testCase: Parameters<CaseReporter['onTestCaseResult']>[0]): void {
        current = testCase.project.name
        super.onTestCaseResult(testCase)
      }
      override onTestModuleEnd(testModule: TestModule): void {
        super.onTestModuleEnd(testModule)
        const name = testModule.project.name
        const left = (filesLeft.get(name) ?? 1) - 1
        filesLeft.set(name, left)
        if (left > 0 || progress === undefined) return
        relaysDone += 1
        const cases = byProject.get(name) ?? []
        const flagged = cases.filter(flags).length
        const minutes = ((Date.now() - started) / 60_000).toFixed(1)
        progress(`[${relaysDone}/${options.targets.length}] ${name}: ${cases.length} cases, ${flagged} fail or warn (${minutes} min)`)
      }
    })({
      root: RepoRoot,
      onCase: (record) =>
        byProject.get(current)?.push({
          id: record.id,
          file: record.file,
          level: record.level,
          requirements: record.requirements,
          outcome: record.outcome,
          message: record.message,
          durationMs: record.durationMs,
        }),
    })
    const vitest = await createVitest(
      'test',
      // `projects` is a root option vitest accepts inline; its type is not part of the CLI options.
      { config: false, root: RepoRoot, watch: false, reporters: [reporter], maxWorkers: options.maxWorkers ?? 4, projects } as Parameters<typeof createVitest>[1],
      {},
      {},
    )
    try {
      await vitest.start()
    } finally {
      await vitest.close()
    }
    const runs = options.targets.map((target) => ({
      ...target,
      name: specName(target.spec),
      cases: (byProject.get(specName(target.spec)) ?? []).sort((a, b) => a.id.localeCompare(b.id)),
    }))
    return { runs, runErrors: reporter.runErrors, durationMs: Date.now() - started, seed }
  } finally {
    await Promise.all(relays.map((relay) => relay.close()))
  }
}

const flags = (c: CaseResult) => c.outcome === 'fail' || c.outcome === 'warn'

/**
 * The union of selections: cases file by file, or areas by name; `all`, or a mix of the two
 * kinds, selects every case.
 */
export function unionOf(selections: readonly Selection[]): Selection {
  if (selections.every((selection) => 'cases' in selection)) {
    return {
      cases: [...new Set(selections.flatMap((selection) => ('cases' in selection ? selection.cases : [])))],
      files: [...new Set(selections.flatMap((selection) => ('files' in selection ? selection.files : [])))],
    }
  }
  const areas = new Set<string>()
  for (const selection of selections) {
    if (!('areas' in selection) || selection.areas === 'all') return { areas: 'all' }
    for (const area of selection.areas) areas.add(area)
  }
  return { areas: [...areas] }
}

/** The reference relay in its open default mode, judged under the core profile (the core pass). */
export const coreSpec = (fault: FaultName | null): RelaySpec => ({ kind: 'reference', fault, profile: 'core' })

/** Reference faults whose origin-profile run no case detects (against the healthy origin-mode run among `runs`). */
export function missedByOrigin(runs: readonly TargetRun[]): FaultName[] {
  const healthy = runs.find((run) => run.spec.kind === 'reference' && run.spec.fault === null && profileOf(run.spec) === 'origin')
  return runs.flatMap((run) => (run.spec.kind === 'reference' && run.spec.fault !== null && profileOf(run.spec) === 'origin' && detecting(run, healthy).length === 0 ? [run.spec.fault] : []))
}

export interface CorePass {
  result: PowerResult
  /** The healthy control: the reference relay's open mode under the core profile, on the union of the faults' selections. */
  healthy: TargetRun | undefined
  /** Per fault run in the pass, the cases that detect it there (none: the core profile misses it too). */
  detecting: ReadonlyMap<FaultName, CaseResult[]>
}

/**
 * The core pass, for reference faults the origin-profile pass misses: the core profile
 * against the reference relay's open default mode, a healthy control plus each fault. A
 * fault out of the origin profile's reach is reached only by core cases there (none is known
 * now: delete-e-superseded-removes-head was one until origin mode kept removed events as the
 * origin does, and its e deletion of a superseded version was refused). Used by `npm run kill-table` (every case) and power.test.ts (the
 * recorded detectors, or the fault's own suite areas).
 */
export async function runCorePass(
  faults: ReadonlyArray<{ fault: FaultName; selection: Selection }>,
  options: Omit<PowerOptions, 'targets'> = {},
): Promise<CorePass | undefined> {
  if (faults.length === 0) return undefined
  const result = await runPower({
    ...options,
    targets: [
      { spec: coreSpec(null), selection: unionOf(faults.map((f) => f.selection)) },
      ...faults.map(({ fault, selection }): Target => ({ spec: coreSpec(fault), selection })),
    ],
  })
  const healthy = result.runs.find((run) => run.name === specName(coreSpec(null)))
  const detectingByFault = new Map<FaultName, CaseResult[]>()
  for (const { fault } of faults) {
    const run = result.runs.find((r) => r.name === specName(coreSpec(fault)))
    detectingByFault.set(fault, run === undefined ? [] : detecting(run, healthy))
  }
  return { result, healthy, detecting: detectingByFault }
}


/**
 * Cases that detect the fault: graded fail or warn against it. With the healthy run given,
 * cases that fail or warn on the healthy relay too (its known deviations, SHOULDs it does
 * not meet) prove nothing and are left out.
 */
export function detecting(run: TargetRun, healthy?: TargetRun): CaseResult[] {
  const alreadyFlagged = new Set(healthy?.cases.filter(flags).map((c) => c.id) ?? [])
  return run.cases.filter((c) => flags(c) && !alreadyFlagged.has(c.id))
}

/**
 * Cases that catch an independent relay's defect: fail or warn against it and pass against
 * the same relay without the defect (so the case can pass, and what it flags is the defect).
 */
export function catching(run: TargetRun, baseline: TargetRun): CaseResult[] {
  const passing = new Set(baseline.cases.filter((c) => c.outcome === 'pass').map((c) => c.id))
  return run.cases.filter((c) => flags(c) && passing.has(c.id))
}

/**
 * What the healthy relay must not show: a fail or error that its expectations file does not
 * list, and a listed case that no longer has its listed outcome (the entry is stale). Warns
 * are SHOULDs the reference relay does not meet and need no entry.
 */
export function healthyProblems(run: TargetRun, expectations: readonly Expectation[] = []): string[] {
  const problems: string[] = []
  for (const c of run.cases) {
    const expected = findExpectation(c.id, expectations)
    const bad = c.outcome === 'fail' || c.outcome === 'error'
    if (expected === undefined) {
      if (bad) problems.push(`${c.id}: ${c.outcome}: ${c.message}`)
    } else if (!expected.outcome.includes(c.outcome)) {
      problems.push(`${c.id}: ${c.outcome}, but ${KnownDeviationsFile} expects ${expected.outcome.join('/')}: update or remove the entry`)
    }
  }
  return problems
}

/**
 * Core defects the independent relay's catalogue grades MUST or SHOULD that no case catches,
 * on purpose: this suite reads the rule they break as outside the core profile, each for the
 * reason given. The kill table shows the reason in the defect's row, and they do not make
 * `npm run kill-table` exit 1 (any other uncaught defect does). `npm test` does not re-run
 * them (every case against each is too slow) and fails when the kill table records one as
 * caught (the entry is stale).
 */
export const UncaughtDefects: Readonly<Record<string, string>> = {
  'replaceable-0-3-regular':
    'out of the core profile: NIP-AP relies on NIP-01 replacement for addresses of kind 30175 only (spec/NIP-AP.md section 14: "the storage of the latest version of an address"); no requirement of spec/requirements.json rests on kinds 0 and 3, so no case publishes them',
  'valueless-d-counted':
    'not a core violation: AMB-6 leaves [["d"], ["d", x]] open for core relays (the original NIP-AP asks for "exactly one d tag" without saying whether a value-less tag is one, and refusing is the literal reading); the origin profile asks for acceptance (envelope.valueless-d-not-counted), so only --profile origin judges it',
}

/** Known deviations of the reference relay from the spec, each with the reason (harness expectations format). */
export const KnownDeviationsFile = 'suites/expectations/reference-relay.json'

export function loadKnownDeviations(): Expectation[] {
  return loadExpectations(join(RepoRoot, KnownDeviationsFile)).expectations
}
