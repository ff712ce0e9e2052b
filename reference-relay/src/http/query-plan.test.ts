import { describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { parseFilterList, parseJsonBody } from './parse.ts'
import { checkCountFilters, combineAnswers, planPart } from './query-plan.ts'

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
    expect(combineAnswers([[c, a], [a, b], [], [c]])).toEqual([c, a, b])
  })

  test('/count refuses thread reads and accepts plain filters, even with invalid extension keys', () => {
    expect(checkCountFilters([{ kinds: [1] }, { '#e': [root], depth_limit: -1 }])).toEqual({ ok: true })
    expect(checkCountFilters([{ kinds: [1] }, { '#h': ['c'], top_level: true }])).toEqual({
      ok: false,
      message: 'unsupported: thread reads (depth_limit, top_level) are answered by /query, not /count (filter 1)',
    })
  })
})
