import { type CaseContext, type RelayConnection, expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { MaxThreadDepth, ThreadRefusals } from '../../spec/model/thread.ts'
import { channelMessage, threadQuery } from '../lib/threads.ts'

/** A root and a chain of replies down to `depth`, each replying to the previous one. */
async function chain(c: CaseContext, ws: RelayConnection, channel: string, depth: number): Promise<NostrEvent[]> {
  const root = channelMessage(c, channel, { content: 'depth 0' })
  expectAccepted(await ws.publish(root), 'the root')
  const events = [root]
  for (let d = 1; d <= depth; d += 1) {
    const parent = events[d - 1] as NostrEvent
    const reply = channelMessage(c, channel, { root: root.id, reply: parent.id, content: `depth ${d}`, created_at: root.created_at })
    events.push(reply)
  }
  // One at a time: a relay need not place a child whose parent it is still storing.
  for (const [i, event] of events.slice(1).entries()) expectAccepted(await ws.publish(event), `the reply at depth ${i + 1}`)
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
    const channel = c.slug('deep')
    const events = await chain(c, ws, channel, MaxThreadDepth)
    const root = events[0] as NostrEvent
    const deepest = events[MaxThreadDepth] as NostrEvent
    // Too deep and a wrong root marker: the root check comes first in the table.
    const otherRoot = channelMessage(c, channel, { content: 'another root' })
    expectAccepted(await ws.publish(otherRoot), 'another root')
    const both = await ws.publish(channelMessage(c, channel, { root: otherRoot.id, reply: deepest.id, content: 'depth 101, wrong root' }))
    expectRefused(both, 'invalid', 'a reply at depth 101 with a wrong root marker')
    if (both.message !== ThreadRefusals.rootMismatch) {
      violation(`a reply at depth 101 with a wrong root marker: expected ${JSON.stringify(ThreadRefusals.rootMismatch)} (root check before depth), got ${JSON.stringify(both.message)}`)
    }
    const tooDeep = channelMessage(c, channel, { root: root.id, reply: deepest.id, content: 'depth 101' })
    const reply = await ws.publish(tooDeep)
    expectRefused(reply, 'invalid', 'a reply at depth 101')
    if (reply.message !== ThreadRefusals.tooDeep) violation(`a reply at depth 101: expected ${JSON.stringify(ThreadRefusals.tooDeep)}, got ${JSON.stringify(reply.message)}`)
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: depths not read back')
    // Depth is parent depth + 1: depth_limit d returns exactly the chain's first d replies.
    for (const limit of [1, 2, 99, 100]) {
      const got = await threadQuery(c, root.id, limit)
      const want = events.slice(1, limit + 1).map((e) => e.id)
      const gotIds = got.map((e) => e.id).sort()
      if (JSON.stringify(gotIds) !== JSON.stringify([...want].sort())) {
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
    const [a, b] = [c.slug('room-a'), c.slug('room-b')]
    const ghost = c.sign({ kind: 9, content: 'never published', tags: [['h', a]] }).id
    const rootA = channelMessage(c, a, { content: 'root in A' })
    const otherRoot = channelMessage(c, a, { content: 'another root in A' })
    expectAccepted(await ws.publish(rootA), 'a root in A')
    expectAccepted(await ws.publish(otherRoot), 'another root in A')
    // Root mismatch before depth is checked in threads.depth-limit, which already has a 100-deep chain.
    const checks: Array<[string, NostrEvent, string]> = [
      ['an unknown parent with a wrong root marker', channelMessage(c, a, { root: otherRoot.id, reply: ghost }), ThreadRefusals.parentMissing],
      ['a parent in another channel with a wrong root marker', channelMessage(c, b, { root: otherRoot.id, reply: rootA.id }), ThreadRefusals.otherChannel],
    ]
    for (const [what, event, message] of checks) {
      const reply = await ws.publish(event)
      expectRefused(reply, 'invalid', what)
      if (reply.message !== message) violation(`${what}: expected ${JSON.stringify(message)}, got ${JSON.stringify(reply.message)}`)
    }
  },
)
