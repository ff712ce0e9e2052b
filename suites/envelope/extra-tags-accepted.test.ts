import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { controlServedById } from '../lib/reads.ts'

relayCase(
  {
    id: 'envelope.extra-tags-accepted',
    title: 'a persona carrying alt, p, h, unknown tags and extra d elements is accepted and served with its tags as signed',
    requirements: ['AP-ENV-3', 'AP-BASE-8'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const other = c.freshKeys()
    const variants = [
      [['alt', 'agent persona definition']],
      [['p', other.pubkey]],
      [['h', c.slug('channel')]],
      [['t', 'ai'], ['x-unknown', 'value', 'more']],
      [['client', 'conformance-suite'], ['e', '0'.repeat(64)]],
    ]
    for (const extra of variants) {
      const slug = c.slug()
      const persona = c.persona({ tags: [['d', slug], ...extra] })
      expectAccepted(await ws.publish(persona), `a persona with extra tags ${JSON.stringify(extra)}`)
      // Whether it is stored is replaceable.newer-replaces-older's question; here: as signed.
      const [copy] = await controlServedById(ws, [persona], `the persona with extra tags ${JSON.stringify(extra)}`)
      if (JSON.stringify(copy?.tags) !== JSON.stringify(persona.tags)) {
        violation(`tags changed: signed ${JSON.stringify(persona.tags)}, served ${JSON.stringify(copy?.tags)}`)
      }
    }
    const slug = c.slug()
    const longD = c.persona({ tags: [['d', slug, 'extra element']] })
    expectAccepted(await ws.publish(longD), 'a persona whose d tag has an element after the value')
  },
)
