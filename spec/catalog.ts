/**
 * The requirement catalog (spec/requirements.json) as typed data. Suites, the harness and
 * reports name requirements by these ids; the catalog is the only list of them.
 * spec/catalog.test.ts keeps the catalog, its schema and spec/NIP-AP.md in agreement.
 */

import { readFileSync } from 'node:fs'

export const RequirementLevels = ['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'] as const
export type RequirementLevel = (typeof RequirementLevels)[number]

export const RequirementRoles = ['relay', 'client', 'writer', 'reader'] as const
export type RequirementRole = (typeof RequirementRoles)[number]

export const RequirementProfiles = ['core', 'origin'] as const
export type RequirementProfile = (typeof RequirementProfiles)[number]

/** relay: a black-box test against a relay URL decides it; client: tests of the reference client or spec/model; none: see `reason`. */
export const Testabilities = ['relay', 'client', 'none'] as const
export type Testability = (typeof Testabilities)[number]

export const RequirementIdPattern = /^AP-[A-Z]+-\d+$/

/** The texts a requirement's level can rest on (spec/NIP-AP.md section 1.5). */
export const BasisTexts = ['NIP-01', 'NIP-09', 'NIP-11', 'NIP-42', 'NIP-45', 'NIP-98', 'NIP-AP', 'origin-relay', 'this-spec'] as const
export type BasisText = (typeof BasisTexts)[number]

/** The strongest keyword of the text the requirement rests on. */
export const BasisWords = ['MUST', 'SHOULD', 'MAY'] as const
export type BasisWord = (typeof BasisWords)[number]

export interface Basis {
  text: BasisText
  word: BasisWord
  /** The sentence quoted from the text (or, for origin-relay, the files read); absent for this-spec. */
  cites?: string
}

export interface Requirement {
  id: string
  level: RequirementLevel
  role: RequirementRole
  profile: RequirementProfile
  /** Innermost numbered heading of spec/NIP-AP.md holding the definition, e.g. "11.3". */
  section: string
  summary: string
  testable: Testability
  /** Present exactly when `testable` is 'none'. */
  reason?: string
  /** What the level rests on: a requirement is never stronger than `basis.word`. */
  basis: Basis
}

/** A requirement taken out of the text; its id is never used again. */
export interface WithdrawnRequirement {
  id: string
  reason: string
}

export interface Catalog {
  version: string
  /** Repository path of the text the ids are defined in. */
  spec: string
  requirements: Requirement[]
  withdrawn: WithdrawnRequirement[]
}

const levelRank: Record<RequirementLevel | BasisWord, number> = { MUST: 2, 'MUST NOT': 2, SHOULD: 1, 'SHOULD NOT': 1, MAY: 0 }

/** Whether a level (a requirement's or a case's) is no stronger than a basis word. */
export function withinBasis(level: RequirementLevel | BasisWord, word: BasisWord): boolean {
  return levelRank[level] <= levelRank[word]
}

export const catalogUrl = new URL('./requirements.json', import.meta.url)
export const catalogSchemaUrl = new URL('./requirements.schema.json', import.meta.url)
export const specTextUrl = new URL('./NIP-AP.md', import.meta.url)

let cached: Catalog | undefined

/**
 * The parsed catalog, read once. Its shape is guaranteed by spec/catalog.test.ts (which
 * validates it against requirements.schema.json), not re-checked here.
 */
export function loadCatalog(): Catalog {
  cached ??= JSON.parse(readFileSync(catalogUrl, 'utf8')) as Catalog
  return cached
}

/** Every requirement id, in the order of the text. */
export function requirementIds(): string[] {
  return loadCatalog().requirements.map((requirement) => requirement.id)
}

/** The requirement with this id, or undefined for an id the catalog does not know. */
export function findRequirement(id: string): Requirement | undefined {
  return loadCatalog().requirements.find((requirement) => requirement.id === id)
}
