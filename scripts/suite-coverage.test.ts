/**
 * Requirement coverage of the suites, part of `npm test`: every requirement the catalog
 * marks `testable: "relay"` is cited by at least one case. Uses the harness's own case
 * collection and coverage computation (the `coverage` verb).
 */

import { expect, test } from 'vitest'
import { loadCatalog } from '../harness/src/catalog.ts'
import { computeCoverage } from '../harness/src/coverage.ts'
import { collectCases } from '../harness/src/engine.ts'
import { emptyProbe } from '../harness/src/probe.ts'
import { defaultSettings } from '../harness/src/settings.ts'

test('every relay-testable requirement is covered by at least one case', async () => {
  const catalog = loadCatalog()
  expect(catalog.error).toBeUndefined()
  const { cases, loadErrors } = await collectCases({
    mode: 'list',
    target: { name: 'coverage', url: 'ws://127.0.0.1:1', httpUrl: 'http://127.0.0.1:1', embedded: false },
    probe: emptyProbe('coverage'),
    settings: defaultSettings({ seed: 0 }),
  })
  expect(loadErrors).toEqual([])
  const coverage = computeCoverage(
    catalog.requirements,
    cases.map((c) => ({ id: c.declaration.id, requirements: c.declaration.requirements })),
  )
  const uncovered = coverage.rows.filter((row) => row.status === 'uncovered').map((row) => `${row.requirement.id}: ${row.requirement.summary}`)
  expect(uncovered, 'relay-testable requirements without a case').toEqual([])
  expect(coverage.unknownIds, 'requirement ids cited by cases but not in the catalog').toEqual([])
  expect(coverage.counts.covered).toBeGreaterThanOrEqual(coverage.counts.relayTestable)
}, 120_000)
