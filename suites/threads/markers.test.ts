import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { channelMessage, ids, threadQuery } from '../lib/threads.ts'

relayCase(
  {
    id: 'threads.nip10-markers',
    title: 'thread references are the first root and first reply markers at index 3; unmarked e tags are ignored; a lone reply names the parent',
    requirements: ['AP-THREAD-2', 'AP-THREAD-6'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = c.slug('markers')
    const ghost = c.sign({ kind: 9, content: 'never published', tags: [['h', channel]] }).id
    // Unmarked e tags, or a marker at index 2, are not thread references: these are roots.
    const unmarked = channelMessage(c, channel, { tags: [['e', ghost]], content: 'unmarked e' })
    const indexTwo = channelMessage(c, channel, { tags: [['e', ghost, 'reply']], content: 'marker at index 2' })
    expectAccepted(await ws.publish(unmarked), 'a message whose only e tag is unmarked (a root)')
    expectAccepted(await ws.publish(indexTwo), 'a message with the marker at index 2 (a root)')
    const root = channelMessage(c, channel, { content: 'root' })
    expectAccepted(await ws.publish(root), 'the root')
    // The first root marker counts; a second one naming an unknown event is ignored.
    const first = channelMessage(c, channel, { root: root.id, tags: [['e', ghost, '', 'root']], content: 'depth 1' })
    expectAccepted(await ws.publish(first), 'a direct reply whose second root marker names an unknown event')
    // A lone reply marker naming a non-root: the named event is the parent (depth 2).
    const lone = channelMessage(c, channel, { reply: first.id, content: 'lone reply marker' })
    expectAccepted(await ws.publish(lone), 'a lone reply marker naming a depth-1 reply')
    // The first reply marker counts; a later one naming an unknown event is ignored.
    const firstReply = channelMessage(c, channel, { root: root.id, reply: first.id, tags: [['e', ghost, '', 'reply']], content: 'first reply marker' })
    expectAccepted(await ws.publish(firstReply), 'a reply whose second reply marker names an unknown event')
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: depths not read back')
    const depthOne = ids(await threadQuery(c, root.id, 1))
    const depthTwo = ids(await threadQuery(c, root.id, 2))
    if (JSON.stringify(depthOne) !== JSON.stringify([first.id])) violation(`depth_limit 1 returned ${depthOne.length} replies, expected only the direct reply`)
    for (const [what, event] of [['the lone reply marker', lone], ['the reply with two reply markers', firstReply]] as const) {
      if (!depthTwo.includes(event.id)) violation(`${what} is not at depth 2 of the root's thread`)
    }
  },
)
