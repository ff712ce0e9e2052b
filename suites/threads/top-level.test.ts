import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareForQuery } from '../../spec/model/filter.ts'
import { channelMessage, ids, topLevelQuery } from '../lib/threads.ts'
import { describeIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'threads.broadcast-exact',
    title: 'only a reply carrying exactly ["broadcast","1"] is broadcast (shown at top level)',
    requirements: ['AP-THREAD-8', 'AP-HTTP-9'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('broadcast')
    const root = channelMessage(c, channel, { content: 'root' })
    expectAccepted(await ws.publish(root), 'the root')
    const exact = channelMessage(c, channel, { root: root.id, broadcast: true, content: 'broadcast 1' })
    const lookalikes = [['broadcast', 'true'], ['broadcast', '1', 'x'], ['broadcast'], ['Broadcast', '1']].map((tag) =>
      channelMessage(c, channel, { root: root.id, tags: [tag], content: `not broadcast: ${JSON.stringify(tag)}` }),
    )
    for (const event of [exact, ...lookalikes]) expectAccepted(await ws.publish(event), event.content)
    const feed = ids(await topLevelQuery(c, channel))
    if (!feed.includes(exact.id)) violation('the reply with ["broadcast","1"] is missing from the top-level feed')
    const leaked = lookalikes.filter((e) => feed.includes(e.id))
    if (leaked.length > 0) violation(`replies without the exact broadcast tag are at top level: ${leaked.map((e) => e.content).join('; ')}`)
  },
)

relayCase(
  {
    id: 'threads.top-level-feed',
    title: 'the top-level feed lists roots and depth-1 broadcast replies, never depth 2 or more, newest first',
    requirements: ['AP-THREAD-9', 'AP-HTTP-9'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('feed')
    const t = c.now() - 60
    const root = channelMessage(c, channel, { content: 'root', created_at: t })
    const root2 = channelMessage(c, channel, { content: 'second root', created_at: t + 30 })
    const broadcast1 = channelMessage(c, channel, { root: root.id, broadcast: true, content: 'depth 1 broadcast', created_at: t + 10 })
    const plain1 = channelMessage(c, channel, { root: root.id, content: 'depth 1 plain', created_at: t + 11 })
    const broadcast2 = channelMessage(c, channel, { root: root.id, reply: broadcast1.id, broadcast: true, content: 'depth 2 broadcast', created_at: t + 12 })
    const plain2 = channelMessage(c, channel, { root: root.id, reply: plain1.id, content: 'depth 2 plain', created_at: t + 13 })
    const elsewhere = channelMessage(c, c.slug('other'), { content: 'another channel', created_at: t + 5 })
    for (const event of [root, root2, broadcast1, plain1, broadcast2, plain2, elsewhere]) expectAccepted(await ws.publish(event), event.content)
    const feed = await topLevelQuery(c, channel)
    const expected = [root, root2, broadcast1].sort(compareForQuery)
    if (ids(feed).join() !== ids(expected).join()) {
      violation(`the top-level feed is ${describeIds(feed)}; expected newest first ${describeIds(expected)} (root 2, depth-1 broadcast, root)`)
    }
    const narrowed = await topLevelQuery(c, channel, { since: t + 5 })
    if (ids(narrowed).join() !== ids([root2, broadcast1]).join()) {
      violation(`top-level with since=${t + 5} returned ${describeIds(narrowed)}; other filter conditions apply too`)
    }
  },
)
