import { expectAccepted, expectEose, expectIds, relayCase } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

relayCase(
  {
    id: 'replaceable.newer-replaces-older',
    title: 'a newer version becomes the head and a read returns it',
    requirements: ['AP-REPL-1', 'AP-REPL-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const older = c.persona({ slug, created_at: now - 10 })
    const newer = c.persona({ slug, created_at: now - 5, body: { display_name: 'Newer', system_prompt: 'v2' } })
    expectAccepted(await ws.publish(older), 'the first version')
    expectAccepted(await ws.publish(newer), 'the newer version')
    const reply = await ws.query([{ kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': [slug] }])
    expectEose(reply)
    const heads = reply.events.filter((e) => e.id === newer.id)
    expectIds(heads, [newer.id], 'the head among the answer')
  },
)

relayCase(
  {
    id: 'replaceable.read-returns-only-head',
    title: 'a read of a replaced persona returns only the head',
    requirements: ['AP-READ-1'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const older = c.persona({ slug, created_at: now - 10 })
    const newer = c.persona({ slug, created_at: now - 5 })
    expectAccepted(await ws.publish(older), 'the first version')
    expectAccepted(await ws.publish(newer), 'the newer version')
    const reply = await ws.query([{ kinds: [PersonaKind], authors: [c.keys.pubkey], '#d': [slug] }])
    expectEose(reply)
    expectIds(reply.events, [newer.id], 'the answer to a read of the address')
  },
)
