// The switched-on defects, asked by name where each bug lives.
import type { DefectName } from './defects.ts'

export interface Faults {
  has(name: DefectName): boolean
}

export function faultSet(names: Iterable<DefectName>): Faults {
  const set = new Set(names)
  return { has: (name) => set.has(name) }
}

export const noFaults: Faults = faultSet([])
