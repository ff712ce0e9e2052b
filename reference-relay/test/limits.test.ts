/**
 * Bad input and limits over a real socket: each case gets a precise prefixed answer, the
 * connection and the stored data survive, and every limit NIP-11 advertises is enforced at
 * exactly the advertised value.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DefaultLimits } from '../src/config.ts'
import type { RelayInternals } from '../src/relay.ts'
import { type Frame, newKey, nowSeconds, sign, startTestRelay, TestClient } from './helpers.ts'

let relay: RelayInternals
let client: TestClient
let info: { limitation: Record<string, number> }
const sentinelKey = newKey()
const sentinel = sign(sentinelKey, { kind: 1, content: 'must survive every bad input' })

beforeAll(async () => {
  relay = await startTestRelay()
  client = await TestClient.connect(relay.url)
  await client.store(sentinel)
  const response = await fetch(relay.httpUrl, { headers: { accept: 'application/nostr+json' } })
  info = (await response.json()) as typeof info
})

afterAll(async () => {
  // Nothing above altered stored data, and the connection is still usable.
  expect(client.isOpen).toBe(true)
  expect(await client.ids('sentinel', { authors: [sentinelKey.pk] })).toEqual([sentinel.id])
  client.close()
  await relay.close()
})

const notice = (predicate: (text: string) => boolean = () => true) => (f: Frame) =>
  f[0] === 'NOTICE' && typeof f[1] === 'string' && predicate(f[1])

describe('malformed messages get a prefixed NOTICE', () => {
  test.each([
    ['invalid JSON', '{"not":', /^invalid: could not parse message: /],
    ['a JSON object', '{"type":"EVENT"}', /^invalid: message must be a non-empty JSON array$/],
    ['an empty array', '[]', /^invalid: message must be a non-empty JSON array$/],
    ['an unknown type', '["PUBLISH",{}]', /^unsupported: unknown message type "PUBLISH"$/],
    ['a numeric type', '[1,2]', /^invalid: message type must be a string$/],
    ['EVENT without an event', '["EVENT"]', /^invalid: EVENT message must be/],
    ['EVENT with a string', '["EVENT","x"]', /^invalid: event must be a JSON object$/],
    ['EVENT without an id', '["EVENT",{"kind":1}]', /^invalid: id must be 64 lowercase hex characters$/],
    ['REQ with a numeric id', '["REQ",5,{}]', /^invalid: REQ subscription id must be a string$/],
    ['COUNT with a null id', '["COUNT",null,{}]', /^invalid: COUNT subscription id must be a string$/],
    ['CLOSE without an id', '["CLOSE"]', /^invalid: CLOSE message must be/],
    ['CLOSE with an object', '["CLOSE",{}]', /^invalid: CLOSE message must be/],
  ])('%s', async (_name, text, pattern) => {
    client.sendRaw(text)
    const frame = await client.next(notice())
    expect(frame[1]).toMatch(pattern)
  })

  test('a binary frame', async () => {
    client.sendRaw(Buffer.from('["REQ","b",{}]'), true)
    expect((await client.next(notice()))[1]).toBe('invalid: binary frames are not supported; send JSON as text')
  })
})

describe('malformed events get OK false with their id', () => {
  const good = () => sign(newKey(), { kind: 1 })
  test.each([
    ['a non-hex id', () => ({ ...good(), id: 'zz' }), 'invalid: id must be 64 lowercase hex characters'],
    ['an uppercase id', () => { const e = good(); return { ...e, id: e.id.toUpperCase() } }, 'invalid: id must be 64 lowercase hex characters'],
    ['a short pubkey', () => ({ ...good(), pubkey: 'ab' }), 'invalid: pubkey must be 64 lowercase hex characters'],
    ['a short sig', () => ({ ...good(), sig: 'ab' }), 'invalid: sig must be 128 lowercase hex characters'],
    ['a string created_at', () => ({ ...good(), created_at: String(nowSeconds()) }), 'invalid: created_at must be a non-negative integer'],
    ['a fractional created_at', () => ({ ...good(), created_at: 1.5 }), 'invalid: created_at must be a non-negative integer'],
    ['kind 70000', () => ({ ...good(), kind: 70000 }), 'invalid: kind must be an integer between 0 and 65535'],
    ['numeric content', () => ({ ...good(), content: 5 }), 'invalid: content must be a string'],
    ['tags as an object', () => ({ ...good(), tags: {} }), 'invalid: tags must be an array'],
    ['a numeric tag item', () => ({ ...good(), tags: [['t', 1]] }), 'invalid: every tag must be an array of strings'],
  ])('%s', async (_name, make, message) => {
    const event = make() as { id: string }
    expect(await client.publish(event)).toEqual({ accepted: false, message })
  })
})

describe('bad REQ and COUNT get CLOSED with a prefix', () => {
  test.each([
    ['an empty subscription id', ['REQ', ''], /^invalid: subscription id must not be empty$/],
    ['no filter', ['REQ', 'nf'], /^invalid: REQ needs at least one filter$/],
    ['a filter that is not an object', ['REQ', 'fo', 5], /^invalid: filter must be a JSON object$/],
    ['non-hex ids', ['REQ', 'hx', { ids: ['abc'] }], /^invalid: filter `ids` must be/],
    ['non-hex authors', ['REQ', 'ha', { authors: ['ABC'] }], /^invalid: filter `authors` must be/],
    ['string kinds', ['REQ', 'sk', { kinds: ['1'] }], /^invalid: filter `kinds` must be/],
    ['a negative limit', ['REQ', 'nl', { limit: -1 }], /^invalid: filter `limit` must be a non-negative integer$/],
    ['a huge limit', ['REQ', 'hl', { limit: 1e20 }], /^invalid: filter `limit` must be a non-negative integer$/],
    ['a fractional since', ['REQ', 'fs', { since: 1.5 }], /^invalid: filter `since` must be/],
    ['a tag filter with numbers', ['REQ', 'tn', { '#e': [1] }], /^invalid: filter `#e` must be an array of strings$/],
    ['a bad COUNT filter', ['COUNT', 'cf', { kinds: [-1] }], /^invalid: filter `kinds` must be/],
  ])('%s', async (_name, message, pattern) => {
    client.send(message)
    const subId = message[1]
    const frame = await client.next((f) => f[0] === 'CLOSED' && f[1] === subId)
    expect(frame[2]).toMatch(pattern)
  })
})

describe('every NIP-11 limit is enforced at the advertised value', () => {
  test('the document advertises the origin limits', () => {
    expect(info.limitation).toMatchObject({
      max_message_length: DefaultLimits.maxMessageLength,
      max_subscriptions: 1024,
      max_filters: 10,
      max_subid_length: 256,
      max_limit: 1000,
      max_event_tags: DefaultLimits.maxEventTags,
      max_content_length: 262_144,
      created_at_lower_limit: 900,
      created_at_upper_limit: 900,
    })
  })

  test('max_message_length: a frame of exactly that many bytes is read, one byte more is refused', async () => {
    const max = info.limitation.max_message_length as number
    const padded = (event: object, size: number) => {
      const text = JSON.stringify(['EVENT', event])
      return `${text.slice(0, -1)}${' '.repeat(size - Buffer.byteLength(text))}]`
    }
    const fits = sign(newKey(), { kind: 1 })
    client.sendRaw(padded(fits, max))
    expect((await client.next((f) => f[0] === 'OK' && f[1] === fits.id))[2]).toBe(true)
    const over = sign(newKey(), { kind: 1 })
    client.sendRaw(padded(over, max + 1))
    const ok = await client.next((f) => f[0] === 'OK' && f[1] === over.id)
    expect(ok.slice(2)).toEqual([false, `invalid: message too large (${max + 1} bytes, max ${max})`])
    expect(await client.ids('o', { ids: [over.id] })).toEqual([])
  })

  test('an oversized REQ is CLOSED and oversized garbage gets a NOTICE', async () => {
    const max = info.limitation.max_message_length as number
    client.send(['REQ', 'big', { '#t': ['x'.repeat(max)] }])
    expect((await client.next((f) => f[0] === 'CLOSED' && f[1] === 'big'))[2]).toMatch(/^invalid: message too large \(\d+ bytes, max \d+\)$/)
    client.sendRaw('x'.repeat(max + 10))
    expect((await client.next(notice()))[1]).toBe(`invalid: message too large (${max + 10} bytes, max ${max})`)
  })

  test('max_subid_length: that many characters work, one more is refused', async () => {
    const max = info.limitation.max_subid_length as number
    const longest = 's'.repeat(max)
    expect((await client.req(longest, { limit: 0 })).closed).toBeUndefined()
    client.send(['CLOSE', longest])
    const tooLong = 's'.repeat(max + 1)
    expect((await client.req(tooLong, { limit: 0 })).closed).toBe(`invalid: subscription id too long (${max + 1} chars, max ${max})`)
  })

  test('max_filters: that many filters work, one more is refused', async () => {
    const max = info.limitation.max_filters as number
    const filters = Array.from({ length: max + 1 }, () => ({ limit: 0 }))
    expect((await client.req('mf', ...filters.slice(0, max))).closed).toBeUndefined()
    expect((await client.req('mf', ...filters)).closed).toBe(`invalid: too many filters (${max + 1}, max ${max})`)
  })

  test('max_event_tags: that many tags are accepted, one more is refused', async () => {
    const max = info.limitation.max_event_tags as number
    const key = newKey()
    const tags = Array.from({ length: max + 1 }, (_, i) => ['t', String(i)])
    const fits = sign(key, { kind: 1, tags: tags.slice(0, max) })
    expect(await client.publish(fits)).toEqual({ accepted: true, message: '' })
    const over = sign(key, { kind: 1, tags })
    expect(await client.publish(over)).toEqual({ accepted: false, message: `invalid: too many tags (${max + 1}, max ${max})` })
  })

  test('max_subscriptions: that many open subscriptions work, one more is refused until one closes', async () => {
    const max = info.limitation.max_subscriptions as number
    const c = await TestClient.connect(relay.url)
    // In rounds no larger than the REQs one connection may have waiting for stored events
    // (maxQueriesPerConnection, a bound of its own, beyond which a REQ is CLOSED rate-limited).
    const round = DefaultLimits.maxQueriesPerConnection
    for (let start = 0; start < max; start += round) {
      const end = Math.min(max, start + round)
      for (let i = start; i < end; i++) c.send(['REQ', `s${i}`, { ids: [sentinel.id] }])
      for (let i = start; i < end; i++) await c.next((f) => f[0] === 'EOSE' && f[1] === `s${i}`)
    }
    expect((await c.req('one-more', { limit: 0 })).closed).toBe(`rate-limited: too many open subscriptions (max ${max}); CLOSE one first`)
    expect((await c.req('s0', { limit: 0 })).closed).toBeUndefined() // replacing an open one is fine
    c.send(['CLOSE', 's1'])
    expect((await c.req('one-more', { limit: 0 })).closed).toBeUndefined()
    c.close()
  })
})

describe('limits that need a smaller configuration to reach over a socket', () => {
  test('max_content_length counts characters (code points) and refuses one more', async () => {
    const small = await startTestRelay({}, { limits: { ...DefaultLimits, maxContentLength: 100 } })
    const c = await TestClient.connect(small.url)
    const key = newKey()
    expect((await c.publish(sign(key, { kind: 1, content: 'x'.repeat(100) }))).accepted).toBe(true)
    expect((await c.publish(sign(key, { kind: 1, content: '🤖'.repeat(100) }))).accepted).toBe(true)
    expect(await c.publish(sign(key, { kind: 1, content: 'x'.repeat(101) }))).toEqual({
      accepted: false,
      message: 'invalid: content too long (101 chars, max 100)',
    })
    c.close()
    await small.close()
  })

  test('max_limit clamps each filter\'s limit and is the default limit', async () => {
    const small = await startTestRelay({}, { limits: { ...DefaultLimits, maxLimit: 3 } })
    const c = await TestClient.connect(small.url)
    const key = newKey()
    const now = nowSeconds()
    const events = Array.from({ length: 5 }, (_, i) => sign(key, { kind: 1, created_at: now - i }))
    for (const e of events) await c.store(e)
    const newest = events.slice(0, 3).map((e) => e.id)
    expect(await c.ids('a', { authors: [key.pk], limit: 1000 })).toEqual(newest)
    expect(await c.ids('b', { authors: [key.pk] })).toEqual(newest)
    expect(await c.count('n', { authors: [key.pk] })).toBe(5)
    c.close()
    await small.close()
  })
})

describe('frames beyond the hard cap', () => {
  test('close the connection without reading them; the relay keeps serving others', async () => {
    const c = await TestClient.connect(relay.url)
    c.sendRaw('x'.repeat(DefaultLimits.hardFrameLength + 1))
    const { code } = await c.closed
    expect(code).not.toBe(1000)
    expect(await client.ids('alive', { ids: [sentinel.id] })).toEqual([sentinel.id])
  })
})
