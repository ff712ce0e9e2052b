/**
 * Requirement coverage: which relay cases, and (when collected) which reference-client tests
 * cover each catalog requirement, and what is missing.
 */

import type { CatalogRequirement } from './catalog.ts'
import type { Outcome } from './types.ts'

export interface CoveringCase {
  id: string
  outcome?: Outcome
}

/** A client test as coverage evidence: its id and the requirement ids it cites. */
export interface CitingTest {
  id: string
  requirements: readonly string[]
}

export interface CoverageRow {
  requirement: CatalogRequirement
  cases: CoveringCase[]
  /** Client tests citing the requirement; empty when client tests were not collected. */
  clientTests: string[]
  /**
   * covered: a case (relay) or a client test cites it. uncovered: testable and cited by none.
   * not-relay-testable: a client or untestable requirement, client tests not collected (run reports).
   * not-testable: the catalog marks it `testable: "none"` (client tests collected).
   */
  status: 'covered' | 'uncovered' | 'not-relay-testable' | 'not-testable'
}

export interface Coverage {
  rows: CoverageRow[]
  /** Requirement ids cited by cases or client tests but absent from the catalog. */
  unknownIds: Array<{ requirement: string; cases: string[] }>
  counts: { requirements: number; relayTestable: number; clientTestable: number; covered: number; uncovered: number }
}

const statusOrder: Record<CoverageRow['status'], number> = { uncovered: 0, covered: 1, 'not-relay-testable': 2, 'not-testable': 3 }

function citations(items: ReadonlyArray<CitingTest>): Map<string, string[]> {
  const byRequirement = new Map<string, string[]>()
  for (const item of items) {
    for (const requirement of item.requirements) {
      const list = byRequirement.get(requirement) ?? []
      list.push(item.id)
      byRequirement.set(requirement, list)
    }
  }
  return byRequirement
}

/**
 * Rows ordered: testable requirements without a case or test first, then covered, then the
 * rest. Without `clientTests` (a run's report) only relay-testable requirements can be
 * uncovered; with them (the `coverage` verb) client-testable ones can too.
 */
export function computeCoverage(
  requirements: readonly CatalogRequirement[],
  cases: ReadonlyArray<{ id: string; requirements: readonly string[]; outcome?: Outcome }>,
  clientTests?: ReadonlyArray<CitingTest>,
): Coverage {
  const byRequirement = new Map<string, CoveringCase[]>()
  for (const c of cases) {
    for (const requirement of c.requirements) {
      const list = byRequirement.get(requirement) ?? []
      list.push(c.outcome ? { id: c.id, outcome: c.outcome } : { id: c.id })
      byRequirement.set(requirement, list)
    }
  }
  const byClientTest = citations(clientTests ?? [])
  const known = new Set(requirements.map((r) => r.id))
  const rows = requirements.map((requirement): CoverageRow => {
    const covering = byRequirement.get(requirement.id) ?? []
    const tests = byClientTest.get(requirement.id) ?? []
    let status: CoverageRow['status']
    if (covering.length > 0 || tests.length > 0) status = 'covered'
    else if (requirement.testable === 'relay' || (requirement.testable === 'client' && clientTests !== undefined)) status = 'uncovered'
    else status = clientTests !== undefined ? 'not-testable' : 'not-relay-testable'
    return { requirement, cases: covering, clientTests: tests, status }
  })
  rows.sort((a, b) => statusOrder[a.status] - statusOrder[b.status])
  const unknown = new Map<string, string[]>()
  const noteUnknown = (id: string, citedBy: string[]) => {
    if (!known.has(id)) unknown.set(id, [...(unknown.get(id) ?? []), ...citedBy])
  }
  for (const [id, list] of byRequirement) noteUnknown(id, list.map((c) => c.id))
  for (const [id, list] of byClientTest) noteUnknown(id, list)
  return {
    rows,
    unknownIds: [...unknown.entries()].map(([requirement, list]) => ({ requirement, cases: list })),
    counts: {
      requirements: requirements.length,
      relayTestable: requirements.filter((r) => r.testable === 'relay').length,
      clientTestable: requirements.filter((r) => r.testable === 'client').length,
      covered: rows.filter((r) => r.status === 'covered').length,
      uncovered: rows.filter((r) => r.status === 'uncovered').length,
    },
  }
}
