import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilter } from '../../spec/model/filter.ts'
import { matchFilterInScope } from '../../spec/model/scope.ts'
import { SubscriptionIndex } from './fanout-index.ts'

// Small alphabets so that generated filters and events actually meet.
const hex = (c: string) => c.repeat(64)
const ids = ['a', 'b', 'c', 'd'].map(hex)
const authors = ['1', '2', '3'].map(hex)
const kinds = [1, 5, 9, 30175, 20001]
const tagNames = ['d', 'e', 'h', 'p', 'dd']
const tagValues = ['x', 'y', 'z', '']

const someOf = <T>(values: readonly T[]) => fc.uniqueArray(fc.constantFrom(...values), { maxLength: values.length })

const filterArb: fc.Arbitrary<Filter> = fc
  .record(
    {
      ids: someOf(ids),
      authors: someOf(authors),
      kinds: someOf(kinds),
      since: fc.integer({ min: 0, max: 6 }),
      until: fc.integer({ min: 0, max: 6 }),
      '#d': someOf(tagValues),
      '#e': someOf(tagValues),
      '#h': someOf(tagValues),
      '#dd': someOf(tagValues),
    },
    { requiredKeys: [] },
  )
  .map((filter) => filter as Filter)

const eventArb: fc.Arbitrary<NostrEvent> = fc.record({
  id: fc.constantFrom(...ids),
  pubkey: fc.constantFrom(...authors),
  created_at: fc.integer({ min: 0, max: 6 }),
  kind: fc.constantFrom(...kinds),
  tags: fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...tagNames), fc.constantFrom(...tagValues)).map(([n, v]): string[] => [n, v]),
      fc.constantFrom(...tagNames).map((n): string[] => [n]),
    ),
    { maxLength: 4 },
  ),
  content: fc.constant(''),
  sig: fc.constant('0'.repeat(128)),
})

interface Sub {
  key: string
  filters: Filter[]
}

const subsArb = fc.uniqueArray(
  fc.record({ key: fc.string({ minLength: 1, maxLength: 3 }), filters: fc.array(filterArb, { minLength: 1, maxLength: 3 }) }),
  { selector: (sub) => sub.key, maxLength: 25 },
)

function scan(subs: readonly Sub[], event: NostrEvent, match: typeof matchFilter): string[] {
  return subs.filter((sub) => sub.filters.some((f) => match(f, event))).map((sub) => sub.key).sort()
}

describe('fan-out index', () => {
  test.prop([subsArb, fc.array(eventArb, { minLength: 1, maxLength: 8 }), fc.constantFrom(matchFilterInScope, matchFilter)], {
    numRuns: 300,
  })('delivers to exactly the subscriptions a scan of every filter would', (subs, events, match) => {
    const index = new SubscriptionIndex<string>()
    for (const sub of subs) index.add(sub.key, sub.filters)
    for (const event of events) {
      expect(index.matches(event, match).sort()).toEqual(scan(subs, event, match))
    }
  })

  test.prop([subsArb, fc.array(fc.nat(), { maxLength: 10 }), filterArb, fc.array(eventArb, { minLength: 1, maxLength: 6 })], {
    numRuns: 200,
  })('stays exact after removals and replacements', (subs, removals, replacement, events) => {
    const index = new SubscriptionIndex<string>()
    const live = new Map(subs.map((sub) => [sub.key, sub]))
    for (const sub of subs) index.add(sub.key, sub.filters)
    for (const n of removals) {
      const key = subs[n % Math.max(1, subs.length)]?.key
      if (key === undefined) continue
      if (n % 2 === 0) {
        index.remove(key)
        live.delete(key)
      } else {
        // Replacing a subscription (REQ with an open id) drops its old filters.
        index.add(key, [replacement])
        live.set(key, { key, filters: [replacement] })
      }
    }
    expect(index.size).toBe(live.size)
    for (const event of events) {
      expect(index.matches(event, matchFilterInScope).sort()).toEqual(scan([...live.values()], event, matchFilterInScope))
    }
  })

  test('a subscription with several matching filters is delivered once', () => {
    const index = new SubscriptionIndex<string>()
    index.add('s', [{ kinds: [1] }, { authors: [hex('1')] }, {}])
    const event: NostrEvent = { id: ids[0] as string, pubkey: hex('1'), created_at: 1, kind: 1, tags: [], content: '', sig: '' }
    expect(index.matches(event, matchFilter)).toEqual(['s'])
  })

  test('empty lists match nothing and filters without conditions match everything', () => {
    const index = new SubscriptionIndex<string>()
    index.add('none', [{ kinds: [] }, { ids: [] }])
    index.add('all', [{}])
    const event: NostrEvent = { id: ids[1] as string, pubkey: hex('2'), created_at: 1, kind: 9, tags: [['h', 'x']], content: '', sig: '' }
    expect(index.matches(event, matchFilter)).toEqual(['all'])
    index.remove('all')
    index.remove('none')
    expect(index.size).toBe(0)
    expect(index.matches(event, matchFilter)).toEqual([])
  })
})
