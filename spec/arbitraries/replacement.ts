/** fast-check arbitraries for replacement: arrival orders and version sequences of one address. */

import fc from 'fast-check'

/**
 * A permutation of 0..n-1 for some n in [min, max]: the order in which versions ranked by
 * head order (0 = the winner) arrive. Shrinks towards fewer versions and towards 0, 1, 2, ...
 */
export function arrivalOrder(min: number, max: number): fc.Arbitrary<number[]> {
  return fc
    .integer({ min, max })
    .chain((n) => {
      const ranks = Array.from({ length: n }, (_, i) => i)
      return fc.shuffledSubarray(ranks, { minLength: n, maxLength: n })
    })
}

/**
 * An arrival order of n versions in [min, max] (min >= 3) in which the winner (rank 0)
 * arrives neither first nor last: a relay that keeps the first arrival of a tie keeps
 * another version, and so does one that keeps the last, on every run.
 */
export function adversarialArrivalOrder(min: number, max: number): fc.Arbitrary<number[]> {
  if (min < 3) throw new Error(`adversarialArrivalOrder: needs at least 3 versions, got min ${min}`)
  return fc.integer({ min, max }).chain((n) => {
    const losers = Array.from({ length: n - 1 }, (_, i) => i + 1)
    return fc
      .tuple(fc.integer({ min: 1, max: n - 2 }), fc.shuffledSubarray(losers, { minLength: n - 1, maxLength: n - 1 }))
      .map(([at, rest]) => [...rest.slice(0, at), 0, ...rest.slice(at)])
  })
}

/**
 * One version of a sequence: its created_at as an offset in seconds from a base time, and
 * its place in id order among the versions with the same offset (the smallest `idRank`
 * gets the lowest id; equal ranks keep arrival order). The generator thereby chooses the
 * arrival order of every tie, so both "lowest id first" and "lowest id later" are drawn.
 */
export interface VersionStep {
  offset: number
  idRank: number
}

/**
 * Versions of one address in arrival order. Offsets come from a small range so that equal
 * created_at values (ties) and out-of-order arrivals are common.
 */
export const versionSequence: fc.Arbitrary<VersionStep[]> = fc.array(
  fc.record({ offset: fc.integer({ min: 0, max: 4 }), idRank: fc.integer({ min: 0, max: 5 }) }),
  { minLength: 1, maxLength: 6 },
)

/**
 * Pairs arrival slots with versions so that each tie follows the steps' id ranks: `versions`
 * are the signed versions (any order), grouped by created_at = `createdAt(step)`; within a
 * group, the slot with the smallest idRank gets the version with the lowest id.
 */
export function arrangeTies<V extends { id: string; created_at: number }>(steps: readonly VersionStep[], versions: readonly V[], createdAt: (step: VersionStep) => number): V[] {
  if (steps.length !== versions.length) throw new Error(`arrangeTies: ${steps.length} steps but ${versions.length} versions`)
  const arranged: V[] = new Array(steps.length)
  const groups = new Map<number, number[]>()
  steps.forEach((step, slot) => groups.set(createdAt(step), [...(groups.get(createdAt(step)) ?? []), slot]))
  for (const [at, slots] of groups) {
    const candidates = versions.filter((v) => v.created_at === at).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    if (candidates.length !== slots.length) throw new Error(`arrangeTies: ${slots.length} slots at created_at ${at} but ${candidates.length} versions`)
    const byRank = [...slots].sort((a, b) => (steps[a] as VersionStep).idRank - (steps[b] as VersionStep).idRank || a - b)
    byRank.forEach((slot, i) => (arranged[slot] = candidates[i] as V))
  }
  return arranged
}
