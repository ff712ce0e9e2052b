import { expectAccepted, expectRefused, relayCase } from '../../harness/src/authoring.ts'
import { expectHead, expectNoVersion } from '../lib/reads.ts'

relayCase(
  {
    id: 'envelope.zero-d-refused',
    title: 'a persona without a valued d tag (none, or only ["d"]) is refused with invalid:',
    requirements: ['AP-ENV-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    expectRefused(await ws.publish(c.persona({ tags: [] })), 'invalid', 'a persona with no tags')
    expectRefused(await ws.publish(c.persona({ tags: [['alt', 'agent persona definition']] })), 'invalid', 'a persona with only an alt tag')
    expectRefused(await ws.publish(c.persona({ tags: [['d']] })), 'invalid', 'a persona whose only d tag has no value')
  },
)

relayCase(
  {
    id: 'envelope.two-d-refused',
    title: 'a persona with two valued d tags is refused with invalid:, even when one of them is empty',
    requirements: ['AP-ENV-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const first = c.slug('first')
    const second = c.slug('second')
    expectRefused(await ws.publish(c.persona({ tags: [['d', first], ['d', second]] })), 'invalid', 'a persona with two valued d tags')
    expectRefused(await ws.publish(c.persona({ tags: [['d', ''], ['d', first]] })), 'invalid', 'a persona with ["d",""] and a valued d tag')
    expectRefused(await ws.publish(c.persona({ tags: [['d', first], ['d', first]] })), 'invalid', 'a persona with the same d tag twice')
    await expectNoVersion(ws, c.keys.pubkey, first, 'after refusing personas with two d tags')
  },
)

relayCase(
  {
    id: 'envelope.empty-d-refused',
    title: 'a persona whose single d tag is ["d",""] is refused with invalid:',
    requirements: ['AP-ENV-2', 'AP-SLUG-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    expectRefused(await ws.publish(c.persona({ tags: [['d', '']] })), 'invalid', 'a persona with ["d",""]')
  },
)

relayCase(
  {
    id: 'envelope.valueless-d-not-counted',
    title: 'a ["d"] tag beside a valued d tag is not counted: the persona is accepted at the valued slug',
    requirements: ['AP-ENV-2', 'AP-ENV-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const before = c.persona({ tags: [['d'], ['d', slug]] })
    expectAccepted(await ws.publish(before), 'a persona with ["d"] before the valued d tag')
    await expectHead(ws, c.keys.pubkey, slug, before, 'the read of the persona')
    const otherSlug = c.slug()
    const after = c.persona({ tags: [['d', otherSlug], ['d']] })
    expectAccepted(await ws.publish(after), 'a persona with ["d"] after the valued d tag')
    await expectHead(ws, c.keys.pubkey, otherSlug, after, 'the read of the second persona')
  },
)
