import { controlAccepted, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { MissingChannelRefusal } from '../../spec/model/scope.ts'
import { uuidForms } from '../../spec/model/uuid.ts'
import { createChannel, publishRefused } from '../lib/origin.ts'
import { channelMessage, sortedIds, threadQuery } from '../lib/threads.ts'

relayCase(
  {
    id: 'threads.channel-event-needs-h',
    title: 'a kind 9 whose h tags name no UUID (none, empty, a free name, a broken UUID) is refused with the exact origin text',
    requirements: ['AP-THREAD-1'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    controlAccepted(await ws.publish(channelMessage(c, channel, { content: 'in a UUID channel' })), 'a kind 9 in a channel named by a UUID')
    const cases: Array<[string, string[][]]> = [
      ['a kind 9 without h', []],
      ['a kind 9 with ["h",""]', [['h', '']]],
      ['a kind 9 whose h is a free group name', [['h', c.slug('room')]]],
      ['a kind 9 whose h is a UUID with a digit missing', [['h', channel.slice(0, -1)]]],
      ['a kind 9 whose h is a UUID in unclosed braces', [['h', `{${channel}`]]],
    ]
    for (const [what, tags] of cases) await publishRefused(ws, c.sign({ kind: 9, content: what, tags }), MissingChannelRefusal, what)
  },
)

relayCase(
  {
    id: 'threads.uuid-channel-forms',
    title: 'a channel message may name its channel in every UUID form (hyphenated, 32 digits, braced, urn:uuid:, upper case); all name one channel',
    requirements: ['AP-THREAD-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const channel = await createChannel(c, ws)
    const forms = uuidForms(channel)
    const root = channelMessage(c, channel, { content: 'root, hyphenated h' })
    controlAccepted(await ws.publish(root), 'a root in the channel, its h hyphenated')
    const replies = (['simple', 'braced', 'urn', 'upper'] as const).map((form) =>
      channelMessage(c, channel, { h: forms[form], root: root.id, reply: root.id, content: `reply, h in the ${form} form` }),
    )
    // A reply is refused unless its parent is in its channel: each form must name the root's channel.
    for (const reply of replies) expectAccepted(await ws.publish(reply), `${reply.content} (${JSON.stringify(reply.tags[0])})`)
    const braced = channelMessage(c, channel, { h: forms.braced, content: 'a root with a braced h' })
    expectAccepted(await ws.publish(braced), 'a root whose h is braced')
    const answer = channelMessage(c, channel, { root: braced.id, reply: braced.id, content: 'hyphenated reply to the braced root' })
    expectAccepted(await ws.publish(answer), 'a reply with a hyphenated h to a root whose h is braced')
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: thread membership not read back')
    const thread = await threadQuery(c, root.id, 1)
    const want = [...replies].map((e) => e.id).sort()
    if (sortedIds(thread).join() !== want.join()) violation(`the root's thread holds ${thread.length} replies; expected the ${want.length} written with the other UUID forms`)
  },
)
