/**
 * Every testable client requirement is checked by at least one client test, and every id a
 * client test cites is a client requirement of the catalog (testable "client"; roles client,
 * reader, writer). Uses the collection the `persona-conformance coverage` verb uses.
 */

import { expect, test } from 'vitest'
import { loadCatalog } from '../../spec/catalog.ts'
import { collectClientTests } from '../../harness/src/client-tests.ts'

test('each testable client requirement has a client test, and client tests cite only client requirements', { timeout: 240_000 }, async () => {
  const { tests, loadErrors } = await collectClientTests()
  expect(loadErrors).toEqual([])
  const catalog = loadCatalog().requirements
  const clientTestable = catalog.filter((r) => r.testable === 'client')
  const byId = new Map(catalog.map((r) => [r.id, r]))
  const cited = new Set(tests.flatMap((t) => t.requirements))

  const misplaced = tests.flatMap((t) =>
    t.requirements.filter((id) => byId.get(id)?.testable !== 'client').map((id) => `${t.id} cites ${id} (${byId.get(id)?.testable ?? 'not in the catalog'})`),
  )
  expect(misplaced, 'ids a client test may not cite').toEqual([])
  const untested = clientTestable.filter((r) => !cited.has(r.id)).map((r) => `${r.id}: ${r.summary}`)
  expect(untested, 'testable client requirements without a test').toEqual([])
  expect(tests.filter((t) => t.requirements.length > 0).length).toBeGreaterThan(clientTestable.length / 2)
})
