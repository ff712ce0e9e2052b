import { expectRefused, propertyCase } from '../../harness/src/authoring.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { invalidSlug } from '../../spec/arbitraries/slug.ts'

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
