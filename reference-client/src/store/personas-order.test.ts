import { fc, test } from '@fast-check/vitest'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { dTagOf, selectHead } from '../../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../../spec/model/kinds.ts'
import { covers } from '../testing/covers.ts'
import { signDeletion, signPersona } from '../testing/helpers.ts'
import { openRetentionStore } from './index.ts'

// Signing is the slow part, so the pool is signed once: two slugs, versions crowded onto
// three timestamps so that ties are common, an `a` deletion in the middle of slug `b` and
// an `e` deletion naming one version of slug `a`.
const sk = generateSecretKey()
const pk = getPublicKey(sk)
const slugs = ['a', 'b'] as const
const versions: NostrEvent[] = []
for (const slug of slugs) {
  for (let i = 0; i < 4; i += 1) {
    versions.push(signPersona(sk, slug, { display_name: `${slug}${i}`, system_prompt: String(i) }, 100 + (i % 3)))
  }
}
const versionsOfA = versions.filter((e) => dTagOf(e) === 'a')
const eDeleted = versionsOfA[1] as NostrEvent
const byId = finalizeEvent({ kind: DeletionKind, created_at: 150, tags: [['e', eDeleted.id], ['k', String(PersonaKind)]], content: '' }, sk)
const pool: NostrEvent[] = [...versions, signDeletion(sk, 'b', 101), byId]

/** What the store must say for a slug once `arrived` has arrived, by the spec's rules alone. */
function expectedState(arrived: readonly NostrEvent[], slug: string): string {
  const address = `30175:${pk}:${slug}`
  const deletions = arrived.filter((e) => e.kind === DeletionKind)
  const aDeletedUpTo = Math.max(-1, ...deletions.filter((e) => e.tags.some((t) => t[0] === 'a' && t[1] === address)).map((e) => e.created_at))
  const idsDeleted = new Set(deletions.flatMap((e) => e.tags.filter((t) => t[0] === 'e').map((t) => t[1])))
  const head = selectHead(arrived.filter((e) => e.kind !== DeletionKind && dTagOf(e) === slug))
  if (head === undefined) return aDeletedUpTo >= 0 ? 'deleted' : 'missing'
  return head.created_at <= aDeletedUpTo || idsDeleted.has(head.id) ? 'deleted' : `present:${head.id}`
}

function arriveAll(arrival: readonly NostrEvent[]): (slug: string) => string {
  const store = openRetentionStore(':memory:')
  for (const event of arrival) {
    if (event.kind === DeletionKind) store.personas.putDeletion(event)
    else store.personas.put(event)
  }
  const states = new Map(slugs.map((slug) => {
    const read = store.personas.read(pk, slug)
    return [slug as string, read.status === 'present' ? `present:${read.event.id}` : read.status]
  }))
  store.close()
  return (slug) => states.get(slug) as string
}

describe('persona store: arrival order does not matter', covers('AP-STORE-2', 'AP-STORE-4', 'AP-READ-3'), () => {
  test.prop([fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length })], { numRuns: 25 })(
    'every permutation of the same events leaves the same state per address',
    (arrival) => {
      const stateOf = arriveAll(arrival)
      for (const slug of slugs) expect(stateOf(slug)).toBe(expectedState(pool, slug))
    },
  )

  test.prop([fc.shuffledSubarray([...versionsOfA, byId], { minLength: 1 })], { numRuns: 40 })(
    'after any arrivals the head is selectHead of what arrived, deleted exactly when an arrived deletion names it',
    (arrival) => {
      expect(arriveAll(arrival)('a')).toBe(expectedState(arrival, 'a'))
    },
  )
})
