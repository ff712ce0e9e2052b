import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, nowSeconds, sign, TestClient } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

async function client(): Promise<TestClient> {
  const c = await TestClient.open(relay.url)
  open.push(c)
  return c
}

beforeAll(async () => {
  relay = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await relay.close()
})

describe('NIP-42 is always on (ORIGIN-RELAY.md §1)', () => {
  test('the relay sends a 64-hex challenge on connect', async () => {
    const c = await client()
    expect(await c.challenge()).toMatch(/^[0-9a-f]{64}$/)
  })

  test('EVENT before AUTH is refused with auth-required: not authenticated', async () => {
    const c = await client()
    const ev = sign(newKey(), 1, [], 'hi')
    expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'auth-required: not authenticated'])
  })

  test('REQ before AUTH gets the NOTICE then CLOSED', async () => {
    const c = await client()
    c.send(['REQ', 'early', { kinds: [1] }])
    expect(await c.next((f) => f[0] === 'NOTICE')).toEqual(['NOTICE', 'auth-required: authenticate before subscribing'])
    expect(await c.next((f) => f[0] === 'CLOSED')).toEqual(['CLOSED', 'early', 'auth-required: not authenticated'])
  })

  test('COUNT before AUTH gets CLOSED with the same text', async () => {
    const c = await client()
    expect(await c.count('n', { kinds: [1] })).toEqual(['CLOSED', 'n', 'auth-required: not authenticated'])
  })

  test('a valid AUTH is answered OK true with an empty message and unlocks writes', async () => {
    const c = await client()
    const key = newKey()
    const ok = await c.auth(key, relay.url)
    expect(ok.slice(2)).toEqual([true, ''])
    const ev = sign(key, 1, [], 'after auth')
    expect(await c.publish(ev)).toEqual(['OK', ev.id, true, ''])
  })

  test('the relay tag is compared normalised: localhost reads as 127.0.0.1, a trailing slash is dropped', async () => {
    const port = new URL(relay.url).port
    for (const spelling of [`ws://localhost:${port}`, `ws://127.0.0.1:${port}/`, `WS://LOCALHOST:${port}/`]) {
      const c = await client()
      expect((await c.auth(newKey(), relay.url, { relay: spelling }))[2]).toBe(true)
    }
  })

  test('a wrong relay, a wrong challenge or a created_at 61 s off fails verification, and a failure is final', async () => {
    const cases = [
      { relay: 'ws://127.0.0.1:1' },
      { challenge: 'f'.repeat(64) },
      { createdAt: nowSeconds() - 90 },
      { createdAt: nowSeconds() + 90 },
    ]
    for (const overrides of cases) {
      const c = await client()
      const challenge = await c.challenge()
      const bad = await c.auth(newKey(), relay.url, { challenge, ...overrides })
      expect(bad[2]).toBe(false)
      expect(bad[3]).toBe('auth-required: verification failed')
      const retry = await c.auth(newKey(), relay.url, { challenge })
      expect(retry.slice(2)).toEqual([false, 'auth-required: authentication already failed'])
    }
  })

  test('a created_at within 60 s is accepted', async () => {
    const c = await client()
    expect((await c.auth(newKey(), relay.url, { createdAt: nowSeconds() - 30 }))[2]).toBe(true)
  })

  test('a second AUTH after success is refused: already authenticated', async () => {
    const key = newKey()
    const c = await authed(relay.url, key)
    open.push(c)
    const again = await c.auth(key, relay.url, { challenge: 'x' })
    expect(again.slice(2)).toEqual([false, 'auth-required: already authenticated'])
  })

  test("an EVENT signed by another key is refused; a kind 1059 gift wrap is exempt", async () => {
    const c = await authed(relay.url, newKey())
    open.push(c)
    const other = newKey()
    const note = sign(other, 1, [], 'not mine')
    expect(await c.publish(note)).toEqual(['OK', note.id, false, 'invalid: event pubkey does not match authenticated identity'])
    const wrap = sign(other, 1059, [['p', other.pk]], 'sealed')
    expect(await c.publish(wrap)).toEqual(['OK', wrap.id, true, ''])
  })

  test('kind 22242 sent as EVENT is refused with the EVENT text', async () => {
    const key = newKey()
    const c = await authed(relay.url, key)
    open.push(c)
    const ev = sign(key, 22242, [['relay', relay.url], ['challenge', 'x']])
    expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'invalid: AUTH events cannot be submitted via EVENT'])
  })

  test('NIP-11 says auth_required: true and lists the origin NIPs', async () => {
    const res = await fetch(relay.httpUrl, { headers: { accept: 'application/nostr+json' } })
    const doc = (await res.json()) as { supported_nips: number[]; limitation: Record<string, unknown> }
    expect(doc.limitation['auth_required']).toBe(true)
    expect(doc.supported_nips).toEqual([1, 2, 10, 11, 16, 17, 23, 25, 29, 33, 38, 42, 50])
    expect(doc.limitation).toMatchObject({ max_message_length: 65536, max_subscriptions: 1024, max_filters: 10, max_limit: 10000, max_subid_length: 256 })
  })
})
