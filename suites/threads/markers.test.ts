import { controlAccepted, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { OriginThreadRefusals } from '../../spec/model/thread.ts'
import { createChannel, publishRefused } from '../lib/origin.ts'
import { channelMessage, ghostId, ids, threadQuery } from '../lib/threads.ts'

relayCase(
  {
    id: 'threads.nip10-markers',
    title: 'only four-element root/reply e tags are thread references; the last of a marker counts; a lone root marker is top-level',
    requirements: ['AP-THREAD-2'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const ghost = ghostId(c, channel)
    const root = channelMessage(c, channel, { content: 'root' })
    controlAccepted(await ws.publish(root), 'the root')
    // Tags that are no thread reference: a reply to an unknown event would be refused.
    const notReferences: Array<[string, string[][]]> = [
      ['a positional e tag naming an unknown event', [['e', ghost]]],
      ['a three-element ["e", id, "reply"] naming an unknown event', [['e', ghost, 'reply']]],
      ['an e tag with the marker "mention" naming an unknown event', [['e', ghost, '', 'mention']]],
      ['a lone root marker naming an unknown event (top-level, not looked up)', [['e', ghost, '', 'root']]],
    ]
    for (const [what, tags] of notReferences) expectAccepted(await ws.publish(channelMessage(c, channel, { tags, content: what })), what)
    const loneRoot = channelMessage(c, channel, { tags: [['e', root.id, '', 'root']], content: 'a lone root marker naming the root' })
    expectAccepted(await ws.publish(loneRoot), loneRoot.content)
    // The last reply marker counts: the unknown event first, the root last.
    const lastCounts = channelMessage(c, channel, { tags: [['e', root.id, '', 'root'], ['e', ghost, '', 'reply'], ['e', root.id, '', 'reply']], content: 'reply markers: unknown, then the root' })
    expectAccepted(await ws.publish(lastCounts), lastCounts.content)
    await publishRefused(
      ws,
      channelMessage(c, channel, { tags: [['e', root.id, '', 'root'], ['e', root.id, '', 'reply'], ['e', ghost, '', 'reply']], content: 'reply markers: the root, then unknown' }),
      OriginThreadRefusals.parentMissing,
      'a reply whose last reply marker names an unknown event',
    )
    // A lone reply marker names the parent and claims it as root.
    const lone = channelMessage(c, channel, { tags: [['e', root.id, '', 'reply']], content: 'a lone reply marker naming the root' })
    expectAccepted(await ws.publish(lone), lone.content)
    await publishRefused(
      ws,
      channelMessage(c, channel, { tags: [['e', lone.id, '', 'reply']], content: 'a lone reply marker naming a reply' }),
      OriginThreadRefusals.rootMismatch,
      'a lone reply marker naming a depth-1 reply (it claims that reply as root)',
    )
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: the thread is not read back')
    const depthOne = ids(await threadQuery(c, root.id, 1)).sort()
    const want = [lastCounts.id, lone.id].sort()
    if (depthOne.join() !== want.join()) {
      violation(`the root's replies of depth 1 are ${depthOne.length === 0 ? 'none' : depthOne.map((id) => id.slice(0, 12)).join(', ')}; expected the reply whose last marker names the root and the lone reply marker, and not the lone root marker`)
    }
  },
)
