/**
 * The requirement catalog as the harness needs it, read through spec/catalog.ts (the one
 * loader of spec/requirements.json). A missing or unreadable catalog becomes an error
 * string, never a crash: `run` still works without it, only coverage is lost.
 */

import { type Requirement, catalogUrl, loadCatalog as loadSpecCatalog } from '../../spec/catalog.ts'
import { fileURLToPath } from 'node:url'
import type { Level } from './types.ts'

export const CatalogFile = fileURLToPath(catalogUrl)

export interface CatalogRequirement {
  id: string
  /** As written in the spec: MUST, MUST NOT, SHOULD, SHOULD NOT, MAY. */
  level: string
  role: string
  profile: string
  section: string
  summary: string
  /** The catalog's `testable`: relay, client or none. */
  testable: string
  /** True when a black-box case against a relay can decide it (`testable: "relay"`). */
  relayTestable: boolean
}

export interface HarnessCatalog {
  source: string
  requirements: CatalogRequirement[]
  error?: string
}

/** MUST NOT grades like MUST, SHOULD NOT like SHOULD. */
export function gradingLevel(level: string): Level {
  const upper = level.toUpperCase()
  if (upper.startsWith('MUST')) return 'MUST'
  if (upper.startsWith('SHOULD')) return 'SHOULD'
  return 'MAY'
}

export function toCatalogRequirement(requirement: Requirement): CatalogRequirement {
  return {
    id: requirement.id,
    level: requirement.level,
    role: requirement.role,
    profile: requirement.profile,
    section: requirement.section,
    summary: requirement.summary,
    testable: requirement.testable,
    relayTestable: requirement.testable === 'relay',
  }
}

export function loadCatalog(): HarnessCatalog {
  try {
    const catalog = loadSpecCatalog()
    if (!Array.isArray(catalog.requirements)) throw new Error('no `requirements` array')
    return { source: CatalogFile, requirements: catalog.requirements.map(toCatalogRequirement) }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message
    return { source: CatalogFile, requirements: [], error: `error: requirement catalog ${CatalogFile}: ${reason}` }
  }
}
