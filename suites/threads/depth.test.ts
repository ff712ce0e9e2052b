import { type CaseContext, type RelayConnection, controlAccepted, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { MaxThreadDepth, OriginThreadRefusals } from '../../spec/model/thread.ts'
import { createChannel, publishRefused } from '../lib/origin.ts'
import { channelMessage, ghostId, sortedIds, threadQuery } from '../lib/threads.ts'

/** A root and a chain of replies down to `depth`, each replying to the previous one. */
async function chain(c: CaseContext, ws: RelayConnection, channel: string, depth: number): Promise<NostrEvent[]> {
  const root = channelMessage(c, channel, { content: 'depth 0' })
  controlAccepted(await ws.publish(root), 'the root')
  const events = [root]
  // One at a time: a relay need not place a child whose parent it is still storing.
  for (let d = 1; d <= depth; d += 1) {
    const parent = events[d - 1] as NostrEvent
    const reply = channelMessage(c, channel, { root: root.id, reply: parent.id, content: `depth ${d}`, created_at: root.created_at })
    // Depth 100 is within the limit: refusing it is a failure of this case, not a failed control.
    expectAccepted(await ws.publish(reply), `the reply at depth ${d}`)
    events.push(reply)
  }
  return events
}

relayCase(
  {
    id: 'threads.depth-limit',
    title: 'replies down to depth 100 are accepted; a reply at depth 101 is refused with invalid: thread depth limit exceeded (after the root check)',
    requirements: ['AP-THREAD-6', 'AP-THREAD-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const events = await chain(c, ws, channel, MaxThreadDepth)
    const root = events[0] as NostrEvent
    const deepest = events[MaxThreadDepth] as NostrEvent
    const otherRoot = channelMessage(c, channel, { content: 'another root' })
    controlAccepted(await ws.publish(otherRoot), 'another root')
    await publishRefused(
      ws,
      channelMessage(c, channel, { root: otherRoot.id, reply: deepest.id, content: 'depth 101, wrong root' }),
      OriginThreadRefusals.rootMismatch,
      'a reply at depth 101 with a wrong root marker (the root check comes before the depth check)',
    )
    await publishRefused(ws, channelMessage(c, channel, { root: root.id, reply: deepest.id, content: 'depth 101' }), OriginThreadRefusals.tooDeep, 'a reply at depth 101')
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: depths not read back')
    // Depth is parent depth + 1: depth_limit d returns exactly the chain's first d replies.
    for (const limit of [1, 2, 99, 100]) {
      const got = await threadQuery(c, root.id, limit)
      const want = events.slice(1, limit + 1)
      if (sortedIds(got).join() !== sortedIds(want).join()) {
        violation(`depth_limit ${limit} on a chain of 100 returned ${got.length} replies, expected the ${want.length} of depth 1..${limit}`)
      }
    }
  },
)

relayCase(
  {
    id: 'threads.placement-check-order',
    title: 'a reply failing several placement checks is refused with the first in table order',
    requirements: ['AP-THREAD-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const a = await createChannel(c, ws)
    const b = await createChannel(c, ws)
    const ghost = ghostId(c, a)
    const rootA = channelMessage(c, a, { content: 'root in A' })
    const otherRoot = channelMessage(c, a, { content: 'another root in A' })
    controlAccepted(await ws.publish(rootA), 'a root in A')
    controlAccepted(await ws.publish(otherRoot), 'another root in A')
    controlAccepted(await ws.publish(channelMessage(c, b, { content: 'a root in B' })), 'a root in B')
    const persona = c.persona()
    controlAccepted(await ws.publish(persona), 'a persona')
    // Root mismatch before depth is checked in threads.depth-limit, which already has a 100-deep chain.
    const checks: Array<[string, ReturnType<typeof channelMessage>, string]> = [
      ['an unknown parent with a wrong root marker', channelMessage(c, a, { root: otherRoot.id, reply: ghost }), OriginThreadRefusals.parentMissing],
      ['a parent in another channel with a wrong root marker', channelMessage(c, b, { root: otherRoot.id, reply: rootA.id }), OriginThreadRefusals.otherChannel],
      ['a parent in no channel with a wrong root marker', channelMessage(c, a, { root: otherRoot.id, reply: persona.id }), OriginThreadRefusals.noChannel],
    ]
    for (const [what, event, message] of checks) await publishRefused(ws, event, message, what)
  },
)
