/**
 * Every queue between a client and storage has a bound, and meeting it gets a prefixed
 * answer at once instead of memory that grows: EVENTs waiting for OK per connection and
 * relay-wide, REQ/COUNT waiting for stored events per connection and relay-wide. Verification
 * and reads are held back here by gates, so the queues fill deterministically.
 */

import { afterEach, describe, expect, test } from 'vitest'
import { DefaultLimits, type Limits } from '../src/config.ts'
import type { RelayInternals, RelayParts } from '../src/relay.ts'
import { MemoryBackend } from '../src/storage/memory-backend.ts'
import { Gate, newKey, sign, startTestRelay, TestClient } from './helpers.ts'
import { request } from './http-helpers.ts'

const verifying = new Gate()
const reading = new Gate()

const heldParts: RelayParts = {
  wrapVerifier: (verifier) => ({
    name: verifier.name,
    verify: async (events) => {
      await verifying.passed()
      return verifier.verify(events)
    },
    close: () => verifier.close(),
  }),
  openStore: async () => {
    const inner = new MemoryBackend()
    return {
      backend: 'memory (reads held by the test)',
      writer: inner.writer,
      reader: {
        read: async (query) => {
          await reading.passed()
          return inner.reader.read(query)
        },
        count: async (filters) => {
          await reading.passed()
          return inner.reader.count(filters)
        },
      },
      close: () => inner.close(),
    }
  },
}

const open: Array<{ close(): unknown }> = []
afterEach(async () => {
  verifying.open()
  reading.open()
  for (const thing of open.splice(0).reverse()) await thing.close()
})

async function relayWith(limits: Partial<Limits>): Promise<RelayInternals> {
  const relay = await startTestRelay({ httpAuth: 'none' }, { limits: { ...DefaultLimits, ...limits } }, heldParts)
  open.push(relay)
  return relay
}

async function client(relay: RelayInternals): Promise<TestClient> {
  const c = await TestClient.connect(relay.url)
  open.push(c)
  return c
}

const okFor = (c: TestClient, id: string) => c.next((f) => f[0] === 'OK' && f[1] === id)

/** Every frame this client sent before has been handled (the relay answers a bad frame in order). */
async function noticed(c: TestClient): Promise<void> {
  c.sendRaw('not json')
  await c.notice()
}

describe('EVENTs waiting for OK', () => {
  test('one connection beyond its bound is answered rate-limited at once; the others still get their OK', async () => {
    const relay = await relayWith({ maxEventsPerConnection: 2 })
    const c = await client(relay)
    const other = await client(relay)
    const key = newKey()
    const [a, b, d] = [1, 2, 3].map((n) => sign(key, { kind: 1, content: `e${n}` })) as [ReturnType<typeof sign>, ReturnType<typeof sign>, ReturnType<typeof sign>]
    verifying.close()
    c.send(['EVENT', a])
    c.send(['EVENT', b])
    c.send(['EVENT', d])
    expect(await okFor(c, d.id)).toEqual([
      'OK',
      d.id,
      false,
      'rate-limited: too many EVENTs waiting for OK on this connection (max 2); wait for OK before sending more',
    ])
    // Another connection has a bound of its own.
    const e = sign(key, { kind: 1, content: 'other connection' })
    other.send(['EVENT', e])
    verifying.open()
    expect((await okFor(c, a.id)).slice(2)).toEqual([true, ''])
    expect((await okFor(c, b.id)).slice(2)).toEqual([true, ''])
    expect((await okFor(other, e.id)).slice(2)).toEqual([true, ''])
    // The bound frees as answers go out.
    expect(await c.publish(d)).toEqual({ accepted: true, message: '' })
  })

  test('the relay-wide bound holds across connections and the HTTP bridge', async () => {
    const relay = await relayWith({ maxEventsInFlight: 2 })
    const [c1, c2] = [await client(relay), await client(relay)]
    const key = newKey()
    const events = [1, 2, 3, 4].map((n) => sign(key, { kind: 1, content: `w${n}` }))
    verifying.close()
    c1.send(['EVENT', events[0]])
    await noticed(c1) // its EVENT is in
    c2.send(['EVENT', events[1]])
    const busy = 'rate-limited: the relay has too many events waiting for verification or storage; try again shortly'
    c2.send(['EVENT', events[2]])
    expect(await okFor(c2, (events[2] as { id: string }).id)).toEqual(['OK', (events[2] as { id: string }).id, false, busy])
    const http = await request(relay.httpUrl, '/events', events[3], { key: null })
    expect(http.status).toBe(400)
    expect(http.json).toEqual({ error: busy })
    verifying.open()
    expect((await okFor(c1, (events[0] as { id: string }).id)).slice(2)).toEqual([true, ''])
    expect((await okFor(c2, (events[1] as { id: string }).id)).slice(2)).toEqual([true, ''])
  })
})

describe('REQ and COUNT waiting for stored events', () => {
  test('one connection beyond its bound gets CLOSED rate-limited; the REQs before it are answered', async () => {
    const relay = await relayWith({ maxQueriesPerConnection: 2 })
    const c = await client(relay)
    reading.close()
    c.send(['REQ', 'a', { limit: 1 }])
    c.send(['COUNT', 'b', { limit: 1 }])
    c.send(['REQ', 'c', { limit: 1 }])
    expect(await c.next((f) => f[1] === 'c')).toEqual([
      'CLOSED',
      'c',
      'rate-limited: too many REQ/COUNT waiting for stored events on this connection (max 2)',
    ])
    reading.open()
    expect(await c.next((f) => f[0] === 'EOSE' && f[1] === 'a')).toEqual(['EOSE', 'a'])
    expect(await c.next((f) => f[0] === 'COUNT' && f[1] === 'b')).toEqual(['COUNT', 'b', { count: 0 }])
  })

  test('the relay-wide bound holds across connections and the HTTP bridge (429)', async () => {
    const relay = await relayWith({ maxQueriesInFlight: 1 })
    const [c1, c2] = [await client(relay), await client(relay)]
    reading.close()
    c1.send(['REQ', 'first', { limit: 1 }])
    await noticed(c1) // the REQ is in
    c2.send(['REQ', 'second', { limit: 1 }])
    expect(await c2.next((f) => f[1] === 'second')).toEqual([
      'CLOSED',
      'second',
      'rate-limited: the relay is answering too many queries; try again shortly',
    ])
    const http = await request(relay.httpUrl, '/query', [{ limit: 1 }], { key: null })
    expect(http.status).toBe(429)
    expect(http.json).toEqual({ error: 'rate-limited: the relay is answering too many queries; try again shortly' })
    reading.open()
    expect(await c1.next((f) => f[0] === 'EOSE')).toEqual(['EOSE', 'first'])
  })
})
