/** NIP-01 over a real socket: OK for every EVENT, REQ/EOSE/live/CLOSE, filters, kind classes. */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RelayInternals } from '../src/relay.ts'
import { newKey, nowSeconds, sign, startTestRelay, TestClient } from './helpers.ts'

let relay: RelayInternals
let client: TestClient

beforeAll(async () => {
  relay = await startTestRelay()
  client = await TestClient.connect(relay.url)
})
afterAll(async () => {
  client.close()
  await relay.close()
})

describe('EVENT', () => {
  test('a valid event is answered OK true with an empty message and is then served', async () => {
    const e = sign(newKey(), { kind: 1, content: 'hello' })
    expect(await client.publish(e)).toEqual({ accepted: true, message: '' })
    expect(await client.ids('q', { ids: [e.id] })).toEqual([e.id])
  })

  test('an identical re-send is OK true with a duplicate: message', async () => {
    const e = sign(newKey(), { kind: 1 })
    await client.store(e)
    expect(await client.publish(e)).toEqual({ accepted: true, message: 'duplicate: already have this event' })
  })

  test('a forged signature is refused with invalid: and not stored', async () => {
    const e = sign(newKey(), { kind: 1 })
    const forged = { ...e, sig: (e.sig[0] === '0' ? '1' : '0') + e.sig.slice(1) }
    expect(await client.publish(forged)).toEqual({ accepted: false, message: 'invalid: signature does not verify' })
    expect(await client.ids('q', { ids: [e.id] })).toEqual([])
  })

  test('an id that is not the hash of the fields is refused', async () => {
    const e = sign(newKey(), { kind: 1, content: 'original' })
    const tampered = { ...e, content: 'changed' }
    expect(await client.publish(tampered)).toEqual({
      accepted: false,
      message: 'invalid: event id does not match the hash of its fields',
    })
  })

  test('a signature by another key is refused', async () => {
    const e = sign(newKey(), { kind: 1 })
    const other = sign(newKey(), { kind: 1 })
    expect((await client.publish({ ...e, sig: other.sig })).message).toBe('invalid: signature does not verify')
  })

  test('every EVENT gets its own OK, in a burst too', async () => {
    const key = newKey()
    const events = Array.from({ length: 30 }, (_, i) => sign(key, { kind: 1, content: `n${i}` }))
    for (const e of events) client.send(['EVENT', e])
    for (const e of events) {
      const ok = await client.next((f) => f[0] === 'OK' && f[1] === e.id)
      expect(ok[2]).toBe(true)
    }
  })
})

describe('REQ, EOSE, live events and CLOSE', () => {
  test('stored events, then EOSE, then live events until CLOSE', async () => {
    const key = newKey()
    const before = sign(key, { kind: 1, content: 'before' })
    await client.store(before)
    const { events } = await client.req('live', { authors: [key.pk] })
    expect(events.map((e) => e.id)).toEqual([before.id])

    const after = sign(key, { kind: 1, content: 'after' })
    await client.store(after)
    expect((await client.live('live')).id).toBe(after.id)

    client.send(['CLOSE', 'live'])
    const late = sign(key, { kind: 1, content: 'late' })
    const watcher = await TestClient.connect(relay.url)
    await watcher.req('w', { authors: [key.pk] })
    await client.store(late)
    // The watcher sees `late`, so its fan-out is over; a COUNT answer on this connection
    // comes after anything fanned out to it before, so the closed sub got nothing.
    expect((await watcher.live('w')).id).toBe(late.id)
    await client.count('barrier', { limit: 0 })
    expect(client.pending().filter((f) => f[0] === 'EVENT' && f[1] === 'live')).toEqual([])
    watcher.close()
  })

  test('a REQ with an existing id replaces the subscription', async () => {
    const a = newKey()
    const b = newKey()
    await client.req('swap', { authors: [a.pk] })
    await client.req('swap', { authors: [b.pk] })
    await client.store(sign(a, { kind: 1 }))
    const fromB = sign(b, { kind: 1 })
    await client.store(fromB)
    expect((await client.live('swap')).id).toBe(fromB.id)
    client.send(['CLOSE', 'swap'])
  })

  test('live events honour since and until but not limit', async () => {
    const key = newKey()
    const now = nowSeconds()
    await client.req('window', { authors: [key.pk], since: now - 10, until: now + 10, limit: 0 })
    const outside = sign(key, { kind: 1, created_at: now - 20 })
    const inside = sign(key, { kind: 1, created_at: now })
    await client.store(outside)
    await client.store(inside)
    expect((await client.live('window')).id).toBe(inside.id)
    client.send(['CLOSE', 'window'])
  })
})

describe('filters', () => {
  test('ids, authors, kinds and tags; a filter with several conditions needs all of them', async () => {
    const key = newKey()
    const other = newKey()
    const tagged = sign(key, { kind: 7, tags: [['t', 'nip-ap-filters']] })
    const plain = sign(key, { kind: 1 })
    const foreign = sign(other, { kind: 7, tags: [['t', 'nip-ap-filters']] })
    for (const e of [tagged, plain, foreign]) await client.store(e)
    expect(await client.ids('a', { authors: [key.pk] })).toEqual(expect.arrayContaining([tagged.id, plain.id]))
    expect((await client.ids('a', { authors: [key.pk] })).length).toBe(2)
    expect(await client.ids('k', { authors: [key.pk], kinds: [7] })).toEqual([tagged.id])
    expect((await client.ids('t', { '#t': ['nip-ap-filters'] })).sort()).toEqual([tagged.id, foreign.id].sort())
    expect(await client.ids('i', { ids: [plain.id, foreign.id], authors: [key.pk] })).toEqual([plain.id])
  })

  test('since and until are inclusive', async () => {
    const key = newKey()
    const now = nowSeconds()
    const es = [now - 30, now - 20, now - 10].map((created_at) => sign(key, { kind: 1, created_at }))
    for (const e of es) await client.store(e)
    const ids = await client.ids('r', { authors: [key.pk], since: now - 20, until: now - 10 })
    expect(ids).toEqual([es[2]?.id, es[1]?.id])
  })

  test('results are newest first, equal created_at lowest id first, and limit keeps the newest', async () => {
    const key = newKey()
    const now = nowSeconds()
    const tied = [1, 2, 3].map((n) => sign(key, { kind: 1, created_at: now - 5, content: `t${n}` }))
    const newer = sign(key, { kind: 1, created_at: now })
    const older = sign(key, { kind: 1, created_at: now - 50 })
    for (const e of [older, ...tied, newer]) await client.store(e)
    const tiedIds = tied.map((e) => e.id).sort()
    expect(await client.ids('o', { authors: [key.pk] })).toEqual([newer.id, ...tiedIds, older.id])
    expect(await client.ids('l', { authors: [key.pk], limit: 2 })).toEqual([newer.id, tiedIds[0]])
    expect(await client.ids('z', { authors: [key.pk], limit: 0 })).toEqual([])
  })

  test('several filters are OR-ed without duplicates, each with its own limit', async () => {
    const key = newKey()
    const now = nowSeconds()
    const a = sign(key, { kind: 1, created_at: now - 2 })
    const b = sign(key, { kind: 2, created_at: now - 1 })
    const c = sign(key, { kind: 1, created_at: now })
    for (const e of [a, b, c]) await client.store(e)
    const ids = await client.ids('or', { authors: [key.pk], kinds: [1], limit: 1 }, { authors: [key.pk] }, { ids: [c.id] })
    expect(ids).toEqual([c.id, b.id, a.id])
    expect(await client.ids('or2', { authors: [key.pk], kinds: [1], limit: 1 }, { authors: [key.pk], kinds: [2] })).toEqual([
      c.id,
      b.id,
    ])
  })
})

describe('kind classes', () => {
  test('ephemeral events are fanned out and never stored', async () => {
    const key = newKey()
    await client.req('eph', { authors: [key.pk] })
    const e = sign(key, { kind: 20001, content: 'now or never' })
    expect(await client.publish(e)).toEqual({ accepted: true, message: '' })
    expect((await client.live('eph')).id).toBe(e.id)
    client.send(['CLOSE', 'eph'])
    expect(await client.ids('eph2', { ids: [e.id] })).toEqual([])
  })

  test('replaceable kinds keep only the newest version; a stale one is a duplicate', async () => {
    const key = newKey()
    const now = nowSeconds()
    const old = sign(key, { kind: 0, created_at: now - 10, content: '{"name":"old"}' })
    const fresh = sign(key, { kind: 0, created_at: now, content: '{"name":"new"}' })
    await client.store(old)
    await client.store(fresh)
    expect(await client.ids('p', { authors: [key.pk], kinds: [0] })).toEqual([fresh.id])
    expect(await client.ids('p', { ids: [old.id] })).toEqual([])
    const stale = sign(key, { kind: 0, created_at: now - 5 })
    const answer = await client.publish(stale)
    expect(answer.accepted).toBe(true)
    expect(answer.message).toMatch(/^duplicate: /)
  })

  test('regular kinds are all kept', async () => {
    const key = newKey()
    const es = [1, 2, 3].map((n) => sign(key, { kind: 1, content: `r${n}` }))
    for (const e of es) await client.store(e)
    expect((await client.ids('reg', { authors: [key.pk] })).length).toBe(3)
  })
})

describe('COUNT (NIP-45)', () => {
  test('counts distinct matching events across filters', async () => {
    const key = newKey()
    const es = [1, 1, 2].map((kind, i) => sign(key, { kind, content: `c${i}` }))
    for (const e of es) await client.store(e)
    expect(await client.count('c', { authors: [key.pk] })).toBe(3)
    expect(await client.count('c', { authors: [key.pk], kinds: [1] }, { authors: [key.pk], kinds: [1, 2] })).toBe(3)
    expect(await client.count('c', { authors: [key.pk], kinds: [2] })).toBe(1)
    expect(await client.count('c', { authors: [newKey().pk] })).toBe(0)
  })

  test('a bad COUNT is answered CLOSED with a prefix', async () => {
    expect(await client.count('c', { ids: ['nothex'] })).toMatch(/^invalid: /)
  })
})
