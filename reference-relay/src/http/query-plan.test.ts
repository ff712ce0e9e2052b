import { describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { parseFilterList, parseJsonBody } from './parse.ts'
import { concatenateAnswers, isPlainQuery, planPart, planQuery, withoutLimit } from './query-plan.ts'

const root = 'f'.repeat(64)
const encode = (text: string) => new TextEncoder().encode(text)

function event(n: number): NostrEvent {
  return { id: n.toString(16).padStart(64, '0'), pubkey: 'a'.repeat(64), created_at: n, kind: 1, tags: [], content: '', sig: '0'.repeat(128) }
}

describe('request bodies', () => {
  test('JSON is parsed; empty, non-UTF-8 and malformed bodies are refused with a reason', () => {
    expect(parseJsonBody(encode('[{"kinds":[1]}]'))).toEqual({ ok: true, value: [{ kinds: [1] }] })
    expect(parseJsonBody(new Uint8Array(0))).toEqual({ ok: false, message: 'invalid: request body is empty; expected JSON' })
    expect(parseJsonBody(new Uint8Array([0x5b, 0xff, 0x5d]))).toEqual({ ok: false, message: 'invalid: request body is not valid UTF-8' })
    expect(parseJsonBody(encode('{"kinds":'))).toMatchObject({ ok: false, message: expect.stringMatching(/^invalid: request body is not valid JSON: /) })
  })

  test('filter lists: an array of checked filters, bounded in number', () => {
    expect(parseFilterList([{ kinds: [1] }, {}], 10)).toEqual({ ok: true, value: [{ kinds: [1] }, {}] })
    expect(parseFilterList([], 10)).toEqual({ ok: true, value: [] })
    expect(parseFilterList({ kinds: [1] }, 10)).toEqual({ ok: false, message: 'invalid: request body must be a JSON array of filters' })
    expect(parseFilterList([{}, {}, {}], 2)).toEqual({ ok: false, message: 'invalid: too many filters: 3 (max 2)' })
    expect(parseFilterList([{}, { authors: ['xyz'] }], 10)).toEqual({
      ok: false,
      message: 'invalid: filter `authors` must be an array of 64-char lowercase hex strings (filter 1)',
    })
    expect(parseFilterList([{ '#e': [root], depth_limit: 2 }], 10)).toEqual({ ok: true, value: [{ '#e': [root], depth_limit: 2 }] })
  })
})

describe('query plan', () => {
  test('thread, top-level and plain parts', () => {
    expect(planPart({ '#e': [root], depth_limit: 3, kinds: [9] })).toEqual({
      type: 'thread',
      query: { root, depthLimit: 3, limit: 100 },
      conditions: { kinds: [9] },
    })
    expect(planPart({ '#h': ['c'], top_level: true, limit: 700 })).toEqual({
      type: 'top-level',
      query: { channel: 'c', limit: 500 },
      conditions: { '#h': ['c'] },
    })
    expect(planPart({ '#e': [root], depth_limit: -1 })).toEqual({ type: 'filter', filter: { '#e': [root], depth_limit: -1 } })
    expect(planPart({ '#h': ['c', 'd'], top_level: true })).toMatchObject({ type: 'filter' })
  })

  test('a filter that is both is read as a thread filter', () => {
    expect(planPart({ '#e': [root], depth_limit: 1, '#h': ['c'], top_level: true })).toMatchObject({ type: 'thread' })
  })

  test('answers are concatenated in filter order without repeats', () => {
    const [a, b, c] = [event(1), event(2), event(3)]
    expect(concatenateAnswers([[c, a], [a, b], [], [c]])).toEqual([c, a, b])
  })

  test('a query is plain when no filter is an extension, even with invalid extension keys', () => {
    expect(isPlainQuery(planQuery([{ kinds: [1] }, { '#e': [root], depth_limit: -1 }]))).toBe(true)
    expect(isPlainQuery(planQuery([{ kinds: [1] }, { '#h': ['c'], top_level: true }]))).toBe(false)
    expect(isPlainQuery([])).toBe(true)
  })

  test('limits are removed for counting', () => {
    expect(withoutLimit({ type: 'filter', filter: { kinds: [1], limit: 3 } })).toEqual({ type: 'filter', filter: { kinds: [1] } })
    expect(withoutLimit(planPart({ '#e': [root], depth_limit: 1, limit: 3 }))).toMatchObject({ query: { limit: Number.POSITIVE_INFINITY } })
    expect(withoutLimit(planPart({ '#h': ['c'], top_level: true }))).toMatchObject({ query: { limit: Number.POSITIVE_INFINITY } })
  })
})
