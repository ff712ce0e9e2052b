import { expectRefused, propertyCase, relayCase, violation } from '../../harness/src/authoring.ts'
import { invalidSlug } from '../../spec/arbitraries/slug.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { checkSlug } from '../../spec/model/slug.ts'
import { invalidSlugVectors } from '../lib/vectors.ts'

relayCase(
  {
    id: 'slug.origin-refusal-texts',
    title: 'an origin relay refuses each invalid slug vector with the exact message of its first failing check',
    requirements: ['AP-RELAY-4', 'AP-SLUG-2'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    for (const vector of invalidSlugVectors) {
      const reply = await ws.publish(c.persona({ tags: personaTags(vector.slug) }))
      expectRefused(reply, 'invalid', `slug ${JSON.stringify(vector.slug)}`)
      if (reply.message !== vector.message) {
        violation(`slug ${JSON.stringify(vector.slug)} (${vector.why}): expected ${JSON.stringify(vector.message)}, got ${JSON.stringify(reply.message)}`)
      }
    }
  },
)

propertyCase(
  {
    id: 'slug.origin-refusal-texts-generated',
    title: 'an origin relay refuses generated invalid slugs with the message spec/model gives for them',
    requirements: ['AP-RELAY-4'],
    level: 'MUST',
    profile: 'origin',
  },
  [invalidSlug],
  async (c, { slug }) => {
    const ws = await c.connect()
    const check = checkSlug(slug)
    if (check.ok) throw new Error(`arbitrary produced a valid slug ${JSON.stringify(slug)}`)
    const reply = await ws.publish(c.persona({ tags: personaTags(slug) }))
    expectRefused(reply, 'invalid', `slug ${JSON.stringify(slug)}`)
    if (reply.message !== check.message) {
      violation(`slug ${JSON.stringify(slug)}: expected ${JSON.stringify(check.message)}, got ${JSON.stringify(reply.message)}`)
    }
  },
  { numRuns: 10 },
)
