/** NIP-AP relay rules over a real socket: envelope, no content check, replacement, clock window, scope. */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RelayInternals } from '../src/relay.ts'
import { newKey, nowSeconds, persona, PersonaBody, sign, startTestRelay, TestClient, tiedVersions } from './helpers.ts'

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

function personaWithTags(tags: string[][], content = PersonaBody) {
  return sign(newKey(), { kind: 30175, tags, content })
}

describe('persona envelope (origin messages, origin order)', () => {
  const cases: Array<[string, string[][], string]> = [
    ['no d tag', [], 'invalid: persona event must have exactly one `d` tag (got 0)'],
    ['two d tags', [['d', 'a'], ['d', 'b']], 'invalid: persona event must have exactly one `d` tag (got 2)'],
    ['empty slug', [['d', '']], 'invalid: persona event `d` tag must not be empty'],
    ['65-byte slug', [['d', 'a'.repeat(65)]], 'invalid: persona event `d` tag too long (65 chars, max 64)'],
    ['uppercase first', [['d', 'Agent']], 'invalid: persona event `d` tag must start with a lowercase letter or digit'],
    ['hyphen first', [['d', '-agent']], 'invalid: persona event `d` tag must start with a lowercase letter or digit'],
    ['slash inside', [['d', 'team/agent']], 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character'],
    ['non-ASCII inside', [['d', 'agenté']], 'invalid: persona event `d` tag must match [a-z0-9_-] after the first character'],
    ['too long beats bad chars', [['d', 'A'.repeat(70)]], 'invalid: persona event `d` tag too long (70 chars, max 64)'],
  ]
  test.each(cases)('%s is refused with the exact origin message', async (_name, tags, message) => {
    expect(await client.publish(personaWithTags(tags))).toEqual({ accepted: false, message })
  })

  test('a valueless ["d"] is not counted; 64-byte and 1-byte slugs are accepted', async () => {
    expect(await client.publish(personaWithTags([['d'], ['d', 'x']]))).toEqual({ accepted: true, message: '' })
    expect(await client.publish(personaWithTags([['d', 'a'.repeat(64)]]))).toEqual({ accepted: true, message: '' })
    expect(await client.publish(personaWithTags([['d', '0']]))).toEqual({ accepted: true, message: '' })
  })

  test('the alt tag and unknown tags are allowed', async () => {
    const e = personaWithTags([['d', 'with-alt'], ['alt', 'agent persona definition'], ['x', 'y']])
    expect(await client.publish(e)).toEqual({ accepted: true, message: '' })
  })

  test('content is not validated: non-JSON and secret-bearing bodies are stored as sent', async () => {
    const notJson = personaWithTags([['d', 'raw']], 'not json at all')
    const secrets = personaWithTags([['d', 'env']], JSON.stringify({ display_name: 'x', system_prompt: 'y', env_vars: { K: 'v' } }))
    await client.store(notJson)
    await client.store(secrets)
    expect((await client.req('c', { ids: [notJson.id, secrets.id] })).events.map((e) => e.content).sort()).toEqual(
      [notJson.content, secrets.content].sort(),
    )
    client.send(['CLOSE', 'c'])
  })
})

describe('replacement (newest wins, ties lowest id)', () => {
  test('a newer version replaces the head; the old one is gone by id too', async () => {
    const key = newKey()
    const now = nowSeconds()
    const v1 = persona(key, 'agent', now - 10)
    const v2 = persona(key, 'agent', now)
    await client.store(v1)
    await client.store(v2)
    expect(await client.ids('r', { kinds: [30175], authors: [key.pk], '#d': ['agent'] })).toEqual([v2.id])
    expect(await client.ids('r', { ids: [v1.id] })).toEqual([])
  })

  test('a stale write is OK true duplicate:, not stored and not fanned out', async () => {
    const key = newKey()
    const now = nowSeconds()
    const head = persona(key, 'agent', now)
    await client.store(head)
    const watcher = await TestClient.connect(relay.url)
    await watcher.req('w', { authors: [key.pk] })
    const stale = persona(key, 'agent', now - 60)
    expect(await client.publish(stale)).toEqual({
      accepted: true,
      message: 'duplicate: a newer version of this address is already stored',
    })
    // A later event of another address is fanned out; the stale one must not have come before it.
    const marker = persona(key, 'marker', now)
    await client.store(marker)
    expect((await watcher.live('w')).id).toBe(marker.id)
    expect(await client.ids('r', { authors: [key.pk], '#d': ['agent'] })).toEqual([head.id])
    watcher.close()
  })

  test('equal created_at: the lowest id wins whatever the arrival order', async () => {
    const now = nowSeconds()
    for (const order of ['low-first', 'high-first'] as const) {
      const key = newKey()
      const [low, high] = tiedVersions(key, 'tie', now)
      if (!low || !high) throw new Error('need two versions')
      const first = order === 'low-first' ? low : high
      const second = order === 'low-first' ? high : low
      await client.store(first)
      const answer = await client.publish(second)
      if (order === 'low-first') {
        expect(answer).toEqual({ accepted: true, message: 'duplicate: a version with the same created_at and a lower id is already stored' })
      } else {
        expect(answer).toEqual({ accepted: true, message: '' })
      }
      expect(await client.ids('t', { authors: [key.pk], kinds: [30175] })).toEqual([low.id])
      expect(await client.ids('t', { ids: [high.id] })).toEqual([])
    }
  })

  test('a new head is fanned out to live subscribers', async () => {
    const key = newKey()
    await client.req('heads', { kinds: [30175], authors: [key.pk] })
    const v = persona(key, 'live')
    await client.store(v)
    expect((await client.live('heads')).id).toBe(v.id)
    client.send(['CLOSE', 'heads'])
  })

  test('two owners may use the same slug independently', async () => {
    const a = newKey()
    const b = newKey()
    const pa = persona(a, 'shared')
    const pb = persona(b, 'shared')
    await client.store(pa)
    await client.store(pb)
    expect((await client.ids('s', { kinds: [30175], '#d': ['shared'], authors: [a.pk, b.pk] })).sort()).toEqual([pa.id, pb.id].sort())
  })
})

describe('global-only scope', () => {
  test('a persona with an h tag is accepted, served to global reads and not to #h reads', async () => {
    const key = newKey()
    const room = `room-${key.pk.slice(0, 8)}`
    const p = persona(key, 'scoped', nowSeconds(), [['h', room]])
    await client.store(p)
    const message = sign(key, { kind: 9, tags: [['h', room]], content: 'hi' })
    await client.store(message)
    expect(await client.ids('g', { kinds: [30175], authors: [key.pk] })).toEqual([p.id])
    expect(await client.ids('h', { '#h': [room] })).toEqual([message.id])
    expect(await client.ids('h2', { kinds: [30175], '#h': [room] })).toEqual([])
    expect(await client.count('hc', { '#h': [room] })).toBe(1)
  })

  test('live #h subscriptions do not receive personas either', async () => {
    const key = newKey()
    const room = `live-${key.pk.slice(0, 8)}`
    await client.req('room', { '#h': [room] })
    await client.store(persona(key, 'quiet', nowSeconds(), [['h', room]]))
    const message = sign(key, { kind: 9, tags: [['h', room]] })
    await client.store(message)
    expect((await client.live('room')).id).toBe(message.id)
    client.send(['CLOSE', 'room'])
  })

  test('channel kinds without an h tag are refused', async () => {
    const e = sign(newKey(), { kind: 9, content: 'lost' })
    expect(await client.publish(e)).toEqual({ accepted: false, message: 'invalid: channel-scoped events must include an h tag' })
  })
})

describe('clock window', () => {
  const pinned = 1_800_000_000
  let clocked: RelayInternals
  let c: TestClient
  beforeAll(async () => {
    clocked = await startTestRelay({ skewSeconds: 900 }, { clock: () => pinned * 1000 + 500 })
    c = await TestClient.connect(clocked.url)
  })
  afterAll(async () => {
    c.close()
    await clocked.close()
  })

  test.each([
    ['exactly 900 s in the past', -900, true],
    ['exactly 900 s in the future', 900, true],
    ['901 s in the past', -901, false],
    ['901 s in the future', 901, false],
    ['a day in the past', -86_400, false],
  ])('%s', async (_name, offset, accepted) => {
    const key = newKey()
    const e = persona(key, 'clock', pinned + offset)
    const answer = await c.publish(e)
    expect(answer).toEqual(accepted ? { accepted: true, message: '' } : { accepted: false, message: 'invalid: event timestamp too far from server time' })
  })

  test('the window applies to every kind, not only personas', async () => {
    const e = sign(newKey(), { kind: 1, created_at: pinned - 1000 })
    expect((await c.publish(e)).message).toBe('invalid: event timestamp too far from server time')
  })

  test('--skew changes the window and NIP-11 reports it', async () => {
    const narrow = await startTestRelay({ skewSeconds: 30 }, { clock: () => pinned * 1000 })
    const n = await TestClient.connect(narrow.url)
    expect((await n.publish(persona(newKey(), 'n', pinned + 30))).accepted).toBe(true)
    expect((await n.publish(persona(newKey(), 'n', pinned + 31))).accepted).toBe(false)
    const info = (await (await fetch(narrow.httpUrl, { headers: { accept: 'application/nostr+json' } })).json()) as {
      limitation: Record<string, number>
    }
    expect(info.limitation.created_at_lower_limit).toBe(30)
    expect(info.limitation.created_at_upper_limit).toBe(30)
    n.close()
    await narrow.close()
  })
})
