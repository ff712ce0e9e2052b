import { expectAccepted, relayCase } from '../../harness/src/authoring.ts'
import { controlServedById, shouldServeAtAddress } from '../lib/reads.ts'

relayCase(
  {
    id: 'slug.boundary-lengths-accepted',
    title: 'slugs of exactly 1 and exactly 64 bytes are accepted and served at their address',
    requirements: ['AP-SLUG-3', 'AP-RELAY-1', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    // Fresh keys make even a one-character slug unique to this case.
    const one = c.persona({ slug: 'a' })
    expectAccepted(await ws.publish(one), 'a 1-byte slug')
    const long = c.slug('b'.repeat(40)).padEnd(64, 'z')
    const sixtyFour = c.persona({ slug: long })
    expectAccepted(await ws.publish(sixtyFour), 'a 64-byte slug')
    await controlServedById(ws, [one, sixtyFour], 'the 1-byte and the 64-byte persona')
    await shouldServeAtAddress(c, ws, c.keys.pubkey, 'a', one, 'the 1-byte slug')
    await shouldServeAtAddress(c, ws, c.keys.pubkey, long, sixtyFour, 'the 64-byte slug')
  },
)
