import { type RelayConnection, control, controlAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilter } from '../../spec/model/filter.ts'
import { ChannelMessageKind } from '../../spec/model/kinds.ts'
import { compareOldestFirst } from '../../spec/model/thread-query.ts'
import { ThreadQueryDefaultLimit, ThreadQueryMaxLimit } from '../../spec/model/thread.ts'
import { describeIds } from '../lib/reads.ts'
import { createChannel } from '../lib/origin.ts'
import { bridgeQuery, channelMessage, sameEvents, threadQuery } from '../lib/threads.ts'

/** Events published at once when a case writes hundreds. */
const PublishBatch = 25

/** Publishes events one at a time (a reply needs its parent stored), each a control. */
async function publishAll(ws: RelayConnection, events: readonly NostrEvent[]): Promise<void> {
  for (const event of events) controlAccepted(await ws.publish(event), event.content)
}

relayCase(
  {
    id: 'threads.depth-limit-query',
    title: 'a thread query returns the replies of depth 1 to depth_limit (0, 1, 2 and beyond the tree), never the root, in any order',
    requirements: ['AP-HTTP-7'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    // Depth 1: a, b, tie; depth 2: a1; depth 3: a1x.
    const a = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'a', created_at: t + 20 })
    const b = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'b', created_at: t + 10 })
    const a1 = channelMessage(c, channel, { root: root.id, reply: a.id, content: 'a1', created_at: t + 30 })
    const a1x = channelMessage(c, channel, { root: root.id, reply: a1.id, content: 'a1x', created_at: t + 30 })
    const tie = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'tie with a', created_at: t + 20 })
    const otherThread = channelMessage(c, channel, { content: 'another root', created_at: t + 1 })
    const otherReply = channelMessage(c, channel, { root: otherThread.id, reply: otherThread.id, content: 'reply in another thread', created_at: t + 2 })
    await publishAll(ws, [root, a, b, a1, a1x, tie, otherThread, otherReply])
    const depthOf = new Map<string, number>([[a.id, 1], [b.id, 1], [tie.id, 1], [a1.id, 2], [a1x.id, 3]])
    const tree = [a, b, tie, a1, a1x]
    for (const limit of [0, 1, 2, 3, 10]) {
      const got = await threadQuery(c, root.id, limit)
      if (got.some((e) => e.id === root.id)) violation(`depth_limit ${limit} returned the root itself`)
      const expected = tree.filter((e) => (depthOf.get(e.id) ?? 0) <= limit)
      if (!sameEvents(got, expected)) violation(`depth_limit ${limit} returned ${describeIds(got)}; expected, in any order, ${describeIds(expected)}`)
    }
  },
)

relayCase(
  {
    id: 'threads.query-limits',
    title: 'a thread query returns the 100 earliest replies without a limit, honours a smaller limit and returns at most the 500 earliest',
    requirements: ['AP-HTTP-8'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const t = c.now() - 600
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    controlAccepted(await ws.publish(root), 'the root')
    // 501 direct replies, each a second apart, published newest first so arrival order is not
    // time order; a batch at a time, so that no answer waits behind hundreds of others.
    const replies: NostrEvent[] = Array.from({ length: ThreadQueryMaxLimit + 1 }, (_, i) =>
      channelMessage(c, channel, { root: root.id, reply: root.id, content: `reply ${i}`, created_at: t + 1 + i }),
    )
    const newestFirst = [...replies].reverse()
    for (let i = 0; i < newestFirst.length; i += PublishBatch) {
      const answers = await Promise.all(newestFirst.slice(i, i + PublishBatch).map((e) => ws.publish(e)))
      answers.forEach((reply) => controlAccepted(reply, `reply ${reply.id.slice(0, 12)}`))
    }
    const oldest = [...replies].sort(compareOldestFirst)
    const checks: Array<[string, Record<string, unknown>, NostrEvent[]]> = [
      ['a thread query without limit', {}, oldest.slice(0, ThreadQueryDefaultLimit)],
      ['a thread query with limit 7', { limit: 7 }, oldest.slice(0, 7)],
      ['a thread query with limit 1000', { limit: 1000 }, oldest.slice(0, ThreadQueryMaxLimit)],
    ]
    for (const [what, extra, want] of checks) {
      const got = await threadQuery(c, root.id, 1, extra)
      if (!sameEvents(got, want)) violation(`${what} returned ${got.length} replies; expected the ${want.length} with the smallest created_at`)
    }
  },
)

relayCase(
  {
    id: 'threads.deleted-leave-answers',
    title: 'a deleted channel message disappears from thread query answers',
    requirements: ['AP-THREAD-10'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    const kept = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'kept', created_at: t + 1 })
    const gone = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'deleted', created_at: t + 2 })
    await publishAll(ws, [root, kept, gone])
    const before = await threadQuery(c, root.id, 5)
    control(sameEvents(before, [kept, gone]), `before the deletion the thread answer is ${describeIds(before)}, not the two replies`)
    const deletion = c.sign({ kind: 5, created_at: t + 10, tags: [['e', gone.id]] })
    controlAccepted(await ws.publish(deletion), "the author's e deletion of one reply")
    const after = await threadQuery(c, root.id, 5)
    if (!sameEvents(after, [kept])) violation(`after the deletion the thread answer is ${describeIds(after)}; expected only the reply that was not deleted`)
  },
)

relayCase(
  {
    id: 'threads.query-fallbacks',
    title: 'a filter whose depth_limit is not a non-negative integer, or whose #e has two values, is answered as an ordinary filter',
    requirements: ['AP-HTTP-10'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    const depth1 = channelMessage(c, channel, { root: root.id, reply: root.id, content: 'depth 1', created_at: t + 1 })
    const depth2 = channelMessage(c, channel, { root: root.id, reply: depth1.id, content: 'depth 2', created_at: t + 2 })
    const mention = channelMessage(c, channel, { tags: [['e', root.id, '', 'mention']], content: 'top-level, mentions the root', created_at: t + 3 })
    const root2 = channelMessage(c, channel, { content: 'root 2', created_at: t + 4 })
    const reply2 = channelMessage(c, channel, { root: root2.id, reply: root2.id, content: 'reply to root 2', created_at: t + 5 })
    const written = [root, depth1, depth2, mention, root2, reply2]
    await publishAll(ws, written)
    // Positive control: the relay does answer thread queries, and depth_limit 1 stops at depth 1.
    const thread = await threadQuery(c, root.id, 1)
    control(sameEvents(thread, [depth1]), `the thread query of the root with depth_limit 1 returned ${describeIds(thread)}, not the depth-1 reply`)
    const fallbacks: Array<[string, Record<string, unknown>]> = [
      ['depth_limit -1', { '#e': [root.id], depth_limit: -1 }],
      ['depth_limit 1.5', { '#e': [root.id], depth_limit: 1.5 }],
      ['depth_limit "1" (a string)', { '#e': [root.id], depth_limit: '1' }],
      ['two #e values with depth_limit 1', { '#e': [root.id, root2.id], depth_limit: 1 }],
    ]
    for (const [what, extension] of fallbacks) {
      const filter: Filter & Record<string, unknown> = { kinds: [ChannelMessageKind], ...extension }
      const got = await bridgeQuery(c, [filter], `a filter with ${what}`)
      const { depth_limit: _ignored, ...ordinary } = filter
      const want = written.filter((e) => matchFilter(ordinary as Filter, e))
      if (!sameEvents(got, want)) violation(`a filter with ${what} returned ${describeIds(got)}; as the ordinary filter it is, it matches ${describeIds(want)}`)
    }
  },
)
