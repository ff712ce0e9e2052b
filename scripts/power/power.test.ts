/**
 * Proof of power, part of `npm test`: the suites detect every test fault of the reference
 * relay, and the healthy relay passes with no failure or error beyond its listed known
 * deviations. One vitest run holds every relay (scripts/power/power.ts). Each fault is
 * checked with the quickest one or two cases that detected it when reports/kill-table.json
 * was generated; a fault missing from the table (or no longer detected by those cases) is
 * re-run against every case of its suite areas before the test gives up on it.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { RepoRoot } from '../../harness/src/engine.ts'
import { type FaultInfo, type FaultName, Faults } from '../../reference-relay/test-support/faults.ts'
import type { KillTable } from './kill-table.ts'
import { AllFaults, SuiteAreasByFaultArea, type Target, areaSelection, detecting, healthyProblems, loadKnownDeviations, runPower } from './power.ts'

function readKillTable(): KillTable | undefined {
  const file = join(RepoRoot, 'reports/kill-table.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KillTable) : undefined
}

/** A second detector is re-run too when it took less than this against the fault. */
const SecondCaseBudgetMs = 1000

/** The quickest case that detected `fault` last time (and the next one if quick too), when their files still exist. */
function recordedSelection(table: KillTable | undefined, fault: FaultName): Target['selection'] | undefined {
  const row = table?.faults.find((r) => r.name === fault)
  if (row === undefined || row.detecting.length === 0) return undefined
  const byDuration = [...row.detecting].sort((a, b) => (a.durationMs ?? 0) - (b.durationMs ?? 0))
  const chosen = byDuration.filter((c, i) => i === 0 || (i === 1 && (c.durationMs ?? 0) < SecondCaseBudgetMs))
  const files = [...new Set(chosen.map((c) => c.file))]
  if (!files.every((file) => existsSync(join(RepoRoot, file)))) return undefined
  return { cases: chosen.map((c) => c.id), files }
}

describe('the fault map', () => {
  test('names suite areas that exist for every fault area the relay uses', () => {
    const folders = new Set(readdirSync(join(RepoRoot, 'suites'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name))
    const problems: string[] = []
    for (const fault of Faults) {
      const areas = SuiteAreasByFaultArea[fault.area]
      if (areas === undefined || areas.length === 0) problems.push(`${fault.name}: no suite areas for fault area ${fault.area}`)
      for (const area of areas ?? []) if (!folders.has(area)) problems.push(`${fault.name}: suites/${area}/ does not exist`)
    }
    expect(problems).toEqual([])
  })
})

test(
  'every test fault of the reference relay is detected, and the healthy relay passes',
  async () => {
    const table = readKillTable()
    // Faults against no requirement of either profile (faults.ts `unjudged`) are not asked for.
    const judged = AllFaults.filter((fault) => (Faults as readonly FaultInfo[]).find((info) => info.name === fault)?.unjudged === undefined)
    const targets: Target[] = [
      { fault: null, selection: { areas: 'all' } },
      ...judged.map((fault): Target => ({ fault, selection: recordedSelection(table, fault) ?? areaSelection(fault) })),
    ]
    // The origin profile against the relay's origin mode first.
    const first = await runPower({ targets, seed: 1 })
    const healthy = first.runs.find((run) => run.fault === null)
    const missed = first.runs.filter((run) => run.fault !== null && detecting(run, healthy).length === 0 && !('areas' in run.selection))
    const second = missed.length > 0 ? await runPower({ targets: missed.map((run) => ({ fault: run.fault, selection: areaSelection(run.fault) })), seed: 1 }) : undefined
    const finalRuns = first.runs.map((run) => second?.runs.find((again) => again.fault === run.fault) ?? run)
    const missedByOrigin = finalRuns.filter((run) => run.fault !== null && detecting(run, healthy).length === 0)
    // Then the core profile against the open default mode, for what only core cases reach there
    // (the NIP-09 cases, whose plain deletion names two targets the origin refuses).
    let coreRuns: typeof finalRuns = []
    let coreHealthy: (typeof finalRuns)[number] | undefined
    const coreErrors: string[] = []
    if (missedByOrigin.length > 0) {
      const areas = [...new Set(missedByOrigin.flatMap((run) => SuiteAreasByFaultArea[Faults.find((info) => info.name === run.fault)?.area ?? 'nip01'] ?? []))]
      const core = await runPower({
        targets: [{ fault: null, selection: { areas }, profile: 'core' }, ...missedByOrigin.map((run): Target => ({ fault: run.fault, selection: areaSelection(run.fault), profile: 'core' }))],
        seed: 1,
      })
      coreHealthy = core.runs.find((run) => run.fault === null)
      coreRuns = core.runs.filter((run) => run.fault !== null)
      coreErrors.push(...core.runErrors)
      expect(coreHealthy ? healthyProblems(coreHealthy, loadKnownDeviations()) : [], 'unexpected outcomes on the healthy reference relay (core, open mode)').toEqual([])
    }

    const undetected = missedByOrigin
      .filter((run) => detecting(coreRuns.find((again) => again.fault === run.fault) ?? run, coreHealthy).length === 0)
      .map((run) => run.fault)
    expect(undetected, 'faults no case detects (write the missing case; see reports/kill-table.md)').toEqual([])
    expect(healthy?.cases.length ?? 0, 'cases run against the healthy relay').toBeGreaterThan(0)
    expect(healthy ? healthyProblems(healthy, loadKnownDeviations()) : [], 'unexpected outcomes on the healthy reference relay').toEqual([])
    expect([...first.runErrors, ...(second?.runErrors ?? []), ...coreErrors], 'errors outside any case').toEqual([])
  },
  600_000,
)
