/** Requirement coverage: which cases cover each catalog requirement, and what is missing. */

import type { CatalogRequirement } from './catalog.ts'
import type { Outcome } from './types.ts'

export interface CoveringCase {
  id: string
  outcome?: Outcome
}

export interface CoverageRow {
  requirement: CatalogRequirement
  cases: CoveringCase[]
  /** uncovered: relay-testable with no case; not-relay-testable: decided by client tests or not testable. */
  status: 'covered' | 'uncovered' | 'not-relay-testable'
}

export interface Coverage {
  rows: CoverageRow[]
  /** Requirement ids cited by cases but absent from the catalog. */
  unknownIds: Array<{ requirement: string; cases: string[] }>
  counts: { requirements: number; relayTestable: number; covered: number; uncovered: number }
}

const statusOrder: Record<CoverageRow['status'], number> = { uncovered: 0, covered: 1, 'not-relay-testable': 2 }

/** Rows ordered: relay-testable requirements without a case first, then covered, then the rest. */
export function computeCoverage(
  requirements: readonly CatalogRequirement[],
  cases: ReadonlyArray<{ id: string; requirements: readonly string[]; outcome?: Outcome }>,
): Coverage {
  const byRequirement = new Map<string, CoveringCase[]>()
  for (const c of cases) {
    for (const requirement of c.requirements) {
      const list = byRequirement.get(requirement) ?? []
      list.push(c.outcome ? { id: c.id, outcome: c.outcome } : { id: c.id })
      byRequirement.set(requirement, list)
    }
  }
  const known = new Set(requirements.map((r) => r.id))
  const rows = requirements.map((requirement): CoverageRow => {
    const covering = byRequirement.get(requirement.id) ?? []
    const status = covering.length > 0 ? 'covered' : requirement.relayTestable ? 'uncovered' : 'not-relay-testable'
    return { requirement, cases: covering, status }
  })
  rows.sort((a, b) => statusOrder[a.status] - statusOrder[b.status])
  const unknownIds = [...byRequirement.entries()]
    .filter(([id]) => !known.has(id))
    .map(([requirement, list]) => ({ requirement, cases: list.map((c) => c.id) }))
  return {
    rows,
    unknownIds,
    counts: {
      requirements: requirements.length,
      relayTestable: requirements.filter((r) => r.relayTestable).length,
      covered: rows.filter((r) => r.status === 'covered').length,
      uncovered: rows.filter((r) => r.status === 'uncovered').length,
    },
  }
}
