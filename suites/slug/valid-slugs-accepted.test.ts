import { expectAccepted, propertyCase, relayCase } from '../../harness/src/authoring.ts'
import { validSlug } from '../../spec/arbitraries/slug.ts'
import { controlServedById, shouldServeAtAddress } from '../lib/reads.ts'
import { validSlugVectors } from '../lib/vectors.ts'

propertyCase(
  {
    id: 'slug.valid-accepted',
    title: 'a persona with any grammatical slug is accepted and, once stored, served at its address',
    requirements: ['AP-SLUG-3', 'AP-RELAY-1', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  [validSlug],
  async (c, slug) => {
    const ws = await c.connect()
    const persona = c.persona({ slug })
    expectAccepted(await ws.publish(persona), `a persona with slug ${JSON.stringify(slug)}`)
    // Storage itself is replaceable.newer-replaces-older's; here the question is the address,
    // which a read only should answer (NIP-01: the relay SHOULD return matching events).
    await controlServedById(ws, [persona], `the persona with slug ${JSON.stringify(slug)}`)
    await shouldServeAtAddress(c, ws, c.keys.pubkey, slug, persona, `the persona with slug ${JSON.stringify(slug)}`)
  },
  { numRuns: 12 },
)

relayCase(
  {
    id: 'slug.valid-vectors-accepted',
    title: 'every valid slug of spec/vectors/slugs.json is accepted',
    requirements: ['AP-SLUG-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    for (const slug of validSlugVectors) {
      expectAccepted(await ws.publish(c.persona({ slug })), `a persona with slug ${JSON.stringify(slug)}`)
    }
  },
)
