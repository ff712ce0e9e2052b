import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareOldestFirst } from '../../spec/model/thread-query.ts'
import { describeIds } from '../lib/reads.ts'
import { channelMessage, ids, threadQuery, topLevelQuery } from '../lib/threads.ts'

relayCase(
  {
    id: 'threads.depth-limit-query',
    title: 'a thread query returns the replies of depth 1 to depth_limit (0, 1, 2 and beyond the tree), never the root, oldest first',
    requirements: ['AP-HTTP-7'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('tree')
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    // Depth 1: a, b (b older than a, to test ordering by time not arrival); depth 2: a1; depth 3: a1x.
    const a = channelMessage(c, channel, { root: root.id, content: 'a', created_at: t + 20 })
    const b = channelMessage(c, channel, { root: root.id, content: 'b', created_at: t + 10 })
    const a1 = channelMessage(c, channel, { root: root.id, reply: a.id, content: 'a1', created_at: t + 30 })
    const a1x = channelMessage(c, channel, { root: root.id, reply: a1.id, content: 'a1x', created_at: t + 30 })
    const tie = channelMessage(c, channel, { root: root.id, content: 'tie with a', created_at: t + 20 })
    const otherThread = channelMessage(c, channel, { content: 'another root', created_at: t + 1 })
    const otherReply = channelMessage(c, channel, { root: otherThread.id, content: 'reply in another thread', created_at: t + 2 })
    for (const event of [root, a, b, a1, a1x, tie, otherThread, otherReply]) expectAccepted(await ws.publish(event), event.content)
    const depthOf = new Map<string, number>([[a.id, 1], [b.id, 1], [tie.id, 1], [a1.id, 2], [a1x.id, 3]])
    const tree = [a, b, tie, a1, a1x]
    for (const limit of [0, 1, 2, 3, 10]) {
      const got = await threadQuery(c, root.id, limit)
      if (got.some((e) => e.id === root.id)) violation(`depth_limit ${limit} returned the root itself`)
      const expected = tree.filter((e) => (depthOf.get(e.id) ?? 0) <= limit).sort(compareOldestFirst)
      if (ids(got).join() !== ids(expected).join()) {
        violation(`depth_limit ${limit} returned ${describeIds(got)}; expected oldest first (ties lowest id first) ${describeIds(expected)}`)
      }
    }
    const narrowed = await threadQuery(c, root.id, 10, { since: t + 20, until: t + 30 })
    const wantNarrowed = tree.filter((e) => e.created_at >= t + 20 && e.created_at <= t + 30).sort(compareOldestFirst)
    if (ids(narrowed).join() !== ids(wantNarrowed).join()) {
      violation(`a thread query with since/until returned ${describeIds(narrowed)}, expected ${describeIds(wantNarrowed)}`)
    }
  },
)

relayCase(
  {
    id: 'threads.query-limits',
    title: 'thread and top-level queries return 100 events without a limit, honour a smaller limit and never return more than 500',
    requirements: ['AP-HTTP-8'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('crowd')
    const t = c.now() - 600
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    expectAccepted(await ws.publish(root), 'the root')
    // 501 depth-1 broadcast replies: 501 thread replies and, with the root, 502 top-level events.
    const replies: NostrEvent[] = Array.from({ length: 501 }, (_, i) =>
      channelMessage(c, channel, { root: root.id, broadcast: true, content: `reply ${i}`, created_at: t + 1 + i }),
    )
    const answers = await Promise.all(replies.map((e) => ws.publish(e)))
    answers.forEach((reply, i) => expectAccepted(reply, `reply ${i}`))
    const oldest = [...replies].sort(compareOldestFirst)
    const checks: Array<[string, Promise<NostrEvent[]>, string[]]> = [
      ['a thread query without limit', threadQuery(c, root.id, 1), ids(oldest.slice(0, 100))],
      ['a thread query with limit 7', threadQuery(c, root.id, 1, { limit: 7 }), ids(oldest.slice(0, 7))],
      ['a thread query with limit 1000', threadQuery(c, root.id, 1, { limit: 1000 }), ids(oldest.slice(0, 500))],
    ]
    for (const [what, pending, want] of checks) {
      const got = await pending
      if (ids(got).join() !== want.join()) violation(`${what} returned ${got.length} events, expected the ${want.length} oldest replies in order`)
    }
    for (const [what, extra, count] of [
      ['a top-level query without limit', {}, 100],
      ['a top-level query with limit 1000', { limit: 1000 }, 500],
    ] as const) {
      const got = await topLevelQuery(c, channel, extra)
      if (got.length !== count) violation(`${what} returned ${got.length} events, expected ${count}`)
    }
  },
)

relayCase(
  {
    id: 'threads.deleted-leave-answers',
    title: 'a deleted channel message disappears from thread and top-level answers',
    requirements: ['AP-THREAD-10'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('deleted')
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    const reply = channelMessage(c, channel, { root: root.id, broadcast: true, content: 'reply', created_at: t + 1 })
    const root2 = channelMessage(c, channel, { content: 'second root', created_at: t + 2 })
    for (const event of [root, reply, root2]) expectAccepted(await ws.publish(event), event.content)
    const deletion = c.sign({ kind: 5, created_at: t + 10, tags: [['e', reply.id], ['e', root2.id], ['k', '9']] })
    expectAccepted(await ws.publish(deletion), 'the author\'s e deletion of a reply and a root')
    const thread = ids(await threadQuery(c, root.id, 5))
    if (thread.includes(reply.id)) violation('the deleted reply is still in the thread answer')
    const feed = ids(await topLevelQuery(c, channel))
    const leaked = [reply, root2].filter((e) => feed.includes(e.id))
    if (leaked.length > 0) violation(`deleted messages are still in the top-level feed: ${describeIds(leaked)}`)
    if (!feed.includes(root.id)) violation('the root that was not deleted is missing from the top-level feed')
  },
)
