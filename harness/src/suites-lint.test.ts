/**
 * Lint of the real suites' metadata: every case is declared through the authoring API,
 * ids are unique and well-formed, requirement ids exist in the catalog, and the declared
 * level and profile agree with the requirements cited.
 */

import { beforeAll, expect, test } from 'vitest'
import { gradingLevel, loadCatalog } from './catalog.ts'
import { findRequirement, withinBasis } from '../../spec/catalog.ts'
import { type CollectedCase, collectCases } from './engine.ts'
import { emptyProbe } from './probe.ts'
import { defaultSettings } from './settings.ts'

let cases: CollectedCase[] = []
let loadErrors: string[] = []
const catalog = loadCatalog()
const byId = new Map(catalog.requirements.map((r) => [r.id, r]))

beforeAll(async () => {
  const collected = await collectCases({
    mode: 'list',
    target: { name: 'lint', url: 'ws://127.0.0.1:1', httpUrl: 'http://127.0.0.1:1', embedded: false },
    probe: emptyProbe('lint'),
    settings: defaultSettings({ seed: 0 }),
  })
  cases = collected.cases
  loadErrors = collected.loadErrors
})

test('every suite file loads and declares its cases with relayCase or propertyCase', () => {
  expect(loadErrors).toEqual([])
  expect(cases.filter((c) => !c.registered).map((c) => c.declaration.id)).toEqual([])
})

test('case ids are unique, <area>.<behaviour> in kebab-case, with the area of their folder', () => {
  const seen = new Map<string, string>()
  const problems: string[] = []
  for (const c of cases) {
    const { id } = c.declaration
    const previous = seen.get(id)
    if (previous) problems.push(`${id} declared in ${previous} and ${c.file}`)
    seen.set(id, c.file)
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:[-.][a-z0-9]+)*$/.test(id)) problems.push(`${id}: not <area>.<behaviour> in kebab-case`)
    if (id.split('.')[0] !== c.area) problems.push(`${id}: lives in suites/${c.area}/`)
  }
  expect(problems).toEqual([])
})

test('every case cites at least one requirement, and only ids the catalog knows', () => {
  expect(catalog.error).toBeUndefined()
  const problems = cases.flatMap((c) => {
    const { id, requirements } = c.declaration
    if (requirements.length === 0) return [`${id}: cites no requirement`]
    return requirements.filter((r) => !byId.has(r)).map((r) => `${id}: unknown requirement id ${r}`)
  })
  expect(problems).toEqual([])
})

test('a case is no stricter than its requirements, and origin-only requirements make origin cases', () => {
  const rank = { MUST: 2, SHOULD: 1, MAY: 0 } as const
  const problems: string[] = []
  for (const c of cases) {
    const cited = c.declaration.requirements.map((r) => byId.get(r)).filter((r) => r !== undefined)
    if (cited.length === 0) continue
    const strongest = Math.max(...cited.map((r) => rank[gradingLevel(r.level)]))
    if (rank[c.declaration.level] > strongest) {
      problems.push(`${c.declaration.id}: level ${c.declaration.level} but its requirements are at most ${cited.map((r) => r.level).join('/')}`)
    }
    if (c.declaration.profile === 'core' && cited.every((r) => r.profile === 'origin')) {
      problems.push(`${c.declaration.id}: profile core but every cited requirement is origin-only`)
    }
  }
  expect(problems).toEqual([])
})

test('a case is never stronger than the word of the texts its requirements rest on', () => {
  const problems: string[] = []
  for (const c of cases) {
    const words = c.declaration.requirements.map((id) => findRequirement(id)?.basis.word).filter((w) => w !== undefined)
    if (words.length === 0) continue
    if (!words.some((word) => withinBasis(c.declaration.level, word))) {
      problems.push(`${c.declaration.id}: level ${c.declaration.level}, but its requirements rest on ${words.join('/')}`)
    }
  }
  expect(problems).toEqual([])
})
