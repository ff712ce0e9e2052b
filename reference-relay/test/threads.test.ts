/**
 * Channel threads over real sockets: NIP-10 placement at ingest (every refusal, in table
 * order, through both doors), broadcast and top-level rules, the depth_limit and top_level
 * reads of POST /query, their limits, deletion, and thread facts in SQLite across a restart.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { MaxThreadDepth, ThreadQueryDefaultLimit, ThreadQueryMaxLimit, ThreadRefusals } from '../../spec/model/thread.ts'
import type { RelayInternals } from '../src/relay.ts'
import { deletion, type Key, memoryStoreOf, newKey, nowSeconds, persona, sign, startTestRelay, TestClient } from './helpers.ts'
import { request } from './http-helpers.ts'

let relay: RelayInternals
let ws: TestClient
const reader = newKey()

beforeAll(async () => {
  relay = await startTestRelay()
  ws = await TestClient.connect(relay.url)
})
afterAll(async () => {
  ws.close()
  await relay.close()
})

const query = async (filters: unknown[], target: RelayInternals = relay): Promise<string[]> => {
  const reply = await request(target.httpUrl, '/query', filters, { key: reader })
  expect(reply.status).toBe(200)
  return (reply.json as NostrEvent[]).map((event) => event.id)
}
const count = async (filters: unknown[]): Promise<unknown> => (await request(relay.httpUrl, '/count', filters, { key: reader })).json

let channels = 0
/** A fresh channel and author; its messages get increasing created_at so "oldest first" is visible. */
function channel(key: Key = newKey(), name = `room-${++channels}`) {
  const base = nowSeconds() - 300
  let step = 0
  const message = (tags: string[][] = [], options: { created_at?: number; content?: string } = {}) =>
    sign(key, { kind: 9, created_at: options.created_at ?? base + step++, tags: [['h', name], ...tags], content: options.content ?? '' })
  const rootTags = (root: NostrEvent) => [['e', root.id, '', 'root']]
  const replyTo = (root: NostrEvent, parent: NostrEvent, tags: string[][] = [], options = {}) =>
    message([['e', root.id, '', 'root'], ['e', parent.id, '', 'reply'], ...tags], options)
  return { key, name, message, rootTags, replyTo }
}

async function stored(event: NostrEvent): Promise<NostrEvent> {
  await ws.store(event)
  return event
}

describe('placement at ingest', () => {
  test('a message without markers is a root; lone reply, lone root and root+reply markers place replies', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const loneReply = await stored(ch.message([['e', root.id, '', 'reply']]))
    const loneRoot = await stored(ch.message([['e', root.id, '', 'root']]))
    const deeper = await stored(ch.replyTo(root, loneReply))
    const deeperByReplyOnly = await stored(ch.message([['e', deeper.id, '', 'reply']]))
    expect(memoryStoreOf(relay).getThreaded(root.id)?.thread).toMatchObject({ root: root.id, depth: 0 })
    expect(memoryStoreOf(relay).getThreaded(loneReply.id)?.thread).toMatchObject({ root: root.id, parent: root.id, depth: 1 })
    expect(memoryStoreOf(relay).getThreaded(loneRoot.id)?.thread).toMatchObject({ root: root.id, parent: root.id, depth: 1 })
    expect(memoryStoreOf(relay).getThreaded(deeper.id)?.thread).toMatchObject({ root: root.id, parent: loneReply.id, depth: 2 })
    expect(memoryStoreOf(relay).getThreaded(deeperByReplyOnly.id)?.thread).toMatchObject({ root: root.id, depth: 3 })
  })

  test('unmarked e tags are not thread references', async () => {
    const ch = channel()
    const mention = await stored(ch.message([['e', 'f'.repeat(64)]]))
    expect(memoryStoreOf(relay).getThreaded(mention.id)?.thread).toMatchObject({ root: mention.id, depth: 0 })
  })

  test('each refusal of the placement table, with its exact message, through both doors', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const otherRoot = await stored(ch.message([['t', 'second root']]))
    const child = await stored(ch.message([['e', root.id, '', 'reply']]))
    const elsewhere = channel()
    const refusals: Array<[NostrEvent, string]> = [
      [ch.message([['e', 'a'.repeat(64), '', 'reply']]), ThreadRefusals.parentMissing],
      [elsewhere.message([['e', root.id, '', 'reply']]), ThreadRefusals.otherChannel],
      [ch.message([['e', otherRoot.id, '', 'root'], ['e', child.id, '', 'reply']]), ThreadRefusals.rootMismatch],
      [ch.message([['e', child.id, '', 'root'], ['e', child.id, '', 'reply']]), ThreadRefusals.rootMismatch],
    ]
    for (const [event, message] of refusals) {
      expect(await ws.publish(event)).toEqual({ accepted: false, message })
      expect(await request(relay.httpUrl, '/events', event, { key: reader })).toMatchObject({ status: 400, json: { error: message } })
    }
  })

  test('checks apply in table order: missing parent, then channel, then root', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const other = await stored(ch.message([['t', 'x']]))
    const elsewhere = channel()
    // Missing parent and a wrong root: the parent check comes first.
    expect(await ws.publish(ch.message([['e', other.id, '', 'root'], ['e', 'b'.repeat(64), '', 'reply']]))).toMatchObject({
      message: ThreadRefusals.parentMissing,
    })
    // Another channel and a wrong root: the channel check comes first.
    expect(await ws.publish(elsewhere.message([['e', other.id, '', 'root'], ['e', root.id, '', 'reply']]))).toMatchObject({
      message: ThreadRefusals.otherChannel,
    })
  })

  test(`depth ${MaxThreadDepth} is accepted, ${MaxThreadDepth + 1} refused`, async () => {
    const ch = channel()
    const root = await stored(ch.message())
    let parent = root
    for (let depth = 1; depth <= MaxThreadDepth; depth += 1) parent = await stored(ch.replyTo(root, parent))
    expect(memoryStoreOf(relay).getThreaded(parent.id)?.thread?.depth).toBe(MaxThreadDepth)
    const tooDeep = ch.replyTo(root, parent)
    expect(await ws.publish(tooDeep)).toEqual({ accepted: false, message: ThreadRefusals.tooDeep })
    expect((await request(relay.httpUrl, '/events', tooDeep, { key: reader })).json).toEqual({ error: ThreadRefusals.tooDeep })
  })

  test('a reply in the same batch as its parent is placed (parent written first)', async () => {
    const ch = channel()
    const root = ch.message()
    const reply = ch.message([['e', root.id, '', 'reply']])
    ws.send(['EVENT', root])
    ws.send(['EVENT', reply])
    const answers = await Promise.all([root, reply].map((e) => ws.next((f) => f[0] === 'OK' && f[1] === e.id)))
    expect(answers.map((f) => f[2])).toEqual([true, true])
    expect(memoryStoreOf(relay).getThreaded(reply.id)?.thread?.depth).toBe(1)
  })

  test('threads cross doors: a root posted over HTTP, replied to over WebSocket', async () => {
    const ch = channel()
    const root = ch.message()
    expect((await request(relay.httpUrl, '/events', root, { key: reader })).status).toBe(200)
    const reply = await stored(ch.message([['e', root.id, '', 'reply']]))
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual([reply.id])
  })
})

describe('broadcast and top level', () => {
  test('only a tag exactly ["broadcast","1"] lifts a depth-1 reply to top level; depth 2 never', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const exact = await stored(ch.message([['e', root.id, '', 'reply'], ['broadcast', '1']]))
    const lookalikes = [['broadcast', 'true'], ['broadcast', '1', 'x'], ['broadcast'], ['broadcast', '0']]
    for (const tag of lookalikes) await stored(ch.message([['e', root.id, '', 'reply'], tag]))
    const plainReply = await stored(ch.message([['e', root.id, '', 'reply']]))
    await stored(ch.replyTo(root, plainReply, [['broadcast', '1']]))
    expect(await query([{ '#h': [ch.name], top_level: true }])).toEqual([exact.id, root.id])
  })

  test('top level: roots and unthreaded channel events, newest first; other channels and global-only kinds never', async () => {
    const ch = channel()
    const older = await stored(ch.message())
    const article = await stored(sign(ch.key, { kind: 11, created_at: nowSeconds() - 10, tags: [['h', ch.name]] }))
    const newer = await stored(ch.message())
    await stored(persona(ch.key, 'in-a-channel', nowSeconds(), [['h', ch.name]]))
    await stored(channel().message())
    const top = await query([{ '#h': [ch.name], top_level: true }])
    const expected = [older, article, newer].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1)).map((e) => e.id)
    expect(top).toEqual(expected)
  })

  test('other conditions of a top-level filter apply', async () => {
    const ch = channel()
    const mine = await stored(ch.message())
    const theirs = channel(newKey(), ch.name)
    await stored(theirs.message())
    expect(await query([{ '#h': [ch.name], top_level: true, authors: [ch.key.pk] }])).toEqual([mine.id])
    expect(await query([{ '#h': [ch.name], top_level: true, kinds: [1] }])).toEqual([])
  })
})

describe('thread query (depth_limit + one #e)', () => {
  async function thread() {
    const ch = channel()
    const root = await stored(ch.message())
    const a = await stored(ch.message([['e', root.id, '', 'reply']]))
    const b = await stored(ch.message([['e', root.id, '', 'reply']], { content: 'b' }))
    const aa = await stored(ch.replyTo(root, a))
    const aaa = await stored(ch.replyTo(root, aa))
    return { ch, root, a, b, aa, aaa }
  }

  test('replies up to depth_limit, never the root, oldest first', async () => {
    const { root, a, b, aa, aaa } = await thread()
    expect(await query([{ '#e': [root.id], depth_limit: 0 }])).toEqual([])
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual([a.id, b.id])
    expect(await query([{ '#e': [root.id], depth_limit: 2 }])).toEqual([a.id, b.id, aa.id])
    expect(await query([{ '#e': [root.id], depth_limit: 100 }])).toEqual([a.id, b.id, aa.id, aaa.id])
  })

  test('equal created_at: lowest id first', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const at = nowSeconds() - 5
    const twins = [
      await stored(ch.message([['e', root.id, '', 'reply']], { created_at: at, content: 'one' })),
      await stored(ch.message([['e', root.id, '', 'reply']], { created_at: at, content: 'two' })),
    ]
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual(twins.map((e) => e.id).sort())
  })

  test('a reply id is not a root; remaining conditions apply; limit keeps the oldest', async () => {
    const { root, a, b, aa } = await thread()
    expect(await query([{ '#e': [a.id], depth_limit: 5 }])).toEqual([])
    expect(await query([{ '#e': [root.id], depth_limit: 5, ids: [b.id, aa.id] }])).toEqual([b.id, aa.id])
    expect(await query([{ '#e': [root.id], depth_limit: 5, limit: 2 }])).toEqual([a.id, b.id])
  })

  test('a depth_limit filter that is not a thread query is an ordinary NIP-01 filter', async () => {
    const { root, a, b, aa, aaa } = await thread()
    // Ordinary #e matching: events tagging the root (the lone-reply and root-marked replies), newest first.
    const tagging = [aaa, aa, b, a].map((e) => e.id)
    expect(await query([{ '#e': [root.id], depth_limit: -1 }])).toEqual(tagging)
    expect(await query([{ '#e': [root.id], depth_limit: 1.5 }])).toEqual(tagging)
    expect(await query([{ '#e': [root.id], depth_limit: '1' }])).toEqual(tagging)
    expect(await query([{ '#e': [root.id, a.id], depth_limit: 1 }])).toEqual([aaa, aa, b, a].map((e) => e.id))
    expect(await query([{ '#e': [root.id.toUpperCase()], depth_limit: 1 }])).toEqual([])
  })

  test('WebSocket REQ does not know the extension: depth_limit is ignored there', async () => {
    const { root, a, b, aa, aaa } = await thread()
    expect(await ws.ids('thread-over-ws', { '#e': [root.id], depth_limit: 1 } as never)).toEqual([aaa, aa, b, a].map((e) => e.id))
  })

  test('with other filters: each answered on its own, in request order, no repeats', async () => {
    const { ch, root, a, b, aaa } = await thread()
    const answer = await query([{ '#e': [root.id], depth_limit: 1 }, { '#h': [ch.name], top_level: true }, { ids: [a.id, aaa.id] }])
    expect(answer).toEqual([a.id, b.id, root.id, aaa.id])
    expect(await count([{ '#e': [root.id], depth_limit: 1, limit: 1 }, { ids: [a.id, aaa.id] }])).toEqual({ count: 3 })
  })
})

describe('thread and top-level limits (default 100, at most 500)', () => {
  let seeded: { root: NostrEvent; replies: NostrEvent[]; channel: string }
  beforeAll(() => {
    // 600 replies seeded straight into storage with their thread facts: publishing them one
    // by one would only make this slow, and the read path is what is under test.
    const ch = channel()
    const base = nowSeconds() - 1000
    const root = ch.message([], { created_at: base - 1 })
    memoryStoreOf(relay).insert(root, { root: root.id, parent: null, depth: 0, broadcast: false })
    const replies: NostrEvent[] = []
    for (let i = 0; i < 600; i += 1) {
      const reply = { ...ch.message([['e', root.id, '', 'reply'], ['broadcast', '1']], { created_at: base + i }) }
      memoryStoreOf(relay).insert(reply, { root: root.id, parent: root.id, depth: 1, broadcast: true })
      replies.push(reply)
    }
    seeded = { root, replies, channel: ch.name }
  })

  test('thread query: 100 oldest by default, 500 at most, a smaller limit as asked', async () => {
    const { root, replies } = seeded
    const ids = replies.map((e) => e.id)
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual(ids.slice(0, ThreadQueryDefaultLimit))
    expect(await query([{ '#e': [root.id], depth_limit: 1, limit: 10_000 }])).toEqual(ids.slice(0, ThreadQueryMaxLimit))
    expect(await query([{ '#e': [root.id], depth_limit: 1, limit: 7 }])).toEqual(ids.slice(0, 7))
  })

  test('top level: 100 newest by default, 500 at most', async () => {
    const newestFirst = [...seeded.replies].reverse().map((e) => e.id)
    expect(await query([{ '#h': [seeded.channel], top_level: true }])).toEqual(newestFirst.slice(0, ThreadQueryDefaultLimit))
    expect(await query([{ '#h': [seeded.channel], top_level: true, limit: 501 }])).toEqual(newestFirst.slice(0, ThreadQueryMaxLimit))
  })

  test('/count of a thread query counts past the limits', async () => {
    expect(await count([{ '#e': [seeded.root.id], depth_limit: 1 }])).toEqual({ count: 600 })
    expect(await count([{ '#h': [seeded.channel], top_level: true, limit: 3 }])).toEqual({ count: 601 })
  })
})

describe('deletion', () => {
  test('a deleted reply leaves thread and top-level answers; replying to it is refused', async () => {
    const ch = channel()
    const root = await stored(ch.message())
    const broadcast = await stored(ch.message([['e', root.id, '', 'reply'], ['broadcast', '1']]))
    const other = await stored(ch.message([['e', root.id, '', 'reply']], { content: 'stays' }))
    expect(await query([{ '#h': [ch.name], top_level: true }])).toContain(broadcast.id)
    await stored(deletion(ch.key, [['e', broadcast.id], ['k', '9']]))
    expect(await query([{ '#e': [root.id], depth_limit: 1 }])).toEqual([other.id])
    expect(await query([{ '#h': [ch.name], top_level: true }])).toEqual([root.id])
    expect(memoryStoreOf(relay).getThreaded(broadcast.id)).toBeUndefined()
    expect(await ws.publish(ch.message([['e', broadcast.id, '', 'reply']]))).toEqual({ accepted: false, message: ThreadRefusals.parentMissing })
  })
})

describe('SQLite', () => {
  test('thread facts are durable: the same answers after a restart on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threads-db-'))
    try {
      const db = join(dir, 'relay.db')
      const first = await startTestRelay({ db })
      const c = await TestClient.connect(first.url)
      const ch = channel()
      const root = ch.message()
      const a = ch.message([['e', root.id, '', 'reply'], ['broadcast', '1']])
      const aa = ch.replyTo(root, a)
      for (const event of [root, a, aa]) await c.store(event)
      const before = [await query([{ '#e': [root.id], depth_limit: 5 }], first), await query([{ '#h': [ch.name], top_level: true }], first)]
      c.close()
      await first.close()
      const second = await startTestRelay({ db })
      try {
        const after = [await query([{ '#e': [root.id], depth_limit: 5 }], second), await query([{ '#h': [ch.name], top_level: true }], second)]
        expect(after).toEqual(before)
        expect(after).toEqual([
          [a.id, aa.id],
          [a.id, root.id],
        ])
      } finally {
        await second.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
