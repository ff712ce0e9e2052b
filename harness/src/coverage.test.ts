import { describe, expect, test } from 'vitest'
import type { CatalogRequirement } from './catalog.ts'
import { computeCoverage } from './coverage.ts'

function requirement(id: string, testable: 'relay' | 'client' | 'none'): CatalogRequirement {
  return { id, level: 'MUST', role: testable === 'relay' ? 'relay' : 'client', profile: 'core', section: '1', summary: id, testable, relayTestable: testable === 'relay' }
}

const catalog = [requirement('AP-R-1', 'relay'), requirement('AP-R-2', 'relay'), requirement('AP-C-1', 'client'), requirement('AP-C-2', 'client'), requirement('AP-N-1', 'none')]
const cases = [{ id: 'case.one', requirements: ['AP-R-1'] }]

describe('requirement coverage', () => {
  test('without client tests (a run report) only relay requirements can be uncovered', () => {
    const coverage = computeCoverage(catalog, cases)
    expect(Object.fromEntries(coverage.rows.map((r) => [r.requirement.id, r.status]))).toEqual({
      'AP-R-1': 'covered',
      'AP-R-2': 'uncovered',
      'AP-C-1': 'not-relay-testable',
      'AP-C-2': 'not-relay-testable',
      'AP-N-1': 'not-relay-testable',
    })
    expect(coverage.counts).toEqual({ requirements: 5, relayTestable: 2, clientTestable: 2, covered: 1, uncovered: 1 })
  })

  test('with client tests, a client requirement no test cites is uncovered; uncovered rows come first; unknown ids are listed', () => {
    const clientTests = [
      { id: 'reference-client/src/a.test.ts > x', requirements: ['AP-C-1'] },
      { id: 'reference-client/src/a.test.ts > y', requirements: ['AP-C-1', 'AP-X-9'] },
    ]
    const coverage = computeCoverage(catalog, cases, clientTests)
    expect(coverage.rows.map((r) => [r.requirement.id, r.status])).toEqual([
      ['AP-R-2', 'uncovered'],
      ['AP-C-2', 'uncovered'],
      ['AP-R-1', 'covered'],
      ['AP-C-1', 'covered'],
      ['AP-N-1', 'not-testable'],
    ])
    expect(coverage.rows.find((r) => r.requirement.id === 'AP-C-1')?.clientTests).toEqual(clientTests.map((t) => t.id))
    expect(coverage.unknownIds).toEqual([{ requirement: 'AP-X-9', cases: ['reference-client/src/a.test.ts > y'] }])
    expect(coverage.counts).toMatchObject({ covered: 2, uncovered: 2 })
  })
})
