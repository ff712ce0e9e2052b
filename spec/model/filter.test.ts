import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import type { NostrEvent } from './event.ts'
import { checkFilter, type Filter, matchFilter, queryEvents } from './filter.ts'

const pubkeys = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)]
const tagNames = ['d', 'e', 'p', 't', 'h', 'alt']
const tagValues = ['x', 'y', 'z', '']

const tagArb = fc.oneof(
  fc.tuple(fc.constantFrom(...tagNames), fc.constantFrom(...tagValues)).map(([n, v]) => [n, v]),
  fc.constantFrom<string[]>(['d'], ['e']),
)

const eventArb: fc.Arbitrary<NostrEvent> = fc.record({
  id: fc.stringMatching(/^[0-9a-f]{64}$/),
  pubkey: fc.constantFrom(...pubkeys),
  created_at: fc.integer({ min: 100, max: 110 }),
  kind: fc.constantFrom<number>(1, 5, 30175),
  tags: fc.array(tagArb, { maxLength: 4 }),
  content: fc.constant<string>(''),
  sig: fc.constant('0'.repeat(128)),
})

const filterArb: fc.Arbitrary<Filter> = fc
  .record(
    {
      authors: fc.subarray(pubkeys, { minLength: 0 }),
      kinds: fc.subarray([1, 5, 30175, 7]),
      since: fc.integer({ min: 98, max: 112 }),
      until: fc.integer({ min: 98, max: 112 }),
      limit: fc.integer({ min: 0, max: 6 }),
      '#t': fc.subarray(tagValues),
      '#d': fc.subarray(tagValues),
      '#e': fc.subarray(tagValues),
    },
    { requiredKeys: [] },
  )
  .map((f) => f as Filter)

/** A deliberately different reading of NIP-01, used as the oracle. */
function bruteForceMatch(filter: Filter, event: NostrEvent): boolean {
  const conditions: boolean[] = []
  if ('ids' in filter && filter.ids) conditions.push(new Set(filter.ids).has(event.id))
  if (filter.authors) conditions.push(new Set(filter.authors).has(event.pubkey))
  if (filter.kinds) conditions.push(new Set(filter.kinds).has(event.kind))
  if (filter.since !== undefined) conditions.push(!(event.created_at < filter.since))
  if (filter.until !== undefined) conditions.push(!(event.created_at > filter.until))
  for (const key of Object.keys(filter)) {
    if (!/^#[a-zA-Z]$/.test(key)) continue
    const wanted = new Set(filter[key as `#${string}`])
    const have = event.tags.filter((t) => t.length > 1 && t[0] === key[1]).map((t) => t[1])
    conditions.push(have.some((v) => wanted.has(v as string)))
  }
  return conditions.every(Boolean)
}

describe('NIP-01 filters', () => {
  test.prop([filterArb, eventArb])('matching agrees with a brute-force reading of NIP-01', (filter, event) => {
    expect(matchFilter(filter, event)).toBe(bruteForceMatch(filter, event))
  })

  test.prop([fc.uniqueArray(eventArb, { selector: (e) => e.id, maxLength: 15 }), fc.array(filterArb, { minLength: 1, maxLength: 3 })])(
    'queries OR the filters, limit each, never repeat, and order newest first with ties lowest id first',
    (events, filters) => {
      const result = queryEvents(events, filters)
      expect(new Set(result.map((e) => e.id)).size).toBe(result.length)
      for (const e of result) expect(filters.some((f) => bruteForceMatch(f, e))).toBe(true)
      for (let i = 1; i < result.length; i++) {
        const [a, b] = [result[i - 1] as NostrEvent, result[i] as NostrEvent]
        expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id)).toBe(true)
      }
      for (const f of filters) {
        const matching = events.filter((e) => bruteForceMatch(f, e))
        const expectedCount = f.limit === undefined ? matching.length : Math.min(f.limit, matching.length)
        expect(result.filter((e) => bruteForceMatch(f, e)).length).toBeGreaterThanOrEqual(expectedCount)
      }
    },
  )

  test('since and until are inclusive', () => {
    const e = { id: '1'.repeat(64), pubkey: pubkeys[0] as string, created_at: 100, kind: 1, tags: [], content: '', sig: '' }
    expect(matchFilter({ since: 100, until: 100 }, e)).toBe(true)
    expect(matchFilter({ since: 101 }, e)).toBe(false)
    expect(matchFilter({ until: 99 }, e)).toBe(false)
  })

  test('shape checks name the field', () => {
    expect(checkFilter({ kinds: ['1'] })).toMatchObject({ ok: false, message: expect.stringContaining('`kinds`') })
    expect(checkFilter({ ids: ['abc'] })).toMatchObject({ ok: false, message: expect.stringContaining('`ids`') })
    expect(checkFilter({ limit: -1 })).toMatchObject({ ok: false, message: expect.stringContaining('`limit`') })
    expect(checkFilter({ '#e': [1] })).toMatchObject({ ok: false, message: expect.stringContaining('`#e`') })
    expect(checkFilter([])).toMatchObject({ ok: false })
    expect(checkFilter({ kinds: [30175], depth_limit: 2 })).toMatchObject({ ok: true })
  })
})
