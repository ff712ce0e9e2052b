import { describe, expect, test } from 'vitest'
import { fc, it } from '@fast-check/vitest'
import type { NostrEvent } from './event.ts'
import {
  compareOldestFirst,
  selectThreadReplies,
  selectTopLevel,
  threadConditions,
  topLevelConditions,
  type ThreadedEvent,
} from './thread-query.ts'
import { threadQueryOf, topLevelQueryOf } from './thread.ts'

let counter = 0
function fakeId(): string {
  counter += 1
  return counter.toString(16).padStart(64, '0')
}

const alice = 'a'.repeat(64)
const bob = 'b'.repeat(64)

function message(created_at: number, tags: string[][] = [['h', 'c']], pubkey = alice, kind = 9): NostrEvent {
  return { id: fakeId(), pubkey, created_at, kind, tags, content: '', sig: '0'.repeat(128) }
}

/** A small channel: root R, replies at depths 1..3, one broadcast depth-1 and one broadcast depth-2. */
function channel() {
  const root = message(100)
  const r1 = message(110)
  const r1b = message(111, [['h', 'c'], ['broadcast', '1']], bob)
  const r2 = message(105)
  const r2b = message(120, [['h', 'c'], ['broadcast', '1']])
  const r3 = message(130)
  const other = message(90)
  const entries: ThreadedEvent[] = [
    { event: root, thread: { root: root.id, parent: null, depth: 0, broadcast: false } },
    { event: r1, thread: { root: root.id, parent: root.id, depth: 1, broadcast: false } },
    { event: r1b, thread: { root: root.id, parent: root.id, depth: 1, broadcast: true } },
    { event: r2, thread: { root: root.id, parent: r1.id, depth: 2, broadcast: false } },
    { event: r2b, thread: { root: root.id, parent: r1.id, depth: 2, broadcast: true } },
    { event: r3, thread: { root: root.id, parent: r2.id, depth: 3, broadcast: false } },
    { event: other, thread: { root: other.id, parent: null, depth: 0, broadcast: false } },
  ]
  return { entries, root, r1, r1b, r2, r2b, r3, other }
}

describe('thread replies', () => {
  test('replies up to depth_limit, never the root, oldest first', () => {
    const { entries, root, r1, r1b, r2, r2b } = channel()
    const filter = { '#e': [root.id], depth_limit: 2 }
    const query = threadQueryOf(filter)
    expect(query).not.toBeNull()
    if (!query) return
    expect(selectThreadReplies(entries, query, threadConditions(filter))).toEqual([r2, r1, r1b, r2b])
  })

  test('depth_limit 0 returns nothing, 1 only direct replies', () => {
    const { entries, root, r1, r1b } = channel()
    expect(selectThreadReplies(entries, { root: root.id, depthLimit: 0, limit: 100 }, {})).toEqual([])
    expect(selectThreadReplies(entries, { root: root.id, depthLimit: 1, limit: 100 }, {})).toEqual([r1, r1b])
  })

  test('limit keeps the oldest replies', () => {
    const { entries, root, r2, r1 } = channel()
    expect(selectThreadReplies(entries, { root: root.id, depthLimit: 100, limit: 2 }, {})).toEqual([r2, r1])
  })

  test('other filter conditions still apply; #e and limit are the thread query own', () => {
    const { entries, root, r1b } = channel()
    const filter = { '#e': [root.id], depth_limit: 5, limit: 1, authors: [bob] }
    expect(threadConditions(filter)).toEqual({ authors: [bob] })
    expect(selectThreadReplies(entries, { root: root.id, depthLimit: 5, limit: 100 }, threadConditions(filter))).toEqual([r1b])
  })

  test('a reply id used as root names no thread', () => {
    const { entries, r1 } = channel()
    expect(selectThreadReplies(entries, { root: r1.id, depthLimit: 100, limit: 100 }, {})).toEqual([])
  })
})

describe('top-level reads', () => {
  test('roots and depth-1 broadcast replies, newest first; depth >= 2 never', () => {
    const { entries, root, r1b, other } = channel()
    const filter = { '#h': ['c'], top_level: true }
    const query = topLevelQueryOf(filter)
    expect(query).not.toBeNull()
    if (!query) return
    expect(selectTopLevel(entries, query, topLevelConditions(filter))).toEqual([r1b, root, other])
  })

  test('other channels, global events and events without thread facts', () => {
    const { entries } = channel()
    const elsewhere = message(200, [['h', 'd']])
    const note = message(201, [], alice, 1)
    const persona = message(202, [['d', 'x'], ['h', 'c']], alice, 30175)
    const article = message(203, [['h', 'c']], alice, 11)
    const all: ThreadedEvent[] = [
      ...entries,
      { event: elsewhere, thread: { root: elsewhere.id, parent: null, depth: 0, broadcast: false } },
      { event: note, thread: null },
      { event: persona, thread: null },
      { event: article, thread: null },
    ]
    const result = selectTopLevel(all, { channel: 'c', limit: 100 }, {})
    expect(result[0]).toBe(article)
    expect(result).not.toContain(elsewhere)
    expect(result).not.toContain(note)
    expect(result).not.toContain(persona)
  })

  test('conditions and limit apply', () => {
    const { entries, r1b } = channel()
    expect(selectTopLevel(entries, { channel: 'c', limit: 1 }, { '#h': ['c'] })).toEqual([r1b])
    expect(selectTopLevel(entries, { channel: 'c', limit: 100 }, { authors: [bob] })).toEqual([r1b])
    expect(topLevelConditions({ '#h': ['c'], top_level: true, limit: 3, kinds: [9] })).toEqual({ '#h': ['c'], kinds: [9] })
  })
})

describe('thread order', () => {
  it.prop([fc.array(fc.record({ t: fc.integer({ min: 0, max: 5 }), n: fc.integer({ min: 1, max: 50 }) }), { maxLength: 20 })])(
    'oldest first is a total order: created_at ascending, then id ascending',
    (specs) => {
      const events = specs.map(({ t, n }) => ({ ...message(t), id: n.toString(16).padStart(64, '0') }))
      const sorted = [...events].sort(compareOldestFirst)
      for (let i = 1; i < sorted.length; i += 1) {
        const a = sorted[i - 1] as NostrEvent
        const b = sorted[i] as NostrEvent
        expect(a.created_at < b.created_at || (a.created_at === b.created_at && a.id <= b.id)).toBe(true)
      }
    },
  )
})
