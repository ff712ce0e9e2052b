import { expectRefused, propertyCase, relayCase } from '../../harness/src/authoring.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { invalidSlug } from '../../spec/arbitraries/slug.ts'
import { expectNoVersion } from '../lib/reads.ts'
import { invalidSlugVectors } from '../lib/vectors.ts'

propertyCase(
  {
    id: 'slug.invalid-refused',
    title: 'a persona whose slug breaks the grammar is refused with OK false and invalid:',
    requirements: ['AP-SLUG-2'],
    level: 'MUST',
    profile: 'core',
  },
  [invalidSlug],
  async (c, { slug }) => {
    const ws = await c.connect()
    const reply = await ws.publish(c.persona({ tags: personaTags(slug) }))
    expectRefused(reply, 'invalid', `a persona with slug ${JSON.stringify(slug)}`)
  },
  { numRuns: 15 },
)

relayCase(
  {
    id: 'slug.invalid-vectors-refused',
    title: 'every invalid slug of spec/vectors/slugs.json (uppercase, 65 bytes, leading - or _, non-ASCII, ...) is refused with invalid:',
    requirements: ['AP-SLUG-2'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    for (const vector of invalidSlugVectors) {
      const reply = await ws.publish(c.persona({ tags: personaTags(vector.slug) }))
      expectRefused(reply, 'invalid', `a persona with slug ${JSON.stringify(vector.slug)} (${vector.why})`)
    }
    // A refused persona must not appear at the address a lenient relay might have used.
    await expectNoVersion(ws, c.keys.pubkey, 'x'.repeat(64), 'after refusing a 65-byte slug')
    await expectNoVersion(ws, c.keys.pubkey, 'agent', 'after refusing "Agent" and "agEnt"')
  },
)
