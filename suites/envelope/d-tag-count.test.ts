import { expectAccepted, relayCase } from '../../harness/src/authoring.ts'
import { controlServedById, expectHead } from '../lib/reads.ts'
import { controlAcceptsPersonas, expectRefusal } from '../lib/refusals.ts'

relayCase(
  {
    id: 'envelope.zero-d-refused',
    title: 'a persona without a valued d tag (none, or only ["d"]) is refused with a prefixed message',
    requirements: ['AP-ENV-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    expectRefusal(c, await ws.publish(c.persona({ tags: [] })), 'a persona with no tags')
    expectRefusal(c, await ws.publish(c.persona({ tags: [['alt', 'agent persona definition']] })), 'a persona with only an alt tag')
    expectRefusal(c, await ws.publish(c.persona({ tags: [['d']] })), 'a persona whose only d tag has no value')
  },
)

relayCase(
  {
    id: 'envelope.two-d-refused',
    title: 'a persona with two valued d tags is refused with a prefixed message, even when one of them is empty',
    requirements: ['AP-ENV-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    const first = c.slug('first')
    const second = c.slug('second')
    expectRefusal(c, await ws.publish(c.persona({ tags: [['d', first], ['d', second]] })), 'a persona with two valued d tags')
    expectRefusal(c, await ws.publish(c.persona({ tags: [['d', ''], ['d', first]] })), 'a persona with ["d",""] and a valued d tag')
    expectRefusal(c, await ws.publish(c.persona({ tags: [['d', first], ['d', first]] })), 'a persona with the same d tag twice')
  },
)

relayCase(
  {
    id: 'envelope.empty-d-refused',
    title: 'a persona whose single d tag is ["d",""] is refused with a prefixed message',
    requirements: ['AP-ENV-2', 'AP-SLUG-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    expectRefusal(c, await ws.publish(c.persona({ tags: [['d', '']] })), 'a persona with ["d",""]')
  },
)

relayCase(
  {
    id: 'envelope.valueless-d-not-counted',
    title: 'an origin relay does not count a ["d"] tag beside a valued d tag: the persona is accepted at the valued slug',
    requirements: ['AP-RELAY-4'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const before = c.persona({ tags: [['d'], ['d', slug]] })
    expectAccepted(await ws.publish(before), 'a persona with ["d"] before the valued d tag')
    await controlServedById(ws, [before], 'the persona with ["d"] before the valued d tag')
    await expectHead(ws, c.keys.pubkey, slug, before, 'the read of the persona')
    const otherSlug = c.slug()
    const after = c.persona({ tags: [['d', otherSlug], ['d']] })
    expectAccepted(await ws.publish(after), 'a persona with ["d"] after the valued d tag')
    await expectHead(ws, c.keys.pubkey, otherSlug, after, 'the read of the second persona')
  },
)
