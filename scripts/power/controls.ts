/**
 * Negative controls: independent relays that are wrong in a way every storage or delivery
 * case builds on (test-relays/ defects of area `control`). Beyond being caught, each must
 * leave the suite honest:
 *
 * - `null` (OK to everything, stores nothing) and `drop-personas` (OK, then drops kind
 *   30175): no MUST case of the areas that depend on storage passes. A pass there would be
 *   a conclusion drawn from absence without a positive control.
 * - `no-eose`, `no-live`, `count-hangup`: the cases that own EOSE, live delivery or COUNT
 *   (DeliveryOwners) fail or warn, and no other case does; every other case either does not
 *   need the missing frame or ends as a failed control (skip) with the reason: none ends in
 *   `error`.
 */

import type { CaseResult, TargetRun } from './power.ts'

/** Suite areas whose MUST cases depend on the relay storing what it accepted. */
export const StorageAreas: readonly string[] = ['replaceable', 'deletion', 'scope', 'stateful', 'clock-skew']

export const VacuousControls: readonly string[] = ['null', 'drop-personas']

/**
 * Variations a control runs with: the vacuous controls advertise a clock window (NIP-11
 * created_at limits), so the clock-skew cases run against them instead of skipping for an
 * unknown window, and their MUST cases are checked too.
 */
export const ControlVariations: Readonly<Record<string, readonly string[]>> = {
  null: ['clock-window'],
  'drop-personas': ['clock-window'],
}
export const DeliveryControls: readonly string[] = ['no-eose', 'no-live', 'count-hangup']

const areaOf = (id: string): string => id.split('.')[0] ?? ''

/** MUST cases of the storage areas, the ones a vacuous relay must not pass. */
export function storageMustCases(cases: readonly CaseResult[]): CaseResult[] {
  return cases.filter((c) => c.level === 'MUST' && StorageAreas.includes(areaOf(c.id)))
}

/** The properties a negative control must keep, as problems (empty: it holds). */
export function controlProblems(defect: string, run: TargetRun): string[] {
  if (VacuousControls.includes(defect)) {
    return storageMustCases(run.cases)
      .filter((c) => c.outcome === 'pass')
      .map((c) => `${c.id} passed against a relay that ${defect === 'null' ? 'stores nothing' : 'drops every persona after OK'}`)
  }
  if (DeliveryControls.includes(defect)) {
    const owners = DeliveryOwners[defect] ?? []
    const flagged = run.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'warn')
    const problems = [
      ...run.cases.filter((c) => c.outcome === 'error').map((c) => `${c.id} ended in error instead of a failed control: ${c.message}`),
      ...flagged.filter((c) => !owners.includes(c.id)).map((c) => `${c.id} ${c.outcome}s, but only ${owners.join(', ')} own what ${defect} withholds: ${c.message}`),
      ...run.cases.filter((c) => c.outcome === 'skip' && c.message.trim() === '').map((c) => `${c.id} skipped without a reason`),
    ]
    const ran = run.cases.filter((c) => owners.includes(c.id))
    if (ran.length > 0 && !flagged.some((c) => owners.includes(c.id))) {
      problems.push(`no owning case (${owners.join(', ')}) failed or warned: ${ran.map((c) => `${c.id} ${c.outcome}`).join(', ')}`)
    }
    return problems
  }
  return []
}

/**
 * The cases that own what each delivery control withholds: they, and only they, fail (MUST)
 * or warn (SHOULD) against it; a relay that never sends EOSE gets its verdict on
 * nip01.eose-then-live (a warn: spec/AMBIGUITIES.md AMB-47), never "unreachable".
 */
export const DeliveryOwners: Readonly<Record<string, readonly string[]>> = {
  'no-eose': ['nip01.eose-then-live'],
  'no-live': ['nip01.eose-then-live'],
  'count-hangup': ['nip01.count-answered', 'nip01.count'],
}

/** How many skipped cases (failed controls) `npm test` re-checks per delivery control besides its owners. */
const DeliverySamples = 3

/**
 * The cases `npm test` re-runs against a control (scripts/power/power.test.ts): every storage
 * MUST case for a vacuous control; for a delivery control its owners and the quickest few
 * cases that skipped against it and passed on the baseline (their skip is the property).
 */
export function controlChecked(defect: string, run: TargetRun, baseline: TargetRun): CaseResult[] {
  if (VacuousControls.includes(defect)) return storageMustCases(run.cases)
  const owners = DeliveryOwners[defect] ?? []
  const passedOnBaseline = new Set(baseline.cases.filter((c) => c.outcome === 'pass').map((c) => c.id))
  const samples = run.cases
    .filter((c) => c.outcome === 'skip' && passedOnBaseline.has(c.id) && !owners.includes(c.id))
    .sort((a, b) => a.durationMs - b.durationMs)
    .slice(0, DeliverySamples)
  return [...run.cases.filter((c) => owners.includes(c.id)), ...samples]
}

export function isControl(defect: string): boolean {
  return VacuousControls.includes(defect) || DeliveryControls.includes(defect)
}
