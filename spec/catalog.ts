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
}

export interface Catalog {
  version: string
  /** Repository path of the text the ids are defined in. */
  spec: string
  requirements: Requirement[]
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
