import { expectAccepted, relayCase } from '../../harness/src/authoring.ts'

relayCase(
  {
    id: 'slug.boundary-lengths-accepted',
    title: 'slugs of exactly 1 and exactly 64 bytes are accepted',
    requirements: ['AP-SLUG-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // Fresh keys make even a one-character slug unique to this case.
    const one = c.persona({ slug: 'a' })
    expectAccepted(await ws.publish(one), 'a 1-byte slug')
    const long = c.slug('b'.repeat(40)).padEnd(64, 'z')
    expectAccepted(await ws.publish(c.persona({ slug: long })), 'a 64-byte slug')
  },
)
