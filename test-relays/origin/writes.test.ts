import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, nowSeconds, sign, type Key, type TestClient } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

async function writer(key: Key = newKey()): Promise<{ key: Key; c: TestClient }> {
  const c = await authed(relay.url, key)
  open.push(c)
  return { key, c }
}

beforeAll(async () => {
  relay = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await relay.close()
})

function persona(key: Key, tags: string[][], content = '{}', createdAt = nowSeconds()): NostrEvent {
  return sign(key, 30175, tags, content, createdAt)
}

describe('replaceable and addressable writes (§2)', () => {
  test('an older version, an equal one with a higher id, and an exact re-send all get OK true "duplicate:"', async () => {
    const { key, c } = await writer()
    const t = nowSeconds()
    const head = persona(key, [['d', 'agent']], '{"v":2}', t)
    expect(await c.publish(head)).toEqual(['OK', head.id, true, ''])
    const older = persona(key, [['d', 'agent']], '{"v":1}', t - 10)
    expect(await c.publish(older)).toEqual(['OK', older.id, true, 'duplicate:'])
    expect(await c.publish(head)).toEqual(['OK', head.id, true, 'duplicate:'])
    // Find a same-second twin on either side of the head's id.
    let n = 0
    let twin = persona(key, [['d', 'agent']], `{"n":${n}}`, t)
    while (twin.id < head.id) twin = persona(key, [['d', 'agent']], `{"n":${++n}}`, t)
    expect(await c.publish(twin)).toEqual(['OK', twin.id, true, 'duplicate:'])
    const { events } = await c.req('head', { kinds: [30175], authors: [key.pk], '#d': ['agent'] })
    expect(events.map((e) => e.id)).toEqual([head.id])
  })

  test('a same-second version with a lower id replaces the head', async () => {
    const { key, c } = await writer()
    const t = nowSeconds()
    const first = persona(key, [['d', 'tie']], '{"a":0}', t)
    await c.publish(first)
    let n = 0
    let lower = persona(key, [['d', 'tie']], `{"b":${n}}`, t)
    while (lower.id > first.id) lower = persona(key, [['d', 'tie']], `{"b":${++n}}`, t)
    expect(await c.publish(lower)).toEqual(['OK', lower.id, true, ''])
    const { events } = await c.req('tie', { kinds: [30175], authors: [key.pk] })
    expect(events.map((e) => e.id)).toEqual([lower.id])
  })

  test('duplicate detection runs last: a re-send with a broken signature is refused, not a duplicate', async () => {
    const { key, c } = await writer()
    const ev = sign(key, 1, [], 'x', nowSeconds())
    await c.publish(ev)
    const badSig = { ...ev, sig: '0'.repeat(128) }
    expect((await c.publish(badSig))[3]).toBe('invalid: invalid schnorr signature')
  })

  test('replacement keys on (kind, pubkey, d): two slugs coexist, the h tag plays no part', async () => {
    const { key, c } = await writer()
    const channel = crypto.randomUUID()
    const a = persona(key, [['d', 'one'], ['h', channel]])
    const b = persona(key, [['d', 'two']])
    expect((await c.publish(a))[2]).toBe(true)
    expect((await c.publish(b))[2]).toBe(true)
    const { events } = await c.req('both', { kinds: [30175], authors: [key.pk] })
    expect(events.map((e) => e.id).sort()).toEqual([a.id, b.id].sort())
  })
})

describe('personas (§3)', () => {
  const cases: Array<[string, string[][], string]> = [
    ['no d tag', [], 'invalid: persona event must have exactly one `d` tag (got 0)'],
    ['a bare ["d"] is not counted', [['d']], 'invalid: persona event must have exactly one `d` tag (got 0)'],
    ['two d tags', [['d', 'a'], ['d', 'b']], 'invalid: persona event must have exactly one `d` tag (got 2)'],
    ['empty d', [['d', '']], 'invalid: persona event `d` tag must not be empty'],
    ['65 bytes', [['d', 'a'.repeat(65)]], 'invalid: persona event `d` tag too long (65 chars, max 64)'],
    ['upper-case first', [['d', 'Agent']], 'invalid: persona event `d` tag must start with a lowercase letter or digit'],
    ['dash first', [['d', '-agent']], 'invalid: persona event `d` tag must start with a lowercase letter or digit'],
    ['slash later', [['d', 'a/b']], 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character'],
    ['too long wins over grammar', [['d', 'A'.repeat(70)]], 'invalid: persona event `d` tag too long (70 chars, max 64)'],
  ]
  for (const [name, tags, text] of cases) {
    test(`refuses ${name} with the exact text`, async () => {
      const { key, c } = await writer()
      const ev = persona(key, tags)
      expect(await c.publish(ev)).toEqual(['OK', ev.id, false, text])
    })
  }

  test('accepts a 64-byte slug with _ and - and content that is not JSON', async () => {
    const { key, c } = await writer()
    const ev = persona(key, [['d', `0${'a_-'.repeat(21)}`]], 'plain text, not JSON')
    expect(await c.publish(ev)).toEqual(['OK', ev.id, true, ''])
  })

  test('a persona with a UUID h tag is stored globally: any user reads it, a REQ on that channel does not', async () => {
    const { key, c } = await writer()
    const channel = crypto.randomUUID()
    const ev = persona(key, [['d', 'scoped'], ['h', channel]])
    expect((await c.publish(ev))[2]).toBe(true)
    const reader = await writer()
    const { events } = await reader.c.req('g', { kinds: [30175], authors: [key.pk] })
    expect(events.map((e) => e.id)).toEqual([ev.id])
    const scoped = await reader.c.req('h', { kinds: [30175], '#h': [channel] })
    expect(scoped.closed?.[2]).toBe('restricted: not a channel member')
  })

  test('a non-UUID h tag on a persona still matches #h by tag', async () => {
    const { key, c } = await writer()
    const ev = persona(key, [['d', 'tagged'], ['h', 'general']])
    await c.publish(ev)
    const { events } = await c.req('byh', { kinds: [30175], '#h': ['general'] })
    expect(events.map((e) => e.id)).toEqual([ev.id])
  })
})

describe('limits (§6)', () => {
  test('created_at ±900 s passes, ±901 s is refused', async () => {
    const { key, c } = await writer()
    for (const offset of [900, -900]) {
      const ev = sign(key, 1, [], `edge ${offset}`, nowSeconds() + offset)
      expect((await c.publish(ev))[2]).toBe(true)
    }
    for (const offset of [905, -905]) {
      const ev = sign(key, 1, [], `out ${offset}`, nowSeconds() + offset)
      expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'invalid: event timestamp too far from server time'])
    }
  })

  test('content over 262,144 bytes is refused; exactly 262,144 is not (over HTTP, the frame limit is 64 KiB)', async () => {
    const { key } = await writer()
    const { post } = await import('./test-client.ts')
    const big = sign(key, 1, [], 'x'.repeat(262_145))
    const refused = await post(relay.httpUrl, '/events', JSON.stringify(big), key)
    expect(refused.status).toBe(400)
    expect(refused.body).toEqual({ error: 'invalid: content exceeds maximum size of 262144 bytes (got 262145)' })
    const edge = sign(key, 1, [], 'x'.repeat(262_144))
    expect((await post(relay.httpUrl, '/events', JSON.stringify(edge), key)).status).toBe(200)
  })

  test('kind 11 and other unlisted kinds are restricted: unknown event kind', async () => {
    const { key, c } = await writer()
    for (const kind of [11, 2, 1111, 31234]) {
      const ev = sign(key, kind, [['h', crypto.randomUUID()]], 'x')
      expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'restricted: unknown event kind'])
    }
  })

  test('an addressable d tag over 1,024 bytes is refused (non-persona kind)', async () => {
    const { key, c } = await writer()
    const ev = sign(key, 30023, [['d', 'x'.repeat(1025)]], 'article')
    expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'invalid: d tag too long (1025 bytes, max 1024)'])
  })
})
