/** The one batch decision (batch.ts) on both synchronous stores. */

import { fc, test as propTest } from '@fast-check/vitest'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { batchNeeds, decideBatch, writeBatchSync } from './batch.ts'
import type { EventStore } from './event-store.ts'
import { MemoryBackend } from './memory-backend.ts'
import { MemoryStore } from './memory-store.ts'
import { SqliteStore } from './sqlite-store.ts'
import { OriginWriteRules, SpecWriteRules } from './write-rules.ts'

const stores: Array<[string, () => EventStore]> = [
  ['memory', () => new MemoryStore()],
  ['sqlite', () => new SqliteStore(':memory:')],
]

const hex = (n: number, width = 64) => n.toString(16).padStart(width, '0')
const authors = [hex(0xa11ce), hex(0xb0b)]

/** A small world of events that meet: two authors, two slugs, a few seconds, deletions and replies of earlier events. */
type Plan = { kind: 'persona'; author: number; slug: number; at: number } | { kind: 'note'; author: number; at: number }
  | { kind: 'delete-e'; author: number; target: number; at: number } | { kind: 'delete-a'; author: number; slug: number; at: number }
  | { kind: 'message'; author: number; channel: number; parent: number | null; at: number } | { kind: 'again'; target: number }

const planArb: fc.Arbitrary<Plan> = fc.oneof(
  fc.record({ kind: fc.constant('persona' as const), author: fc.nat(1), slug: fc.nat(1), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('note' as const), author: fc.nat(1), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('delete-e' as const), author: fc.nat(1), target: fc.nat(20), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('delete-a' as const), author: fc.nat(1), slug: fc.nat(1), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('message' as const), author: fc.nat(1), channel: fc.nat(1), parent: fc.option(fc.nat(20)), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('again' as const), target: fc.nat(20) }),
)

function materialize(plans: Plan[]): NostrEvent[] {
  const events: NostrEvent[] = []
  const pick = (i: number) => events[i % Math.max(1, events.length)]
  plans.forEach((plan, n) => {
    const base = { id: hex(1000 + n), sig: hex(n, 128), content: '' }
    let event: NostrEvent | undefined
    switch (plan.kind) {
      case 'persona':
        event = { ...base, pubkey: authors[plan.author] as string, kind: 30175, created_at: 100 + plan.at, tags: [['d', `s${plan.slug}`]] }
        break
      case 'note':
        event = { ...base, pubkey: authors[plan.author] as string, kind: 1, created_at: 100 + plan.at, tags: [] }
        break
      case 'delete-e': {
        const target = pick(plan.target)
        event = { ...base, pubkey: authors[plan.author] as string, kind: 5, created_at: 100 + plan.at, tags: target ? [['e', target.id]] : [] }
        break
      }
      case 'delete-a': {
        const pubkey = authors[plan.author] as string
        event = { ...base, pubkey, kind: 5, created_at: 100 + plan.at, tags: [['a', `30175:${pubkey}:s${plan.slug}`]] }
        break
      }
      case 'message': {
        const parent = plan.parent === null ? undefined : pick(plan.parent)
        const tags = [['h', `room${plan.channel}`], ...(parent ? [['e', parent.id, '', 'reply']] : [])]
        event = { ...base, pubkey: authors[plan.author] as string, kind: 9, created_at: 100 + plan.at, tags }
        break
      }
      case 'again':
        event = pick(plan.target)
        break
    }
    if (event !== undefined) events.push(event)
  })
  return events
}

/** What the store holds of each event: its thread facts, stored, remembered as removed (origin mode) or absent. */
function contents(store: EventStore, events: NostrEvent[]) {
  const ids = [...new Set(events.map((e) => e.id))]
  const removed = store.loadBatch({ ids, addresses: [], deletionRefs: [], removed: true }).removed
  return ids.map((id) => [id, store.getThreaded(id)?.thread ?? (store.has(id) ? 'stored' : removed?.has(id) ? 'removed' : 'absent')])
}

describe.each(stores)('batch decisions (%s)', (_name, open) => {
  const opened: EventStore[] = []
  const fresh = () => {
    const store = open()
    opened.push(store)
    return store
  }
  afterEach(() => {
    for (const store of opened.splice(0)) store.close()
  })

  propTest.prop([fc.array(planArb, { minLength: 1, maxLength: 24 }), fc.constantFrom(SpecWriteRules, OriginWriteRules)], { numRuns: 80 })(
    'one batch decides and stores exactly what the same events one by one do (open and origin rules)',
    (plans, rules) => {
      const events = materialize(plans)
      const oneByOne = fresh()
      const single = events.map((event) => writeBatchSync(oneByOne, [event], rules).decisions[0])
      const together = fresh()
      const batch = writeBatchSync(together, events, rules)
      expect(batch.decisions).toEqual(single)
      expect(contents(together, events)).toEqual(contents(oneByOne, events))
      expect(together.lastCommit()).toBe(1)
    },
  )

  test('a deletion already stored blocks the version it covers; a newer version resurrects the address', () => {
    const store = fresh()
    const sk = generateSecretKey()
    const old = finalizeEvent({ kind: 30175, created_at: 1000, tags: [['d', 'gone']], content: '' }, sk) as NostrEvent
    const deletion = finalizeEvent({ kind: 5, created_at: 1001, tags: [['a', `30175:${old.pubkey}:gone`]], content: '' }, sk) as NostrEvent
    const newer = finalizeEvent({ kind: 30175, created_at: 1002, tags: [['d', 'gone']], content: '' }, sk) as NostrEvent
    store.insert(deletion) // as if written by an earlier run of the relay
    const { decisions } = writeBatchSync(store, [old, newer])
    expect(decisions.map((d) => [d.verdict, d.message])).toEqual([
      ['blocked', 'blocked: this event was deleted by its author'],
      ['stored', ''],
    ])
  })

  test('every read of a decision must have been declared in the needs', () => {
    const store = fresh()
    const event: NostrEvent = { id: hex(1), pubkey: authors[0] as string, kind: 1, created_at: 1, tags: [], content: '', sig: hex(1, 128) }
    const needs = batchNeeds([event])
    expect(() => decideBatch([event], { ...needs, ids: [] }, store.loadBatch(needs))).toThrow(/was not loaded/)
  })
})

describe('memory precheck', () => {
  test('answers duplicates and stale versions from the store, leaves the rest to a write, and reads only', async () => {
    const backend = new MemoryBackend()
    const sk = generateSecretKey()
    const at = 1_700_000_000
    const persona = (slug: string, created_at: number) =>
      finalizeEvent({ kind: 30175, created_at, tags: [['d', slug]], content: '{}' }, sk) as NostrEvent
    const head = persona('p', at)
    await backend.writer.writeBatch([head])
    expect(backend.precheck(head)).toEqual({
      outcome: { id: head.id, accepted: true, message: 'duplicate: already have this event' },
      needsVerification: false,
    })
    expect(backend.precheck({ ...head, sig: 'f'.repeat(128) })).toBeNull() // another signature must be verified
    const stale = persona('p', at - 1)
    expect(backend.precheck(stale)).toEqual({
      outcome: { id: stale.id, accepted: true, message: 'duplicate: a newer version of this address is already stored' },
      needsVerification: true,
    })
    expect(backend.precheck(persona('p', at + 1))).toBeNull()
    expect(backend.precheck(persona('fresh', at))).toBeNull()
    expect(backend.events.size()).toBe(1)
    expect(backend.events.lastCommit()).toBe(1)
  })
})
