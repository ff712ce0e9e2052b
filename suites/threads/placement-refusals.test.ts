import { type RelayConnection, expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { MissingChannelRefusal } from '../../spec/model/scope.ts'
import { ThreadRefusals } from '../../spec/model/thread.ts'
import { channelMessage } from '../lib/threads.ts'

async function expectExactRefusal(ws: RelayConnection, event: NostrEvent, message: string, what: string): Promise<void> {
  const reply = await ws.publish(event)
  expectRefused(reply, 'invalid', what)
  if (reply.message !== message) violation(`${what}: expected ${JSON.stringify(message)}, got ${JSON.stringify(reply.message)}`)
}

relayCase(
  {
    id: 'threads.channel-event-needs-h',
    title: 'a kind 9 or kind 11 event without a non-empty h tag is refused with the exact origin text',
    requirements: ['AP-THREAD-1'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    await expectExactRefusal(ws, c.sign({ kind: 9, content: 'no channel' }), MissingChannelRefusal, 'a kind 9 without h')
    await expectExactRefusal(ws, c.sign({ kind: 9, content: 'empty channel', tags: [['h', '']] }), MissingChannelRefusal, 'a kind 9 with ["h",""]')
    await expectExactRefusal(ws, c.sign({ kind: 11, content: 'thread head', tags: [['t', 'x']] }), MissingChannelRefusal, 'a kind 11 without h')
    expectAccepted(await ws.publish(c.sign({ kind: 9, content: 'in a channel', tags: [['h', c.slug('room')]] })), 'a kind 9 with an h tag')
  },
)

relayCase(
  {
    id: 'threads.parent-not-found',
    title: 'a reply whose parent the relay does not hold is refused with invalid: reply parent not found',
    requirements: ['AP-THREAD-3'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('room')
    const ghost = c.sign({ kind: 9, content: 'never published', tags: [['h', channel]] }).id
    await expectExactRefusal(ws, channelMessage(c, channel, { root: ghost }), ThreadRefusals.parentMissing, 'a direct reply to an unknown root')
    await expectExactRefusal(ws, channelMessage(c, channel, { reply: ghost }), ThreadRefusals.parentMissing, 'a lone reply marker naming an unknown event')
  },
)

relayCase(
  {
    id: 'threads.parent-other-channel',
    title: 'a reply whose parent is in another channel, or is not channel content, is refused with the exact origin text',
    requirements: ['AP-THREAD-4'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const [a, b] = [c.slug('room-a'), c.slug('room-b')]
    const root = channelMessage(c, a)
    expectAccepted(await ws.publish(root), 'a root in channel A')
    await expectExactRefusal(ws, channelMessage(c, b, { root: root.id }), ThreadRefusals.otherChannel, 'a reply in channel B to a root in channel A')
    const note = c.sign({ kind: 1, content: 'a global note' })
    expectAccepted(await ws.publish(note), 'a global note')
    await expectExactRefusal(ws, channelMessage(c, a, { root: note.id }), ThreadRefusals.otherChannel, 'a reply to a global (unscoped) event')
  },
)

relayCase(
  {
    id: 'threads.root-mismatch',
    title: 'a reply whose root marker does not name its parent\'s root is refused with the exact origin text',
    requirements: ['AP-THREAD-5'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('room')
    const root1 = channelMessage(c, channel, { content: 'root 1' })
    const root2 = channelMessage(c, channel, { content: 'root 2' })
    expectAccepted(await ws.publish(root1), 'root 1')
    expectAccepted(await ws.publish(root2), 'root 2')
    const child = channelMessage(c, channel, { root: root1.id, content: 'child of root 1' })
    expectAccepted(await ws.publish(child), 'a direct reply to root 1')
    await expectExactRefusal(
      ws,
      channelMessage(c, channel, { root: root2.id, reply: child.id }),
      ThreadRefusals.rootMismatch,
      'a reply to the child of root 1 claiming root 2',
    )
    // Naming the parent itself as root when it is not a root is a mismatch too.
    await expectExactRefusal(ws, channelMessage(c, channel, { root: child.id, reply: child.id }), ThreadRefusals.rootMismatch, 'a reply claiming a non-root as root')
    expectAccepted(await ws.publish(channelMessage(c, channel, { root: root1.id, reply: child.id })), 'a reply to the child claiming root 1')
  },
)
