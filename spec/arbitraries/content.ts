/** fast-check arbitraries for persona bodies. */

import fc from 'fast-check'
import type { PersonaContent } from '../model/content.ts'

const text = fc.string({ unit: 'binary', maxLength: 40 })
const optionalText = fc.option(text, { nil: null })

export const personaContent: fc.Arbitrary<PersonaContent> = fc.record({
  display_name: text,
  system_prompt: fc.string({ unit: 'binary', maxLength: 200 }),
  avatar_url: optionalText,
  runtime: optionalText,
  model: optionalText,
  provider: optionalText,
  name_pool: fc.array(text, { maxLength: 5 }),
})

/** Extra fields that readers must ignore. Keys never collide with the known fields. */
export const unknownFields: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).map((k) => `x_${k}`),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 4 },
)

/**
 * `content` strings a relay must accept on a persona without looking inside (AP-RELAY-2):
 * valid bodies with unknown fields, bodies a reader would refuse, any JSON value and
 * arbitrary text. Kept short so that a property run stays cheap.
 */
export const relayContent: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(personaContent, unknownFields).map(([body, extra]) => JSON.stringify({ ...extra, ...body })),
  fc
    .record({ display_name: fc.jsonValue({ maxDepth: 1 }), system_prompt: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] })
    .map((body) => JSON.stringify(body)),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary', maxLength: 120 }),
)
