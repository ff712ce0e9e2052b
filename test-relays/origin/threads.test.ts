import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from './event.ts'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, post, sign, type Key, type TestClient } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

beforeAll(async () => {
  relay = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await relay.close()
})

interface Room {
  key: Key
  c: TestClient
  channel: string
  say(tags?: string[][], content?: string): Promise<{ ev: NostrEvent; ok: unknown[] }>
}

/** A fresh open channel created by a fresh author (kind 9007 with a UUID h and a name). */
async function room(): Promise<Room> {
  const key = newKey()
  const c = await authed(relay.url, key)
  open.push(c)
  const channel = crypto.randomUUID()
  const create = sign(key, 9007, [['h', channel], ['name', 'room']])
  expect(await c.publish(create)).toEqual(['OK', create.id, true, ''])
  let n = 0
  return {
    key,
    c,
    channel,
    async say(tags = [], content = `m${n++}`) {
      const ev = sign(key, 9, [['h', channel], ...tags], content)
      return { ev, ok: await c.publish(ev) }
    },
  }
}

const e = (id: string, marker: string): string[] => ['e', id, '', marker]

async function threadOf(r: Room, root: string, depthLimit = 100): Promise<string[]> {
  const body = JSON.stringify([{ kinds: [9], '#e': [root], depth_limit: depthLimit }])
  const res = await post(relay.httpUrl, '/query', body, r.key)
  expect(res.status).toBe(200)
  return (res.body as NostrEvent[]).map((x) => x.id)
}

describe('channels (§4)', () => {
  test('a kind 9 without a UUID h is refused; every UUID spelling is a channel', async () => {
    const r = await room()
    for (const tags of [[], [['h', 'general']], [['h', `${r.channel}x`]]]) {
      const ev = sign(r.key, 9, tags, 'x')
      expect(await r.c.publish(ev)).toEqual(['OK', ev.id, false, 'invalid: channel-scoped events must include an h tag'])
    }
    const hex = r.channel.replaceAll('-', '')
    for (const spelling of [r.channel, r.channel.toUpperCase(), hex, `{${r.channel}}`, `urn:uuid:${r.channel}`]) {
      const ev = sign(r.key, 9, [['h', spelling]], spelling)
      expect((await r.c.publish(ev))[2]).toBe(true)
    }
  })

  test('a kind 9 to a channel that does not exist is refused: restricted: not a channel member', async () => {
    const key = newKey()
    const c = await authed(relay.url, key)
    open.push(c)
    const ev = sign(key, 9, [['h', crypto.randomUUID()]], 'x')
    expect(await c.publish(ev)).toEqual(['OK', ev.id, false, 'restricted: not a channel member'])
  })

  test('anyone may post in an open channel; only members in a private one', async () => {
    const owner = newKey()
    const oc = await authed(relay.url, owner)
    const other = newKey()
    const xc = await authed(relay.url, other)
    open.push(oc, xc)
    const openCh = crypto.randomUUID()
    const privCh = crypto.randomUUID()
    await oc.publish(sign(owner, 9007, [['h', openCh], ['name', 'o']]))
    await oc.publish(sign(owner, 9007, [['h', privCh], ['name', 'p'], ['visibility', 'private']]))
    expect((await xc.publish(sign(other, 9, [['h', openCh]], 'hi')))[2]).toBe(true)
    expect((await xc.publish(sign(other, 9, [['h', privCh]], 'hi')))[3]).toBe('restricted: not a channel member')
    await oc.publish(sign(owner, 9000, [['h', privCh], ['p', other.pk]]))
    expect((await xc.publish(sign(other, 9, [['h', privCh]], 'now')))[2]).toBe(true)
  })

  test('creating an existing channel again answers accepted false "duplicate: channel already exists"', async () => {
    const r = await room()
    const again = sign(r.key, 9007, [['h', r.channel], ['name', 'again']])
    expect(await r.c.publish(again)).toEqual(['OK', again.id, false, 'duplicate: channel already exists'])
  })
})

describe('thread markers (§4)', () => {
  test('reply alone: root = parent; root and reply: root from root, parent from reply', async () => {
    const r = await room()
    const top = await r.say()
    const a = await r.say([e(top.ev.id, 'reply')])
    expect(a.ok[2]).toBe(true)
    const b = await r.say([e(top.ev.id, 'root'), e(a.ev.id, 'reply')])
    expect(b.ok[2]).toBe(true)
    expect((await threadOf(r, top.ev.id)).sort()).toEqual([a.ev.id, b.ev.id].sort())
    expect(await threadOf(r, top.ev.id, 1)).toEqual([a.ev.id])
  })

  test('a reply alone to a reply is refused: root tag does not match thread ancestry', async () => {
    const r = await room()
    const top = await r.say()
    const a = await r.say([e(top.ev.id, 'reply')])
    const bad = await r.say([e(a.ev.id, 'reply')])
    expect(bad.ok).toEqual(['OK', bad.ev.id, false, 'invalid: root tag does not match thread ancestry'])
  })

  test('root alone is top-level: the root is not even looked up', async () => {
    const r = await room()
    const ghost = 'a'.repeat(64)
    const ev = await r.say([e(ghost, 'root')])
    expect(ev.ok[2]).toBe(true)
    expect(await threadOf(r, ghost)).toEqual([])
  })

  test('when a marker repeats, the last tag wins', async () => {
    const r = await room()
    const top = await r.say()
    const ev = await r.say([e('b'.repeat(64), 'reply'), e(top.ev.id, 'reply')])
    expect(ev.ok[2]).toBe(true)
    expect(await threadOf(r, top.ev.id)).toEqual([ev.ev.id])
    const wrongLast = await r.say([e(top.ev.id, 'root'), e('c'.repeat(64), 'root'), e(top.ev.id, 'reply')])
    expect(wrongLast.ok[3]).toBe('invalid: root tag does not match thread ancestry')
  })

  test('three-element and positional e tags are ignored (the event is top-level)', async () => {
    const r = await room()
    const ghost = 'd'.repeat(64)
    for (const tag of [['e', ghost, 'reply'], ['e', ghost], ['e', ghost, '', 'mention']]) {
      expect((await r.say([tag])).ok[2]).toBe(true)
    }
  })

  test('parent lookups: not found, other channel, no channel', async () => {
    const r = await room()
    const other = await room()
    const elsewhere = await other.say()
    const note = sign(r.key, 1, [], 'global note')
    await r.c.publish(note)
    const missing = await r.say([e('e'.repeat(64), 'reply')])
    expect(missing.ok[3]).toBe('invalid: reply parent not found')
    // The parent is in a channel this author may read (open) but not the one the reply names.
    const cross = await r.say([e(elsewhere.ev.id, 'reply')])
    expect(cross.ok[3]).toBe('invalid: parent event belongs to a different channel')
    const global = await r.say([e(note.id, 'reply')])
    expect(global.ok[3]).toBe('invalid: parent event has no channel association')
  })

  test('a lone reply to a top-level message that carries its own root mark is refused until that message has a reply', async () => {
    const r = await room()
    const x = await r.say()
    const p = await r.say([e(x.ev.id, 'root')])
    const lone = await r.say([e(p.ev.id, 'reply')])
    expect(lone.ok[3]).toBe('invalid: root tag does not match thread ancestry')
    const viaX = await r.say([e(x.ev.id, 'root'), e(p.ev.id, 'reply')])
    expect(viaX.ok[2]).toBe(true)
    // p now has a thread record of its own (depth 0, no root): a lone reply names it as the root.
    const later = await r.say([e(p.ev.id, 'reply')])
    expect(later.ok[2]).toBe(true)
    const viaXAgain = await r.say([e(x.ev.id, 'root'), e(p.ev.id, 'reply')])
    expect(viaXAgain.ok[3]).toBe('invalid: root tag does not match thread ancestry')
  })

  test('depth 100 is accepted, depth 101 is refused: thread depth limit exceeded', async () => {
    const r = await room()
    const top = await r.say()
    let parent = top.ev.id
    for (let depth = 1; depth <= 100; depth++) {
      const reply = await r.say([e(top.ev.id, 'root'), e(parent, 'reply')])
      expect(reply.ok[2]).toBe(true)
      parent = reply.ev.id
    }
    const tooDeep = await r.say([e(top.ev.id, 'root'), e(parent, 'reply')])
    expect(tooDeep.ok[3]).toBe('invalid: thread depth limit exceeded')
  })

  test('a broadcast tag with extra elements is accepted', async () => {
    const r = await room()
    const top = await r.say()
    const ev = await r.say([e(top.ev.id, 'reply'), ['broadcast', '1', 'extra']])
    expect(ev.ok[2]).toBe(true)
  })
})
