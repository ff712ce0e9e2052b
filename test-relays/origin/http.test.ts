import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, nip98, nowSeconds, post, sign, type Key, type TestClient } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

beforeAll(async () => {
  relay = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await relay.close()
})

const ids = (body: unknown): string[] => (body as NostrEvent[]).map((e) => e.id)

describe('routes (§7)', () => {
  test('GET / with Accept: application/nostr+json, GET /info and plain GET / serve NIP-11; /health says ok', async () => {
    for (const [path, headers] of [['/', { accept: 'application/nostr+json' }], ['/info', {}], ['/', {}]] as const) {
      const res = await fetch(`${relay.httpUrl}${path}`, { headers })
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      expect(((await res.json()) as { limitation: { auth_required: boolean } }).limitation.auth_required).toBe(true)
    }
    const health = await fetch(`${relay.httpUrl}/health`)
    expect([health.status, await health.text()]).toEqual([200, 'ok'])
  })

  test('unknown paths are 404 and wrong methods 405', async () => {
    expect((await fetch(`${relay.httpUrl}/nope`)).status).toBe(404)
    expect((await fetch(`${relay.httpUrl}/events`)).status).toBe(405)
  })
})

describe('bridge auth (§7)', () => {
  const body = '[{"kinds":[1],"limit":1}]'
  const u = () => `${relay.httpUrl}/query`

  test('each 401 body', async () => {
    const key = newKey()
    const bad = sign(key, 27235, [['u', u()], ['method', 'POST']])
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'missing Nostr auth'],
      [{ authorization: 'Bearer abc' }, 'missing Nostr auth'],
      [{ authorization: 'Nostr !!!' }, 'invalid base64 in Nostr auth'],
      [{ authorization: `Nostr ${Buffer.from('{"kind":27235}').toString('base64')}` }, 'invalid NIP-98 event JSON'],
      [{ authorization: `Nostr ${Buffer.from(JSON.stringify({ ...bad, sig: '0'.repeat(128) })).toString('base64')}` }, 'NIP-98: NIP-98 HTTP Auth verification failed: invalid Schnorr signature'],
      [{ authorization: `Nostr ${Buffer.from(JSON.stringify(sign(key, 1, [['u', u()], ['method', 'POST']]))).toString('base64')}` }, 'NIP-98: NIP-98 HTTP Auth verification failed: expected kind 27235, got 1'],
      [{ authorization: nip98(key, `${relay.httpUrl}/count`, 'POST') }, `NIP-98: NIP-98 HTTP Auth verification failed: URL mismatch: event has \`${relay.httpUrl}/count\`, expected \`${u()}\``],
      [{ authorization: nip98(key, u(), 'GET') }, 'NIP-98: NIP-98 HTTP Auth verification failed: method mismatch: event has `GET`, expected `POST`'],
      [{ authorization: nip98(key, u(), 'POST', 'another body') }, 'NIP-98: NIP-98 HTTP Auth verification failed: payload tag SHA-256 mismatch: request body does not match signed hash'],
      [{ 'x-pubkey': 'xyz' }, 'invalid X-Pubkey hex'],
    ]
    for (const [headers, error] of cases) {
      const res = await post(relay.httpUrl, '/query', body, headers)
      expect([res.status, res.body], JSON.stringify(headers)).toEqual([401, { error }])
    }
    const stale = await post(relay.httpUrl, '/query', body, { authorization: nip98(key, u(), 'POST', body, nowSeconds() - 100) })
    expect(stale.status).toBe(401)
    expect((stale.body as { error: string }).error).toMatch(/^NIP-98: NIP-98 HTTP Auth verification failed: event timestamp outside ±60s window \(delta: 10\ds\)$/)
  })

  test('localhost in the u tag reads as 127.0.0.1; the same auth event twice is a replay', async () => {
    const key = newKey()
    const port = new URL(relay.httpUrl).port
    const authorization = nip98(key, `http://localhost:${port}/query/`, 'POST', body)
    expect((await post(relay.httpUrl, '/query', body, { authorization })).status).toBe(200)
    const again = await post(relay.httpUrl, '/query', body, { authorization })
    expect([again.status, again.body]).toEqual([401, { error: 'NIP-98: replay detected' }])
  })

  test('X-Pubkey without a signature is accepted; every bridge route needs auth', async () => {
    const key = newKey()
    expect((await post(relay.httpUrl, '/count', body, { 'x-pubkey': key.pk })).body).toEqual({ count: expect.any(Number) })
    for (const path of ['/events', '/query', '/count']) {
      expect((await post(relay.httpUrl, path, '{}', {})).status).toBe(401)
    }
  })

  test('auth runs before the body is parsed; 413 comes before auth', async () => {
    expect((await post(relay.httpUrl, '/events', 'not json', {})).status).toBe(401)
    const big = 'x'.repeat(1024 * 1024 + 1)
    const res = await post(relay.httpUrl, '/events', big, {})
    expect(res.status).toBe(413)
  })
})

describe('POST /events statuses (§7)', () => {
  test('200 for accepted and duplicate:, 400 for bad JSON and refusals, 403 for another pubkey', async () => {
    const key = newKey()
    const ev = sign(key, 1, [], 'over http')
    const first = await post(relay.httpUrl, '/events', JSON.stringify(ev), key)
    expect([first.status, first.body]).toEqual([200, { event_id: ev.id, accepted: true, message: '' }])
    const again = await post(relay.httpUrl, '/events', JSON.stringify(ev), key)
    expect([again.status, again.body]).toEqual([200, { event_id: ev.id, accepted: true, message: 'duplicate:' }])
    const garbage = await post(relay.httpUrl, '/events', '{"id":1}', key)
    expect(garbage.status).toBe(400)
    expect((garbage.body as { error: string }).error).toMatch(/^invalid event JSON: /)
    const persona = sign(key, 30175, [['d', 'Bad']], '{}')
    expect(await post(relay.httpUrl, '/events', JSON.stringify(persona), key)).toMatchObject({ status: 400, body: { error: 'invalid: persona event `d` tag must start with a lowercase letter or digit' } })
    const k11 = sign(key, 11, [], 'thread')
    expect(await post(relay.httpUrl, '/events', JSON.stringify(k11), key)).toMatchObject({ status: 400, body: { error: 'restricted: unknown event kind' } })
    const theirs = sign(newKey(), 1, [], 'not mine')
    expect(await post(relay.httpUrl, '/events', JSON.stringify(theirs), key)).toMatchObject({ status: 403, body: { error: 'invalid: event pubkey does not match authenticated identity' } })
    const wrap = sign(key, 1059, [], 'x')
    expect(await post(relay.httpUrl, '/events', JSON.stringify(wrap), key)).toMatchObject({ status: 400, body: { error: 'invalid: kind 1059 is only accepted via WebSocket' } })
  })
})

describe('POST /query (§7)', () => {
  async function channelWithThread(): Promise<{ key: Key; channel: string; root: NostrEvent; r1: NostrEvent; r2: NostrEvent }> {
    const key = newKey()
    const c = await authed(relay.url, key)
    open.push(c)
    const channel = crypto.randomUUID()
    await c.publish(sign(key, 9007, [['h', channel], ['name', 't']]))
    const root = sign(key, 9, [['h', channel]], 'root')
    await c.publish(root)
    const r1 = sign(key, 9, [['h', channel], ['e', root.id, '', 'reply']], 'r1')
    await c.publish(r1)
    const r2 = sign(key, 9, [['h', channel], ['e', root.id, '', 'root'], ['e', r1.id, '', 'reply']], 'r2')
    await c.publish(r2)
    return { key, channel, root, r1, r2 }
  }

  test('several filters are concatenated without removing repeats', async () => {
    const key = newKey()
    const ev = sign(key, 1, [], 'twice')
    await post(relay.httpUrl, '/events', JSON.stringify(ev), key)
    const f = { kinds: [1], authors: [key.pk] }
    const res = await post(relay.httpUrl, '/query', JSON.stringify([f, f]), key)
    expect(ids(res.body)).toEqual([ev.id, ev.id])
  })

  test('a kindless filter is refused 403 with the HTTP text', async () => {
    const key = newKey()
    const res = await post(relay.httpUrl, '/query', JSON.stringify([{ authors: [key.pk] }]), key)
    expect([res.status, res.body]).toEqual([403, { error: 'restricted: p-gated kinds require #p tag matching your pubkey' }])
  })

  test('a thread query returns the replies, never the root; depth_limit bounds depth and 0 returns nothing', async () => {
    const t = await channelWithThread()
    const q = (extra: Record<string, unknown>) => post(relay.httpUrl, '/query', JSON.stringify([{ kinds: [1], '#e': [t.root.id], ...extra }]), t.key)
    expect(ids((await q({ depth_limit: 5 })).body).sort()).toEqual([t.r1.id, t.r2.id].sort())
    expect(ids((await q({ depth_limit: 1 })).body)).toEqual([t.r1.id])
    expect(ids((await q({ depth_limit: 0 })).body)).toEqual([])
    expect(ids((await q({ depth_limit: 5, limit: 1 })).body)).toHaveLength(1)
    // kinds, authors, since and until are ignored by a thread query.
    expect(ids((await q({ depth_limit: 5, authors: [newKey().pk], until: 1 })).body)).toHaveLength(2)
  })

  test('a thread filter passes the read gates first: without kinds or #p naming the reader the whole query is 403', async () => {
    const t = await channelWithThread()
    const res = await post(relay.httpUrl, '/query', JSON.stringify([{ '#e': [t.root.id], depth_limit: 5 }]), t.key)
    expect([res.status, res.body]).toEqual([403, { error: 'restricted: p-gated kinds require #p tag matching your pubkey' }])
    const withP = await post(relay.httpUrl, '/query', JSON.stringify([{ '#p': [t.key.pk], '#e': [t.root.id], depth_limit: 5 }]), t.key)
    expect(ids(withP.body)).toHaveLength(2)
  })

  test('without a usable depth_limit or with other than one #e, the filter runs as an ordinary filter', async () => {
    const t = await channelWithThread()
    const run = async (f: Record<string, unknown>) => ids((await post(relay.httpUrl, '/query', JSON.stringify([f]), t.key)).body)
    const ordinary = [t.r1.id] // only r1 carries ["e", root, ...] at index 1 with the root id
    expect(await run({ kinds: [9], '#e': [t.root.id], depth_limit: '5' })).toEqual(expect.arrayContaining(ordinary))
    expect(await run({ kinds: [9], '#e': [t.root.id], depth_limit: -1 })).toEqual(expect.arrayContaining(ordinary))
    expect(await run({ kinds: [9], '#e': [t.root.id], depth_limit: 2.5 })).toEqual(expect.arrayContaining(ordinary))
    expect(await run({ kinds: [9], '#e': [t.root.id, t.r1.id], depth_limit: 5 })).toEqual(expect.arrayContaining([t.r1.id, t.r2.id]))
    // An ordinary filter honours kinds: the thread pass would have returned the replies.
    expect(await run({ kinds: [1], '#e': [t.root.id], depth_limit: '5' })).toEqual([])
  })

  test('passes run thread filters before ordinary ones whatever their position', async () => {
    const t = await channelWithThread()
    const res = await post(relay.httpUrl, '/query', JSON.stringify([{ kinds: [9], ids: [t.root.id] }, { kinds: [1], '#e': [t.root.id], depth_limit: 1 }]), t.key)
    expect(ids(res.body)).toEqual([t.r1.id, t.root.id])
  })

  test('a feed filter runs first', async () => {
    const t = await channelWithThread()
    const res = await post(relay.httpUrl, '/query', JSON.stringify([{ kinds: [9], ids: [t.root.id] }, { kinds: [9], feed_types: ['activity'], limit: 1 }]), t.key)
    expect(res.status).toBe(200)
    const got = ids(res.body)
    expect(got).toHaveLength(2)
    expect(got[1]).toBe(t.root.id)
  })

  test('POST /count answers {"count": n}', async () => {
    const t = await channelWithThread()
    const res = await post(relay.httpUrl, '/count', JSON.stringify([{ kinds: [9], '#h': [t.channel] }]), t.key)
    expect(res.body).toEqual({ count: 3 })
  })
})
