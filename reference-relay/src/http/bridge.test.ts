import { describe, expect, test } from 'vitest'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { checkEventShape, type NostrEvent, verifyEventSignature } from '../../../spec/model/event.ts'
import { type Filter, matchFilters, queryEvents } from '../../../spec/model/filter.ts'
import { buildHttpAuthHeader, HttpAuthRefusals } from '../../../spec/model/http-auth.ts'
import { placeChannelMessage } from '../../../spec/model/thread-ingest.ts'
import { selectThreadReplies, selectTopLevel, type ThreadedEvent } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { StoredEvent } from '../storage/event-store.ts'
import { storedEventOf } from '../storage/read.ts'
import type { Requester } from './auth.ts'
import { type BridgeBackend, type BridgeRequest, type BridgeSettings, HttpBridge, type SubmitOutcome } from './bridge.ts'
import type { QueryPart } from './query-plan.ts'
import { ReplayCache } from './replay-cache.ts'
import type { BridgeRoute } from './routes.ts'

/** A model of the relay pipeline, just enough to exercise the bridge. */
class ModelBackend implements BridgeBackend {
  readonly stored = new Map<string, ThreadedEvent>()
  readonly requesters: Requester[] = []
  failNext = false

  async submitEvent(value: unknown, requester: Requester): Promise<SubmitOutcome> {
    this.requesters.push(requester)
    if (this.failNext) throw new Error('disk on fire')
    const shape = checkEventShape(value)
    if (!shape.ok) return { id: null, accepted: false, message: shape.message }
    const event = shape.event
    if (!verifyEventSignature(event)) return { id: event.id, accepted: false, message: 'invalid: bad signature' }
    if (this.stored.has(event.id)) return { id: event.id, accepted: true, message: 'duplicate: already have this event' }
    if (event.content === 'storage-error') return { id: event.id, accepted: false, message: 'error: could not store' }
    if (event.content === 'slow-down') return { id: event.id, accepted: false, message: 'rate-limited: slow down' }
    const placed = placeChannelMessage(event, (id) => this.stored.get(id))
    if (!placed.ok) return { id: event.id, accepted: false, message: placed.message }
    this.stored.set(event.id, { event, thread: placed.thread })
    return { id: event.id, accepted: true, message: '' }
  }

  query(filters: Filter[]): StoredEvent[] {
    return queryEvents(
      [...this.stored.values()].map((entry) => entry.event),
      filters,
    ).map(storedEventOf)
  }

  threadReplies(query: ThreadQuery, conditions: Filter): StoredEvent[] {
    return selectThreadReplies(this.stored.values(), query, conditions).map(storedEventOf)
  }

  topLevel(query: TopLevelQuery, conditions: Filter): StoredEvent[] {
    return selectTopLevel(this.stored.values(), query, conditions).map(storedEventOf)
  }

  count(filters: Filter[]): number {
    return [...this.stored.values()].filter((entry) => matchFilters(filters, entry.event)).length
  }

  matchingIds(part: QueryPart): string[] {
    const events =
      part.type === 'thread'
        ? this.threadReplies(part.query, part.conditions)
        : part.type === 'top-level'
          ? this.topLevel(part.query, part.conditions)
          : this.query([part.filter])
    return events.map((event) => event.id)
  }
}

const host = '127.0.0.1:4000'
const clientKey = generateSecretKey()
const authorKey = generateSecretKey()
const nowMs = 1_800_000_000_000
const now = nowMs / 1000

function setup(overrides: Partial<BridgeSettings> = {}, replay?: ReplayCache) {
  const backend = new ModelBackend()
  const logs: string[] = []
  const settings: BridgeSettings = {
    auth: 'nip98',
    publicUrl: null,
    listenAddress: host,
    maxFilters: 10,
    clock: () => nowMs,
    verifySignature: async (event) => verifyEventSignature(event),
    log: (line) => logs.push(line),
    ...overrides,
  }
  return { backend, logs, bridge: new HttpBridge(settings, backend, replay) }
}

// Two identical auth events share an id (and would be a replay), so each request signs at its own second.
let authSecond = 0
function request(route: BridgeRoute, body: unknown, auth: 'sign' | 'none' | string = 'sign', path = `/${route}`): BridgeRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const bytes = new TextEncoder().encode(text)
  const authorization =
    auth === 'sign'
      ? buildHttpAuthHeader({ secretKey: clientKey, url: `http://${host}${path}`, method: 'POST', body: bytes, createdAt: now - (authSecond++ % 60) })
      : auth === 'none'
        ? undefined
        : auth
  return { route, method: 'POST', target: { host, path, query: '' }, authorization, body: bytes }
}

let clock = now - 100
function sign(kind: number, tags: string[][] = [], content = ''): NostrEvent {
  clock += 1
  return finalizeEvent({ kind, created_at: clock, tags, content }, authorKey)
}

function parse(body: string): unknown {
  return JSON.parse(body)
}

describe('POST /events', () => {
  test('an accepted event: 200 with event_id, accepted and message; the requester is the NIP-98 signer', async () => {
    const { bridge, backend } = setup()
    const event = sign(1)
    const reply = await bridge.handle(request('events', event))
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toContain('application/json')
    expect(reply.headers['access-control-allow-origin']).toBe('*')
    expect(parse(reply.body)).toEqual({ event_id: event.id, accepted: true, message: '' })
    expect(backend.requesters).toEqual([{ pubkey: getPublicKey(clientKey) }])
  })

  test('a duplicate is 200 accepted with a duplicate: message', async () => {
    const { bridge } = setup()
    const event = sign(1)
    await bridge.handle(request('events', event))
    const reply = await bridge.handle(request('events', event))
    expect(reply.status).toBe(200)
    expect(parse(reply.body)).toEqual({ event_id: event.id, accepted: true, message: 'duplicate: already have this event' })
  })

  test('a refusal is 400 with the prefixed reason', async () => {
    const { bridge } = setup()
    const orphan = sign(9, [['h', 'c'], ['e', '9'.repeat(64), '', 'reply']])
    const reply = await bridge.handle(request('events', orphan))
    expect(reply.status).toBe(400)
    expect(parse(reply.body)).toEqual({ error: 'invalid: reply parent not found' })
    expect(parse((await bridge.handle(request('events', { kind: 1 }))).body)).toEqual({ error: 'invalid: id must be 64 lowercase hex characters' })
  })

  test('every refusal is a 400 carrying the OK message, whatever its prefix', async () => {
    const { bridge } = setup()
    expect(await bridge.handle(request('events', sign(1, [], 'storage-error')))).toMatchObject({ status: 400, body: '{"error":"error: could not store"}' })
    expect(await bridge.handle(request('events', sign(1, [], 'slow-down')))).toMatchObject({ status: 400, body: '{"error":"rate-limited: slow down"}' })
  })

  test('a backend crash is a 500 with a prefixed error, and logged', async () => {
    const { bridge, backend, logs } = setup()
    backend.failNext = true
    const reply = await bridge.handle(request('events', sign(1)))
    expect(reply.status).toBe(500)
    expect(parse(reply.body)).toEqual({ error: 'error: internal error while answering the request' })
    expect(logs.join('\n')).toContain('disk on fire')
  })
})

describe('bodies that are not JSON', () => {
  test.each(['events', 'query', 'count'] as const)('/%s: 400 with a clear error', async (route) => {
    const { bridge } = setup()
    const reply = await bridge.handle(request(route, '{"oops'))
    expect(reply.status).toBe(400)
    expect(parse(reply.body)).toMatchObject({ error: expect.stringMatching(/^invalid: request body is not valid JSON: /) })
    expect((await bridge.handle(request(route, ''))).status).toBe(400)
  })

  test('filter lists must be arrays of valid filters', async () => {
    const { bridge } = setup({ maxFilters: 2 })
    expect(parse((await bridge.handle(request('query', { kinds: [1] }))).body)).toEqual({ error: 'invalid: request body must be a JSON array of filters' })
    expect((await bridge.handle(request('count', [{}, {}, {}]))).status).toBe(400)
    expect((await bridge.handle(request('query', [{ since: -1 }]))).status).toBe(400)
  })
})

describe('NIP-98 on the bridge', () => {
  test.each(['events', 'query', 'count'] as const)('/%s without Authorization: 401 naming the reason', async (route) => {
    const { bridge } = setup()
    const reply = await bridge.handle(request(route, [], 'none'))
    expect(reply.status).toBe(401)
    expect(reply.headers['www-authenticate']).toBe('Nostr')
    expect(parse(reply.body)).toEqual({ error: HttpAuthRefusals.missing })
  })

  test('auth is checked before the body is parsed', async () => {
    const { bridge } = setup()
    expect((await bridge.handle(request('events', 'not json', 'none'))).status).toBe(401)
  })

  test('a header signed for another path is refused', async () => {
    const { bridge } = setup()
    const wrong = buildHttpAuthHeader({ secretKey: clientKey, url: `http://${host}/query`, method: 'POST', createdAt: now })
    expect(parse((await bridge.handle(request('count', [], wrong))).body)).toEqual({ error: HttpAuthRefusals.url })
  })

  test('a replayed header is refused', async () => {
    const { bridge } = setup()
    const first = request('query', [{ kinds: [1] }])
    expect((await bridge.handle(first)).status).toBe(200)
    expect(parse((await bridge.handle(first)).body)).toEqual({ error: HttpAuthRefusals.replayed })
  })

  test('authSkips leaves a check out (test faults only)', async () => {
    const { bridge } = setup({ authSkips: new Set(['replayed']) })
    const first = request('query', [])
    expect((await bridge.handle(first)).status).toBe(200)
    expect((await bridge.handle(first)).status).toBe(200)
  })

  test('the public URL decides the u the client must sign', async () => {
    const { bridge } = setup({ publicUrl: 'https://relay.example.com' })
    expect((await bridge.handle(request('query', []))).status).toBe(401)
    const signed = buildHttpAuthHeader({ secretKey: clientKey, url: 'https://relay.example.com/query', method: 'POST', createdAt: now })
    expect((await bridge.handle(request('query', [], signed))).status).toBe(200)
  })

  test('a full replay cache answers 429 instead of forgetting ids', async () => {
    const { bridge } = setup({}, new ReplayCache(1))
    expect((await bridge.handle(request('query', []))).status).toBe(200)
    const reply = await bridge.handle(request('query', []))
    expect(reply.status).toBe(429)
    expect(reply.headers['retry-after']).toBe('1')
  })

  test('--http-auth none: no header needed, the requester is anonymous', async () => {
    const { bridge, backend } = setup({ auth: 'none' })
    expect((await bridge.handle(request('events', sign(1), 'none'))).status).toBe(200)
    expect(backend.requesters).toEqual([{ pubkey: null }])
  })
})

describe('POST /query and /count', () => {
  async function threadFixture() {
    const ctx = setup({ auth: 'none' })
    const post = async (event: NostrEvent) => {
      const reply = await ctx.bridge.handle(request('events', event, 'none'))
      expect(reply.status).toBe(200)
      return event
    }
    const root = await post(sign(9, [['h', 'c']]))
    const d1 = await post(sign(9, [['h', 'c'], ['e', root.id, '', 'reply']]))
    const d1b = await post(sign(9, [['h', 'c'], ['e', root.id, '', 'reply'], ['broadcast', '1']]))
    const d2 = await post(sign(9, [['h', 'c'], ['e', root.id, '', 'root'], ['e', d1.id, '', 'reply'], ['broadcast', '1']]))
    const note = await post(sign(1))
    const query = async (filters: unknown) => {
      const reply = await ctx.bridge.handle(request('query', filters, 'none'))
      expect(reply.status).toBe(200)
      return (parse(reply.body) as NostrEvent[]).map((e) => e.id)
    }
    return { ...ctx, root, d1, d1b, d2, note, query }
  }

  test('a plain filter is answered as NIP-01: newest first', async () => {
    const { query, root, d1, d1b, d2, note } = await threadFixture()
    expect(await query([{}])).toEqual([note.id, d2.id, d1b.id, d1.id, root.id])
    expect(await query([{ kinds: [9], limit: 2 }])).toEqual([d2.id, d1b.id])
  })

  test('a thread filter: replies under the root up to depth_limit, oldest first, never the root', async () => {
    const { query, root, d1, d1b, d2 } = await threadFixture()
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual([d1.id, d1b.id])
    expect(await query([{ '#e': [root.id], depth_limit: 100 }])).toEqual([d1.id, d1b.id, d2.id])
    expect(await query([{ '#e': [root.id], depth_limit: 0 }])).toEqual([])
  })

  test('a top-level filter: roots and depth-1 broadcasts only', async () => {
    const { query, root, d1b } = await threadFixture()
    expect(await query([{ '#h': ['c'], top_level: true }])).toEqual([d1b.id, root.id])
  })

  test('several plain filters: the REQ answer, one union newest first', async () => {
    const { query, root, d1, note } = await threadFixture()
    expect(await query([{ ids: [root.id] }, { kinds: [1] }, { ids: [d1.id, root.id] }])).toEqual([note.id, d1.id, root.id])
  })

  test('with an extension filter: each answered on its own, in filter order, without repeats', async () => {
    const { query, root, d1, d1b, d2, note } = await threadFixture()
    expect(await query([{ '#e': [root.id], depth_limit: 1 }, { ids: [note.id, d1.id] }, { '#h': ['c'], top_level: true }])).toEqual([
      d1.id,
      d1b.id,
      note.id,
      root.id,
    ])
    expect(await query([{ kinds: [1] }, { '#e': [root.id], depth_limit: 5 }])).toEqual([note.id, d1.id, d1b.id, d2.id])
  })

  test('/count: {"count": n} of distinct matches, limits removed, extensions included', async () => {
    const { bridge, root } = await threadFixture()
    const count = async (filters: unknown) => parse((await bridge.handle(request('count', filters, 'none'))).body)
    expect(await count([{ kinds: [9] }, { kinds: [1] }, { kinds: [1], limit: 0 }])).toEqual({ count: 5 })
    expect(await count([{ '#e': [root.id], depth_limit: 1, limit: 1 }])).toEqual({ count: 2 })
    expect(await count([{ '#h': ['c'], top_level: true, limit: 1 }, { kinds: [1], limit: 0 }, { '#e': [root.id], depth_limit: 9 }])).toEqual({
      count: 5,
    })
  })
})
