import { controlAccepted, expectAccepted, relayCase } from '../../harness/src/authoring.ts'
import { OriginThreadRefusals } from '../../spec/model/thread.ts'
import { createChannel, publishRefused } from '../lib/origin.ts'
import { channelMessage, ghostId } from '../lib/threads.ts'

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
    const channel = await createChannel(c, ws)
    const root = channelMessage(c, channel, { content: 'root' })
    controlAccepted(await ws.publish(root), 'a root')
    controlAccepted(await ws.publish(channelMessage(c, channel, { root: root.id, reply: root.id })), 'a reply to a held root')
    const ghost = ghostId(c, channel)
    await publishRefused(ws, channelMessage(c, channel, { root: ghost, reply: ghost }), OriginThreadRefusals.parentMissing, 'a reply to an unknown event')
    await publishRefused(ws, channelMessage(c, channel, { reply: ghost }), OriginThreadRefusals.parentMissing, 'a lone reply marker naming an unknown event')
  },
)

relayCase(
  {
    id: 'threads.parent-other-channel',
    title: 'a reply whose parent is in another channel, or in none, is refused with the exact origin texts',
    requirements: ['AP-THREAD-4'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const a = await createChannel(c, ws)
    const b = await createChannel(c, ws)
    const root = channelMessage(c, a)
    controlAccepted(await ws.publish(root), 'a root in channel A')
    controlAccepted(await ws.publish(channelMessage(c, b, { content: 'a root in channel B' })), 'a root in channel B')
    await publishRefused(ws, channelMessage(c, b, { root: root.id, reply: root.id }), OriginThreadRefusals.otherChannel, 'a reply in channel B to a root in channel A')
    const persona = c.persona()
    controlAccepted(await ws.publish(persona), 'a persona (global, no channel)')
    await publishRefused(ws, channelMessage(c, a, { root: persona.id, reply: persona.id }), OriginThreadRefusals.noChannel, 'a reply whose parent is a persona')
  },
)

relayCase(
  {
    id: 'threads.root-mismatch',
    title: "a reply whose claimed root is not its parent's root is refused with the exact origin text",
    requirements: ['AP-THREAD-5'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const root1 = channelMessage(c, channel, { content: 'root 1' })
    const root2 = channelMessage(c, channel, { content: 'root 2' })
    controlAccepted(await ws.publish(root1), 'root 1')
    controlAccepted(await ws.publish(root2), 'root 2')
    const child = channelMessage(c, channel, { root: root1.id, reply: root1.id, content: 'child of root 1' })
    controlAccepted(await ws.publish(child), 'a reply to root 1')
    await publishRefused(ws, channelMessage(c, channel, { root: root2.id, reply: child.id }), OriginThreadRefusals.rootMismatch, 'a reply to the child of root 1 claiming root 2')
    await publishRefused(ws, channelMessage(c, channel, { root: child.id, reply: child.id }), OriginThreadRefusals.rootMismatch, 'a reply to the child claiming the child as root')
    expectAccepted(await ws.publish(channelMessage(c, channel, { root: root1.id, reply: child.id })), 'a reply to the child claiming root 1')
  },
)
