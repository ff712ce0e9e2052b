import { fc, test } from '@fast-check/vitest'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { dTagOf, selectHead } from '../../spec/model/head.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { openRetentionStore } from './store.ts'
import { signDeletion, signPersona } from './test-helpers.ts'

// Signing is the slow part, so the pool is signed once: two slugs, versions crowded onto
// three timestamps so that ties are common, and one deletion in the middle of slug `b`.
const sk = generateSecretKey()
const pk = getPublicKey(sk)
const slugs = ['a', 'b'] as const
const pool: NostrEvent[] = []
for (const slug of slugs) {
  for (let i = 0; i < 4; i += 1) {
    pool.push(signPersona(sk, slug, { display_name: `${slug}${i}`, system_prompt: String(i) }, 100 + (i % 3)))
  }
}
pool.push(signDeletion(sk, 'b', 101))

/** What the store must hold for a slug once every event has arrived, by the spec's rules alone. */
function expectedState(slug: string): string {
  const deletedUpTo = Math.max(-1, ...pool.filter((e) => e.kind === DeletionKind && e.tags.some((t) => t[1] === `30175:${pk}:${slug}`)).map((e) => e.created_at))
  const survivors = pool.filter((e) => e.kind !== DeletionKind && dTagOf(e) === slug && e.created_at > deletedUpTo)
  const head = selectHead(survivors)
  if (head) return `present:${head.id}`
  return deletedUpTo >= 0 ? 'deleted' : 'missing'
}

describe('retention store: arrival order does not matter', () => {
  test.prop([fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length })], { numRuns: 25 })(
    'every permutation of the same events leaves the same head per address',
    (arrival) => {
      const store = openRetentionStore(':memory:')
      try {
        for (const event of arrival) {
          if (event.kind === DeletionKind) store.putDeletion(event)
          else store.putPersona(event)
        }
        for (const slug of slugs) {
          const read = store.readPersona(pk, slug)
          const state = read.status === 'present' ? `present:${read.event.id}` : read.status
          expect(state).toBe(expectedState(slug))
        }
      } finally {
        store.close()
      }
    },
  )

  test.prop([fc.subarray(pool.filter((e) => e.kind !== DeletionKind && dTagOf(e) === 'a'), { minLength: 1 }), fc.nat()], { numRuns: 30 })(
    'the head after any arrivals is selectHead of what arrived',
    (arrived, rotation) => {
      const store = openRetentionStore(':memory:')
      try {
        const order = arrived.map((_, i) => arrived[(i + rotation) % arrived.length] as NostrEvent)
        for (const event of order) store.putPersona(event)
        const read = store.readPersona(pk, 'a')
        expect(read.status === 'present' && read.event.id).toBe(selectHead(arrived)?.id)
      } finally {
        store.close()
      }
    },
  )
})
