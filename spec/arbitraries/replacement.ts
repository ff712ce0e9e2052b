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

/** One version of a sequence: its created_at as an offset in seconds from a base time. */
export interface VersionStep {
  offset: number
}

/**
 * Versions of one address in arrival order. Offsets come from a small range so that equal
 * created_at values (ties) and out-of-order arrivals are common.
 */
export const versionSequence: fc.Arbitrary<VersionStep[]> = fc.array(
  fc.record({ offset: fc.integer({ min: 0, max: 4 }) }),
  { minLength: 1, maxLength: 6 },
)
