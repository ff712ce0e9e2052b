import { propertyCase, relayCase } from '../../harness/src/authoring.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { invalidSlug } from '../../spec/arbitraries/slug.ts'
import { controlAcceptsPersonas, expectRefusal } from '../lib/refusals.ts'
import { invalidSlugVectors } from '../lib/vectors.ts'

propertyCase(
  {
    id: 'slug.invalid-refused',
    title: 'a persona whose slug breaks the grammar is refused with OK false and a prefixed message',
    requirements: ['AP-SLUG-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  [invalidSlug],
  async (c, { slug }) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    const reply = await ws.publish(c.persona({ tags: personaTags(slug) }))
    expectRefusal(c, reply, `a persona with slug ${JSON.stringify(slug)}`)
  },
  { numRuns: 15 },
)

relayCase(
  {
    id: 'slug.invalid-vectors-refused',
    title: 'every invalid slug of spec/vectors/slugs.json (uppercase, 65 bytes, leading - or _, non-ASCII, ...) is refused with a prefixed message',
    requirements: ['AP-SLUG-2', 'AP-BASE-21'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    for (const vector of invalidSlugVectors) {
      const reply = await ws.publish(c.persona({ tags: personaTags(vector.slug) }))
      expectRefusal(c, reply, `a persona with slug ${JSON.stringify(vector.slug)} (${vector.why})`)
    }
  },
)
