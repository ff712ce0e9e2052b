/**
 * fast-check arbitraries for the stateful model-based run: the data of each operation on
 * a small world of two owners and three slugs. Suites turn them into fc.AsyncCommand
 * objects; here they are plain records so they shrink and print well.
 */

import fc from 'fast-check'
import { adversarialArrivalOrder } from './replacement.ts'

export const OwnerCount = 2
export const SlugCount = 2
/** Publish offsets (seconds after the run's base time) fall in [0, MaxOffset]. */
export const MaxOffset = 60

export interface AddressRef {
  owner: number
  slug: number
}

export const addressRef: fc.Arbitrary<AddressRef> = fc.record({
  owner: fc.integer({ min: 0, max: OwnerCount - 1 }),
  slug: fc.integer({ min: 0, max: SlugCount - 1 }),
})

/** A version at any offset: new, newer, stale or tie, depending on the state. */
export const publishOp = fc.record({ at: addressRef, offset: fc.integer({ min: 0, max: MaxOffset }) })
/** A version newer than the current head by 1 to 5 seconds. */
export const replaceOp = fc.record({ at: addressRef, step: fc.integer({ min: 1, max: 5 }) })
/**
 * Three versions with one created_at, `step` (0..2) seconds after the head (or after the
 * latest deletion of the address, or the base time): at step 0 they tie with the head too.
 * They arrive in id-rank `order` (0 = lowest id), the lowest neither first nor last, so a
 * relay that keeps the first or the last arrival of a tie keeps the wrong version. `nonce`
 * goes into their content: it fixes their ids (and so where they rank against a head they
 * tie with) from the generated input alone, so a replay makes the same ones.
 */
export const tieOp = fc.record({
  at: addressRef,
  step: fc.integer({ min: 0, max: 2 }),
  order: adversarialArrivalOrder(3, 3),
  nonce: fc.integer({ min: 0, max: 0xffff }),
})
/** An `a` deletion at the head's created_at plus `shift` (-2..2), or at an absolute offset when there is no head. */
export const deleteOp = fc.record({ at: addressRef, shift: fc.integer({ min: -2, max: 2 }), offset: fc.integer({ min: 0, max: MaxOffset }) })
export const queryOp = fc.record({ owner: fc.integer({ min: 0, max: OwnerCount - 1 }) })
export const subscribeOp = fc.record({ owner: fc.integer({ min: 0, max: OwnerCount - 1 }) })
