import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseFilter, type Filter } from './filter.ts'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { MAX_RESULTS_PER_FILTER } from './limits.ts'
import { countEvents, reqHistory } from './read.ts'
import { Store } from './store.ts'
import { authed, newKey, sign, TestClient, type Key } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

async function reader(): Promise<{ key: Key; c: TestClient }> {
  const key = newKey()
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

describe('kindless filters (§6)', () => {
  test('WS REQ refuses a kindless filter with its text; ids or #p = self are served', async () => {
    const { key, c } = await reader()
    const note = sign(key, 1, [['p', key.pk]], 'to me')
    await c.publish(note)
    expect((await c.req('k', { authors: [key.pk] })).closed).toEqual(['CLOSED', 'k', 'restricted: p-gated events require #p matching your pubkey'])
    expect((await c.req('k2', { kinds: [1] }, {})).closed?.[2]).toBe('restricted: p-gated events require #p matching your pubkey')
    expect((await c.req('ids', { ids: [note.id] })).events.map((e) => e.id)).toEqual([note.id])
    expect((await c.req('p', { '#p': [key.pk] })).events.map((e) => e.id)).toEqual([note.id])
    expect((await c.req('p2', { '#p': [key.pk, 'f'.repeat(64)] })).closed?.[2]).toBe('restricted: p-gated events require #p matching your pubkey')
  })

  test('COUNT refuses a kindless filter with the COUNT text', async () => {
    const { c } = await reader()
    expect(await c.count('n', {})).toEqual(['CLOSED', 'n', 'restricted: p-gated kinds require #p tag matching your pubkey'])
  })

  test('a kind list naming a p-gated kind is gated too', async () => {
    const { c } = await reader()
    expect((await c.req('gw', { kinds: [1, 1059] })).closed?.[2]).toBe('restricted: p-gated events require #p matching your pubkey')
  })

  test('a WS REQ whose filters all name the same channel in #h is served kindless (members of open channels included)', async () => {
    const { key, c } = await reader()
    const channel = crypto.randomUUID()
    await c.publish(sign(key, 9007, [['h', channel], ['name', 'x']]))
    const msg = sign(key, 9, [['h', channel]], 'hello')
    await c.publish(msg)
    const { events } = await c.req('ch', { '#h': [channel] })
    expect(events.map((e) => e.id)).toContain(msg.id)
    expect((await c.count('chn', { '#h': [channel] }))[2]).toBe('restricted: p-gated kinds require #p tag matching your pubkey')
    expect((await c.req('nochannel', { '#h': [crypto.randomUUID()] })).closed?.[2]).toBe('restricted: not a channel member')
  })

  test('kinds: [] matches nothing', async () => {
    const { key, c } = await reader()
    await c.publish(sign(key, 1, [], 'x'))
    expect((await c.req('none', { kinds: [], authors: [key.pk] })).events).toEqual([])
    expect((await c.count('none', { kinds: [], authors: [key.pk] }))[2]).toEqual({ count: 0 })
  })
})

describe('REQ, CLOSE, COUNT and frame limits (§6)', () => {
  test('CLOSE is answered CLOSED with an empty message, for known and unknown ids', async () => {
    const { c } = await reader()
    await c.req('s', { kinds: [1] })
    c.send(['CLOSE', 's'])
    expect(await c.next((f) => f[0] === 'CLOSED')).toEqual(['CLOSED', 's', ''])
    c.send(['CLOSE', 'never-opened'])
    expect(await c.next((f) => f[0] === 'CLOSED')).toEqual(['CLOSED', 'never-opened', ''])
  })

  test('the 1,025th subscription is refused: error: too many subscriptions; replacing an open one is not', async () => {
    const { c } = await reader()
    for (let i = 0; i < 1024; i++) c.send(['REQ', `s${i}`, { kinds: [7], limit: 0 }])
    for (let i = 0; i < 1024; i++) await c.next((f) => f[0] === 'EOSE' && f[1] === `s${i}`)
    expect((await c.req('s1024', { kinds: [7] })).closed).toEqual(['CLOSED', 's1024', 'error: too many subscriptions'])
    expect((await c.req('s5', { kinds: [1], limit: 0 })).closed).toBeUndefined()
  })

  test('sub ids of 1-256 bytes and up to 10 filters are read; beyond that a NOTICE answers', async () => {
    const { c } = await reader()
    expect((await c.req('x'.repeat(256), { kinds: [1], limit: 0 })).closed).toBeUndefined()
    const filters = Array.from({ length: 10 }, () => ({ kinds: [1], limit: 0 }))
    expect((await c.req('ten', ...filters)).closed).toBeUndefined()
    const notices: Array<[unknown, string]> = [
      [['REQ', 'x'.repeat(257), { kinds: [1] }], 'invalid message: Invalid message format: REQ sub_id exceeds maximum length of 256 bytes'],
      [['REQ', '', { kinds: [1] }], 'invalid message: Invalid message format: REQ sub_id must not be empty'],
      [['REQ', 'eleven', ...filters, { kinds: [1] }], 'invalid message: Invalid message format: REQ contains 11 filters, maximum is 10'],
      [['COUNT', 'eleven', ...filters, { kinds: [1] }], 'invalid message: Invalid message format: COUNT contains 11 filters, maximum is 10'],
      [['HELLO'], 'invalid message: Invalid message format: unknown message type: HELLO'],
    ]
    for (const [frame, text] of notices) {
      c.send(frame)
      expect(await c.next((f) => f[0] === 'NOTICE')).toEqual(['NOTICE', text])
    }
  })

  test('a malformed EVENT is answered with a NOTICE, not an OK', async () => {
    const { c } = await reader()
    c.send(['EVENT', { id: 'nope' }])
    const notice = await c.next((f) => f[0] === 'NOTICE')
    expect(notice[1]).toMatch(/^invalid message: Invalid message format: invalid event: /)
  })

  test('a frame over 65,536 bytes drops the connection without a message; 65,536 is read', async () => {
    const { c } = await reader()
    const frame = (x: string) => JSON.stringify(['REQ', 'pad', { kinds: [1], limit: 0, x }])
    const pad = (n: number) => frame('y'.repeat(n - frame('').length))
    const exact = pad(65_536)
    expect(Buffer.byteLength(exact)).toBe(65_536)
    c.send(exact)
    await c.next((f) => f[0] === 'EOSE')
    const frames = c.frames.length
    c.send(pad(65_537))
    await expect(c.next(() => true, 3000)).rejects.toThrow(/closed/)
    expect(c.frames.length).toBe(frames)
  })

  test('COUNT adds per-filter counts, counting an event once per filter it matches', async () => {
    const { key, c } = await reader()
    await c.publish(sign(key, 1, [], 'one'))
    expect(await c.count('twice', { kinds: [1], authors: [key.pk] }, { kinds: [1], authors: [key.pk] })).toEqual(['COUNT', 'twice', { count: 2 }])
  })

  test('live events reach global subscriptions; channel messages reach only subscriptions on that channel', async () => {
    const { key, c } = await reader()
    const channel = crypto.randomUUID()
    await c.publish(sign(key, 9007, [['h', channel], ['name', 'x']]))
    await c.req('global', { kinds: [1, 9], authors: [key.pk] })
    await c.req('chan', { kinds: [1, 9], '#h': [channel] })
    const note = sign(key, 1, [], 'live note')
    await c.publish(note)
    expect(await c.next((f) => f[0] === 'EVENT' && f[1] === 'global')).toEqual(['EVENT', 'global', note])
    const msg = sign(key, 9, [['h', channel]], 'live msg')
    await c.publish(msg)
    expect(await c.next((f) => f[0] === 'EVENT' && f[1] === 'chan')).toEqual(['EVENT', 'chan', msg])
    await expect(c.next((f) => f[0] === 'EVENT' && f[1] === 'global', 300)).rejects.toThrow(/no matching frame/)
  })
})

describe('per-filter results (§6)', () => {
  function fill(n: number): Store {
    const store = new Store()
    const pubkey = 'a'.repeat(64)
    for (let i = 0; i < n; i++) {
      const id = i.toString(16).padStart(64, '0')
      store.insert({ event: { id, pubkey, created_at: 1_000 + i, kind: 1, tags: [], content: '', sig: '0'.repeat(128) }, channelId: null, dTag: null, deleted: false })
    }
    return store
  }
  const filter = (raw: Record<string, unknown>): Filter => {
    const f = parseFilter(raw as never)
    if (!f.ok) throw new Error(f.error)
    return f.value
  }

  test('a REQ filter returns at most 1,000 events, newest first, even when it asks for more', () => {
    const store = fill(1_005)
    const events = reqHistory(store, [filter({ kinds: [1], limit: 5000 })], null, new Set())
    expect(events).toHaveLength(MAX_RESULTS_PER_FILTER)
    expect(events[0]?.event.created_at).toBe(1_000 + 1_004)
  })

  test('COUNT is not capped', () => {
    expect(countEvents(fill(1_005), [filter({ kinds: [1] })], new Set())).toBe(1_005)
  })

  test('LIMIT applies before tag matching: newer events without the tag crowd out an older one with it', () => {
    const store = fill(3)
    const old = store.getLive((0).toString(16).padStart(64, '0'))
    if (!old) throw new Error('missing')
    old.event.tags.push(['t', 'x'])
    expect(reqHistory(store, [filter({ kinds: [1], '#t': ['x'], limit: 2 })], null, new Set())).toEqual([])
    expect(reqHistory(store, [filter({ kinds: [1], '#t': ['x'], limit: 3 })], null, new Set())).toHaveLength(1)
  })
})
