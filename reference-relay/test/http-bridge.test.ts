/**
 * The HTTP bridge over real HTTP on 127.0.0.1: every status code and its precedence, the
 * response shapes, CORS, NIP-98 (every failure reason), Host and --public-url, auth off,
 * and events crossing between the WebSocket and HTTP doors.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { finalizeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../../spec/model/event.ts'
import { buildHttpAuthEvent, encodeHttpAuthHeader, HttpAuthRefusals, HttpAuthWindowSeconds, payloadHash } from '../../spec/model/http-auth.ts'
import type { RelayInternals } from '../src/relay.ts'
import { type Key, newKey, nowSeconds, persona, sign, startTestRelay, TestClient } from './helpers.ts'
import { authHeader, rawRequest, request, requestAnsweredEarly } from './http-helpers.ts'

const MiB = 1_048_576
let relay: RelayInternals
let ws: TestClient
const client = newKey()
const author = newKey()

beforeAll(async () => {
  relay = await startTestRelay()
  ws = await TestClient.connect(relay.url)
})
afterAll(async () => {
  ws.close()
  await relay.close()
})

/** The seven fields only (nostr-tools marks signed objects with a symbol key). */
const plain = (event: NostrEvent): NostrEvent => JSON.parse(JSON.stringify(event)) as NostrEvent

const post = (path: string, body?: unknown, options: Parameters<typeof request>[3] = {}) =>
  request(relay.httpUrl, path, body, { key: client, ...options })

describe('POST /events', () => {
  test('accepted: 200 {event_id, accepted: true, message}, JSON with CORS', async () => {
    const event = sign(author, { kind: 1, content: 'via http' })
    const reply = await post('/events', event)
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({ event_id: event.id, accepted: true, message: '' })
    expect(reply.headers['content-type']).toBe('application/json')
    expect(reply.headers['access-control-allow-origin']).toBe('*')
  })

  test('an event already held: 200 accepted with a duplicate: message', async () => {
    const event = sign(author, { kind: 1, content: 'twice' })
    await post('/events', event)
    const reply = await post('/events', event)
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({ event_id: event.id, accepted: true, message: 'duplicate: already have this event' })
  })

  test('a stale persona version: 200 accepted with a duplicate: message, and not stored', async () => {
    const key = newKey()
    const now = nowSeconds()
    const fresh = persona(key, 'stale-http', now)
    const old = persona(key, 'stale-http', now - 10)
    expect((await post('/events', fresh)).status).toBe(200)
    const reply = await post('/events', old)
    expect(reply.status).toBe(200)
    expect(reply.json).toMatchObject({ event_id: old.id, accepted: true, message: expect.stringMatching(/^duplicate: /) })
    expect((await post('/query', [{ ids: [old.id] }])).json).toEqual([])
  })

  test('a refusal: 400 {error} with exactly the message the WebSocket OK carries', async () => {
    const refusedEvents: Array<NostrEvent | Record<string, unknown>> = [
      sign(author, { kind: 30175, tags: [['d', 'Upper']] }),
      sign(author, { kind: 1, created_at: nowSeconds() - 3600 }),
      sign(author, { kind: 9, tags: [] }),
      { ...sign(author, { kind: 1 }), sig: '0'.repeat(128) },
      { ...sign(author, { kind: 1 }), content: 'tampered' },
    ]
    for (const event of refusedEvents) {
      const overWebSocket = await ws.publish(event)
      expect(overWebSocket.accepted).toBe(false)
      const reply = await post('/events', event)
      expect(reply.status).toBe(400)
      expect(reply.json).toEqual({ error: overWebSocket.message })
    }
  })

  test('a body that is not an event: 400 invalid', async () => {
    expect(await post('/events', [1, 2])).toMatchObject({ status: 400, json: { error: 'invalid: event must be a JSON object' } })
    expect(await post('/events', { kind: 1 })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^invalid: /) } })
  })
})

describe('bodies that are not JSON of the right shape: 400', () => {
  test.each(['/events', '/query', '/count'])('%s: not JSON, empty', async (path) => {
    const broken = await post(path, '{"kinds": [1')
    expect(broken.status).toBe(400)
    expect(broken.json).toEqual({ error: expect.stringMatching(/^invalid: request body is not valid JSON: /) })
    expect(await post(path, '')).toMatchObject({ status: 400, json: { error: 'invalid: request body is empty; expected JSON' } })
  })

  test.each(['/query', '/count'])('%s: not an array, a bad filter, too many filters', async (path) => {
    expect(await post(path, { kinds: [1] })).toMatchObject({ status: 400, json: { error: 'invalid: request body must be a JSON array of filters' } })
    expect(await post(path, [{ kinds: ['one'] }])).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^invalid: filter `kinds`/) } })
    const max = relay.config.limits.maxFilters
    expect(await post(path, Array.from({ length: max + 1 }, () => ({})))).toMatchObject({
      status: 400,
      json: { error: `invalid: too many filters: ${max + 1} (max ${max})` },
    })
  })
})

describe('routes, methods and sizes', () => {
  test.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s on a bridge path: 405 with Allow, before auth', async (method) => {
    for (const path of ['/events', '/query', '/count']) {
      const reply = await request(relay.httpUrl, path, method === 'GET' ? undefined : '[]', { method, key: null })
      expect(reply.status).toBe(405)
      expect(reply.headers.allow).toBe('POST, OPTIONS')
      expect(reply.json).toEqual({ error: `unsupported: method ${method} is not allowed here; use POST` })
    }
  })

  test('OPTIONS preflight: 204 with the NIP-11 CORS headers, no auth needed', async () => {
    const reply = await request(relay.httpUrl, '/events', undefined, {
      method: 'OPTIONS',
      key: null,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    })
    expect(reply.status).toBe(204)
    expect(reply.headers['access-control-allow-origin']).toBe('*')
    expect(reply.headers['access-control-allow-headers']).toContain('Authorization')
    expect(reply.headers['access-control-allow-methods']).toContain('POST')
    const nip11 = await fetch(relay.httpUrl, { headers: { accept: 'application/nostr+json' } })
    for (const name of ['access-control-allow-origin', 'access-control-allow-headers', 'access-control-allow-methods']) {
      expect(reply.headers[name]).toBe(nip11.headers.get(name))
    }
  })

  test('an unknown path: 404 with a JSON error, whatever the method', async () => {
    for (const method of ['GET', 'POST']) {
      const reply = await request(relay.httpUrl, '/event', method === 'POST' ? '[]' : undefined, { method, key: null })
      expect(reply.status).toBe(404)
      expect(reply.json).toEqual({ error: 'invalid: unknown path /event' })
    }
  })

  test('413 for a body over 1 MiB, announced by Content-Length, before auth', async () => {
    const reply = await requestAnsweredEarly(relay.httpUrl, '/events', 'x'.repeat(MiB + 1), { key: null })
    expect(reply.status).toBe(413)
    expect(reply.json).toEqual({ error: `invalid: request body exceeds ${MiB} bytes` })
  })

  test('413 for a chunked body that grows over 1 MiB', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'y')
    const reply = await rawRequest(`${relay.httpUrl}/query`, { headers: { 'transfer-encoding': 'chunked' }, chunks: Array(17).fill(chunk) })
    expect(reply.status).toBe(413)
  })

  test('exactly 1 MiB is read (and judged on its content)', async () => {
    const body = JSON.stringify('z'.repeat(MiB - 2))
    expect(Buffer.byteLength(body)).toBe(MiB)
    const reply = await post('/events', body)
    expect(reply.status).toBe(400)
    expect(reply.json).toEqual({ error: 'invalid: event must be a JSON object' })
  })

  test('precedence: 405 before 413, 413 before 401, 401 before 400', async () => {
    expect((await requestAnsweredEarly(relay.httpUrl, '/events', 'x'.repeat(MiB + 1), { method: 'PUT', key: null })).status).toBe(405)
    expect((await requestAnsweredEarly(relay.httpUrl, '/events', 'x'.repeat(MiB + 1), { key: null })).status).toBe(413)
    expect((await request(relay.httpUrl, '/events', 'not json', { key: null })).status).toBe(401)
    expect((await post('/events', 'not json')).status).toBe(400)
  })
})

describe('NIP-98 on every route', () => {
  const url = (path: string) => `${relay.httpUrl}${path}`
  const signedWith = (tags: string[][], kind = 27235, createdAt = nowSeconds()) =>
    encodeHttpAuthHeader(finalizeEvent({ kind, created_at: createdAt, tags, content: '' }, client.sk) as NostrEvent)
  const base64 = (text: string) => Buffer.from(text).toString('base64')
  const body = '[{"kinds":[1],"limit":1}]'
  const goodEvent = (path: string, overrides: { url?: string; method?: string; createdAt?: number; body?: string } = {}) =>
    buildHttpAuthEvent({
      secretKey: client.sk,
      url: overrides.url ?? url(path),
      method: overrides.method ?? 'POST',
      body: overrides.body ?? body,
      createdAt: overrides.createdAt ?? nowSeconds(),
    })

  const cases: Array<[reason: keyof typeof HttpAuthRefusals, header: (path: string) => string | undefined]> = [
    ['missing', () => undefined],
    ['scheme', () => `Bearer ${base64('{}')}`],
    ['base64', () => 'Nostr %%%'],
    ['json', () => `Nostr ${base64('{"kind": 27235')}`],
    ['shape', () => `Nostr ${base64('{"kind": 27235}')}`],
    ['kind', (path) => signedWith([['u', url(path)], ['method', 'POST']], 27236)],
    ['expired', (path) => encodeHttpAuthHeader(goodEvent(path, { createdAt: nowSeconds() - 600 }))],
    ['expired', (path) => encodeHttpAuthHeader(goodEvent(path, { createdAt: nowSeconds() + 600 }))],
    ['noUrl', () => signedWith([['method', 'POST']])],
    ['url', (path) => encodeHttpAuthHeader(goodEvent(path, { url: url(path === '/query' ? '/count' : '/query') }))],
    ['url', (path) => encodeHttpAuthHeader(goodEvent(path, { url: `${url(path)}?x=1` }))],
    ['url', (path) => encodeHttpAuthHeader(goodEvent(path, { url: url(path).replace('http:', 'https:') }))],
    ['noMethod', (path) => signedWith([['u', url(path)]])],
    ['method', (path) => encodeHttpAuthHeader(goodEvent(path, { method: 'GET' }))],
    ['payload', (path) => encodeHttpAuthHeader(goodEvent(path, { body: `${body} ` }))],
    ['id', (path) => encodeHttpAuthHeader({ ...goodEvent(path), content: 'changed' })],
    ['signature', (path) => encodeHttpAuthHeader({ ...goodEvent(path), sig: '1'.repeat(128) })],
  ]

  for (const path of ['/events', '/query', '/count']) {
    test.each(cases)(`${path}: %s is 401 with the exact reason`, async (reason, header) => {
      const value = header(path)
      const reply = await request(relay.httpUrl, path, body, value === undefined ? { key: null } : { authorization: value })
      expect(reply.status).toBe(401)
      expect(reply.json).toEqual({ error: HttpAuthRefusals[reason] })
      expect(reply.headers['www-authenticate']).toBe('Nostr')
      expect(reply.headers['access-control-allow-origin']).toBe('*')
    })

    test(`${path}: a replayed authorization is 401 the second time`, async () => {
      const header = encodeHttpAuthHeader(goodEvent(path))
      expect((await request(relay.httpUrl, path, body, { authorization: header })).status).not.toBe(401)
      const again = await request(relay.httpUrl, path, body, { authorization: header })
      expect(again.status).toBe(401)
      expect(again.json).toEqual({ error: HttpAuthRefusals.replayed })
    })
  }

  test('accepted variants: no payload tag, a lowercase scheme, a query string that is signed', async () => {
    expect((await post('/query', body, { payload: false })).status).toBe(200)
    const lower = authHeader(client, url('/query'), 'POST', body).replace(/^Nostr /, 'nostr ')
    expect((await request(relay.httpUrl, '/query', body, { authorization: lower })).status).toBe(200)
    expect((await request(relay.httpUrl, '/query?page=2', body, { key: client })).status).toBe(200)
  })

  test('the authenticated pubkey may read anything: another key reads the author\'s events', async () => {
    const event = sign(author, { kind: 1, content: 'read by a stranger' })
    await post('/events', event)
    const reader: Key = newKey()
    expect((await post('/query', [{ ids: [event.id] }], { key: reader })).json).toEqual([plain(event)])
  })

  test('u is built from the Host header', async () => {
    const hostBody = '[]'
    const signedFor = (host: string) => authHeader(client, `http://${host}/count`, 'POST', hostBody)
    const ok = await rawRequest(`${relay.httpUrl}/count`, {
      headers: { host: 'relay.test:8080', authorization: signedFor('relay.test:8080'), 'content-length': '2' },
      chunks: [hostBody],
    })
    expect(ok.status).toBe(200)
    const wrong = await rawRequest(`${relay.httpUrl}/count`, {
      headers: { host: 'relay.test:8080', authorization: signedFor(`127.0.0.1:${relay.port}`), 'content-length': '2' },
      chunks: [hostBody],
    })
    expect(wrong.json).toEqual({ error: HttpAuthRefusals.url })
  })
})

describe('NIP-98 clock window edges (pinned clock)', () => {
  const now = 1_800_000_000
  let pinned: RelayInternals
  beforeAll(async () => {
    pinned = await startTestRelay({}, { clock: () => now * 1000 + 500 })
  })
  afterAll(() => pinned.close())

  test.each([
    [-HttpAuthWindowSeconds, 200],
    [HttpAuthWindowSeconds, 200],
    [-HttpAuthWindowSeconds - 1, 401],
    [HttpAuthWindowSeconds + 1, 401],
  ])('created_at now%+d: %d', async (offset, status) => {
    const reply = await request(pinned.httpUrl, '/count', '[]', { key: client, authCreatedAt: now + offset })
    expect(reply.status).toBe(status)
  })
})

describe('--public-url', () => {
  let proxied: RelayInternals
  beforeAll(async () => {
    proxied = await startTestRelay({ publicUrl: 'https://relay.example.com/nostr/' })
  })
  afterAll(() => proxied.close())

  test('u must name the public URL (with its path prefix), not the address the relay sees', async () => {
    const ok = await request(proxied.httpUrl, '/count', '[]', { key: client, authUrl: 'https://relay.example.com/nostr/count' })
    expect(ok).toMatchObject({ status: 200, json: { count: 0 } })
    const direct = await request(proxied.httpUrl, '/count', '[]', { key: client })
    expect(direct).toMatchObject({ status: 401, json: { error: HttpAuthRefusals.url } })
  })

  test('an invalid public URL refuses to start', async () => {
    await expect(async () => startTestRelay({ publicUrl: 'relay.example.com' })).rejects.toThrow(/public URL/)
  })
})

describe('--http-auth none and NIP-11', () => {
  let open: RelayInternals
  beforeAll(async () => {
    open = await startTestRelay({ httpAuth: 'none' })
  })
  afterAll(() => open.close())

  test('no Authorization needed', async () => {
    const event = sign(author, { kind: 1, content: 'open door' })
    expect(await request(open.httpUrl, '/events', event, { key: null })).toMatchObject({ status: 200, json: { accepted: true } })
    expect((await request(open.httpUrl, '/query', [{ ids: [event.id] }], { key: null })).json).toEqual([plain(event)])
  })

  test('supported_nips lists 98 exactly when NIP-98 guards the bridge', async () => {
    const nips = async (base: string) =>
      ((await (await fetch(base, { headers: { accept: 'application/nostr+json' } })).json()) as { supported_nips: number[] }).supported_nips
    expect(await nips(relay.httpUrl)).toContain(98)
    expect(await nips(open.httpUrl)).not.toContain(98)
  })
})

describe('one store, two doors', () => {
  test('written over HTTP, read over WebSocket REQ and COUNT', async () => {
    const event = sign(author, { kind: 1, tags: [['t', 'cross-http']] })
    expect((await post('/events', event)).status).toBe(200)
    expect(await ws.ids('cross-1', { '#t': ['cross-http'] })).toEqual([event.id])
    expect(await ws.count('cross-2', { '#t': ['cross-http'] })).toBe(1)
  })

  test('written over WebSocket, read over POST /query and /count', async () => {
    const event = sign(author, { kind: 1, tags: [['t', 'cross-ws']] })
    await ws.store(event)
    expect((await post('/query', [{ '#t': ['cross-ws'] }])).json).toEqual([plain(event)])
    expect((await post('/count', [{ '#t': ['cross-ws'] }])).json).toEqual({ count: 1 })
  })

  test('an event written over HTTP is fanned out to live WebSocket subscribers', async () => {
    await ws.req('live-http', { '#t': ['live-http'] })
    const event = sign(author, { kind: 1, tags: [['t', 'live-http']] })
    await post('/events', event)
    expect(await ws.live('live-http')).toEqual(plain(event))
    ws.send(['CLOSE', 'live-http'])
  })

  test('plain filters: the /query answer is the REQ answer (union, newest first, limits per filter)', async () => {
    const key = newKey()
    const now = nowSeconds()
    const events = [0, 1, 2, 3].map((i) => sign(key, { kind: 1, created_at: now - i, tags: [['t', 'union']] }))
    for (const event of events) await ws.store(event)
    const filters = [{ authors: [key.pk], limit: 2 }, { ids: [events[3]?.id as string] }, { '#t': ['union'], authors: [key.pk], since: now - 1 }]
    const overHttp = (await post('/query', filters)).json as NostrEvent[]
    expect(overHttp.map((e) => e.id)).toEqual(await ws.ids('union', ...filters))
    expect(overHttp.map((e) => e.id)).toEqual([events[0], events[1], events[3]].map((e) => e?.id))
    expect((await post('/count', filters)).json).toEqual({ count: 4 })
  })

  test('a SQLite relay serves both doors from the file, across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-db-'))
    try {
      const db = join(dir, 'relay.db')
      const first = await startTestRelay({ db })
      const event = sign(author, { kind: 1, content: 'durable over http' })
      expect((await request(first.httpUrl, '/events', event, { key: client })).status).toBe(200)
      await first.close()
      const second = await startTestRelay({ db })
      try {
        expect((await request(second.httpUrl, '/query', [{ ids: [event.id] }], { key: client })).json).toEqual([plain(event)])
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('clients that go away', () => {
  /** Writes raw bytes on a fresh TCP connection, then drops it without reading. */
  const hangUp = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(relay.port, '127.0.0.1', () => {
        socket.write(text, () => {
          socket.destroy()
          resolve()
        })
      })
      socket.on('error', reject)
    })

  test('a client that disconnects mid-body or before the answer leaves the relay serving', async () => {
    const event = sign(author, { kind: 1, content: 'answered to nobody' })
    const body = JSON.stringify(event)
    const auth = authHeader(client, `http://127.0.0.1:${relay.port}/events`, 'POST', body)
    const head = (length: number) =>
      `POST /events HTTP/1.1\r\nHost: 127.0.0.1:${relay.port}\r\nAuthorization: ${auth}\r\nContent-Length: ${length}\r\n\r\n`
    await hangUp(`${head(body.length + 100)}${body.slice(0, 10)}`)
    await hangUp(`${head(body.length)}${body}`)
    // The complete request is still processed (its answer goes nowhere); wait for the write.
    let found: unknown = []
    for (let attempt = 0; attempt < 100 && (found as unknown[]).length === 0; attempt += 1) {
      found = (await post('/query', [{ ids: [event.id] }])).json
      if ((found as unknown[]).length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(found).toEqual([plain(event)])
    expect((await post('/count', [{}])).status).toBe(200)
  })
})

describe('payload hashing', () => {
  test('a payload tag for the exact bytes sent passes, also for non-ASCII bodies', async () => {
    const event = sign(author, { kind: 1, content: 'héllo ✓ 🌍' })
    const text = JSON.stringify(event)
    expect(payloadHash(text)).toMatch(/^[0-9a-f]{64}$/)
    expect((await post('/events', text)).json).toMatchObject({ accepted: true })
  })
})
