/**
 * Proof of power: run the conformance suites against the reference relay once healthy and
 * once per test fault (reference-relay/test-support/faults.ts), all in this process and in ONE
 * vitest run: each relay is a vitest project with its own run context, so workers and
 * module caches are shared and the run pays vitest's start-up once. A fault counts as
 * detected when at least one case grades `fail` or `warn` against it. Grading is the
 * harness's own (CaseReporter). Used by scripts/power/power.test.ts (each fault against
 * the suite areas meant to catch it) and scripts/kill-table.ts (every area).
 */

import { createVitest } from 'vitest/node'
import { join } from 'node:path'
import { RepoRoot } from '../../harness/src/engine.ts'
import { type Expectation, findExpectation, loadExpectations } from '../../harness/src/expectations.ts'
import { probeTarget } from '../../harness/src/probe.ts'
import { CaseReporter } from '../../harness/src/reporter.ts'
import { defaultSettings } from '../../harness/src/settings.ts'
import type { Outcome, Profile, SuiteContext, TargetInfo } from '../../harness/src/types.ts'
import { type RunningRelay, startRelay } from '../../reference-relay/src/index.ts'
import { type FaultArea, type FaultName, Faults, startFaultyRelay } from '../../reference-relay/test-support/faulty-relay.ts'

/** Suite folders (case id areas) holding the cases meant to catch each kind of fault. */
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

export const AllFaults: readonly FaultName[] = Faults.map((fault) => fault.name)

export interface CaseResult {
  id: string
  /** Suite file, relative to the repository root. */
  file: string
  outcome: Outcome
  message: string
  durationMs: number
}

/** Which cases run against one relay: whole suite areas, or listed case ids in listed files. */
export type Selection = { areas: readonly string[] | 'all' } | { cases: readonly string[]; files: readonly string[] }

export interface Target {
  /** null: the healthy relay. */
  fault: FaultName | null
  selection: Selection
  /** The profile run against it, and so the relay's mode (origin mode for origin). Default: PowerOptions.profile. */
  profile?: Profile
}

export interface TargetRun extends Target {
  cases: CaseResult[]
}

export interface PowerOptions {
  targets: readonly Target[]
  /** Per-wait deadline for faulty relays (a silent defect costs this per wait). Default 2000. */
  faultTimeoutMs?: number
  /** Per-wait deadline for the healthy relay. Default: the harness default. */
  healthyTimeoutMs?: number
  seed?: number
  profile?: Profile
  maxWorkers?: number
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

/** The suite areas meant to catch a fault (every area for the healthy relay). */
export function areaSelection(fault: FaultName | null): Selection {
  return { areas: fault === null ? 'all' : SuiteAreasByFaultArea[faultInfo(fault).area] }
}

function includeOf(selection: Selection): string[] {
  if ('files' in selection) return [...selection.files]
  return selection.areas === 'all' ? ['suites/**/*.test.ts'] : selection.areas.map((area) => `suites/${area}/**/*.test.ts`)
}

const projectName = (fault: FaultName | null, profile: Profile) => `${fault ?? 'healthy'}${profile === 'core' ? '@core' : ''}`

export async function runPower(options: PowerOptions): Promise<PowerResult> {
  const started = Date.now()
  const seed = options.seed ?? 1
  const relays: RunningRelay[] = []
  try {
    const projects = []
    for (const { fault, selection, profile: targetProfile } of options.targets) {
      // The relay runs in the mode its profile describes (origin mode for the origin profile).
      const profile = targetProfile ?? options.profile ?? 'origin'
      const origin = profile === 'origin'
      const relay = fault ? await startFaultyRelay({ host: '127.0.0.1', port: 0, faults: [fault], origin }) : await startRelay({ host: '127.0.0.1', port: 0, origin })
      relays.push(relay)
      const target: TargetInfo = { name: projectName(fault, profile), url: relay.url, httpUrl: relay.httpUrl, embedded: false }
      const timeoutMs = fault === null ? options.healthyTimeoutMs : (options.faultTimeoutMs ?? 2000)
      const settings = defaultSettings({
        profile,
        seed,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...('cases' in selection ? { only: [...selection.cases] } : {}),
      })
      const probe = await probeTarget(target, { timeoutMs: settings.timeoutMs, sameClock: true })
      const context: SuiteContext = { mode: 'run', target, probe, settings }
      projects.push({
        test: {
          name: projectName(fault, profile),
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
    const profileOf = (target: Target): Profile => target.profile ?? options.profile ?? 'origin'
    const byProject = new Map<string, CaseResult[]>(options.targets.map((target) => [projectName(target.fault, profileOf(target)), []]))
    let current = ''
    const reporter = new (class extends CaseReporter {
      override onTestCaseResult(testCase: Parameters<CaseReporter['onTestCaseResult']>[0]): void {
        current = testCase.project.name
        super.onTestCaseResult(testCase)
      }
    })({ root: RepoRoot, onCase: (record) =>
        byProject.get(current)?.push({ id: record.id, file: record.file, outcome: record.outcome, message: record.message, durationMs: record.durationMs }),
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
      cases: (byProject.get(projectName(target.fault, profileOf(target))) ?? []).sort((a, b) => a.id.localeCompare(b.id)),
    }))
    return { runs, runErrors: reporter.runErrors, durationMs: Date.now() - started, seed }
  } finally {
    await Promise.all(relays.map((relay) => relay.close()))
  }
}

const flags = (c: CaseResult) => c.outcome === 'fail' || c.outcome === 'warn'

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

/** Known deviations of the reference relay from the spec, each with the reason (harness expectations format). */
export const KnownDeviationsFile = 'suites/expectations/reference-relay.json'

export function loadKnownDeviations(): Expectation[] {
  return loadExpectations(join(RepoRoot, KnownDeviationsFile)).expectations
}
