/**
 * The matrix as a CI gate. It fails (exit 1) when:
 * - a relay did not start or its run broke;
 * - the reference relay did anything but pass, case by case (it has no expectations, and a
 *   skip there means the suite lost coverage), apart from origin-profile cases in a core run
 *   and the known gaps of `ReferenceKnownSkips`, each with its reason;
 * - a third-party relay's run is not clean against its expectations file (an unexpected
 *   failure, warning or error is a regression of the suite or of our hosting; an expected
 *   failure that now passes means the suite stopped seeing it);
 * - an expectations file is missing, has entries that match no case, or a reason that is
 *   still a draft.
 */

import type { Report } from '../../harness/src/types.ts'
import { DraftReasonPrefix } from './draft.ts'
import type { EntryResult } from './orchestrate.ts'

export interface GateResult {
  exitCode: 0 | 1
  /** One line per problem, prefixed with the relay name. */
  problems: string[]
}

export function gateMatrix(results: readonly EntryResult[], draftReasons: ReadonlyMap<string, readonly string[]> = new Map()): GateResult {
  const problems: string[] = []
  for (const { entry, report, error } of results) {
    if (!report) {
      problems.push(`${entry.name}: ${error ?? 'no report'}`)
      continue
    }
    problems.push(...(entry.reference ? referenceProblems(report, entry.name) : thirdPartyProblems(report, entry.expectationsFile)).map((p) => `${entry.name}: ${p}`))
    for (const id of draftReasons.get(entry.name) ?? []) {
      problems.push(`${entry.name}: the expectation for ${id} still has a draft reason ("${DraftReasonPrefix}...")`)
    }
  }
  return { exitCode: problems.length === 0 ? 0 : 1, problems }
}

/**
 * Capabilities the reference relay does not have, so cases needing them skip there: NIP-42
 * (it never challenges). Any other skip on the reference relay is lost coverage.
 */
export const ReferenceRelayLacks = ['nip42'] as const

/**
 * Skips of the reference relay that are known and explained, per matrix entry. Lost coverage
 * stays lost coverage: these are listed in the matrix README, not hidden.
 */
export const ReferenceKnownSkips: Readonly<Record<string, readonly { cases: readonly string[]; reason: string }[]>> = {
  embedded: [
    {
      cases: ['nip42.every-authenticated-key-counts'],
      reason: 'the origin profile binds a connection to one key (AP-AUTH-9); AP-WSAUTH-3 is judged in the core run (AMB-36)',
    },
    {
      cases: ['deletion.a-older-keeps-head'],
      reason: 'the origin relay\'s a deletion removes every version at the address, head included (ORIGIN-RELAY.md section 5), which the origin profile does not ask otherwise; judged in the core run (AMB-57)',
    },
  ],
}

function referenceProblems(report: Report, entryName: string): string[] {
  const lacking = (c: Report['cases'][number]) =>
    c.outcome === 'skip' && c.needs.some((need) => (ReferenceRelayLacks as readonly string[]).includes(need) && !report.probe.capabilities[need]?.available)
  const otherProfile = (c: Report['cases'][number]) => c.outcome === 'skip' && c.profile === 'origin' && report.settings.profile === 'core'
  const known = new Set((ReferenceKnownSkips[entryName] ?? []).flatMap((gap) => gap.cases))
  const knownSkip = (c: Report['cases'][number]) => c.outcome === 'skip' && known.has(c.id)
  const problems = report.cases.filter((c) => c.outcome !== 'pass' && !lacking(c) && !otherProfile(c) && !knownSkip(c)).map((c) => `${c.id} ${c.outcome}: ${c.message}`)
  if (report.verdict.exitCode !== 0 && problems.length === 0) problems.push(`verdict ${report.verdict.exitCode}: ${report.verdict.reason}`)
  problems.push(...report.runErrors.map((e) => `run error: ${e}`))
  return problems
}

function thirdPartyProblems(report: Report, expectationsFile: string | undefined): string[] {
  const problems: string[] = []
  if (!report.expectations) {
    problems.push(`no expectations file${expectationsFile ? ` (${expectationsFile})` : ''}; draft one with npm run matrix -- --draft-expectations`)
  }
  if (report.verdict.exitCode !== 0) {
    const byId = new Map(report.cases.map((c) => [c.id, c]))
    if (report.verdict.failing.length === 0) problems.push(`verdict ${report.verdict.exitCode}: ${report.verdict.reason}`)
    for (const id of report.verdict.failing) {
      const c = byId.get(id)
      const expected = c?.expectation ? ` (expected ${c.expectation.expected.join('/')})` : ''
      problems.push(`${id} ${c?.outcome ?? '?'}${expected}: ${c?.message ?? ''}`)
    }
  }
  problems.push(...report.runErrors.map((e) => `run error: ${e}`))
  for (const pattern of report.expectations?.unused ?? []) problems.push(`expectation ${pattern} matches no case`)
  return problems
}
