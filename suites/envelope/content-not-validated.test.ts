import { type CaseContext, expectAccepted, fc, propertyCase, relayCase, violation } from '../../harness/src/authoring.ts'
import { relayContent } from '../../spec/arbitraries/content.ts'
import { controlServedById } from '../lib/reads.ts'

const strangeBodies: ReadonlyArray<[why: string, content: string]> = [
  ['empty content', ''],
  ['not JSON', 'this is not json'],
  ['a JSON array', '["display_name","system_prompt"]'],
  ['a JSON string', '"persona"'],
  ['an empty object', '{}'],
  ['display_name of the wrong type', '{"display_name":42,"system_prompt":"x"}'],
  ['system_prompt missing', '{"display_name":"No prompt"}'],
  ['an env_vars member', '{"display_name":"Leaky","system_prompt":"x","env_vars":{"API_KEY":"not-a-real-key"}}'],
  ['name_pool null', '{"display_name":"Pool","system_prompt":"x","name_pool":null}'],
  ['unknown fields', '{"display_name":"Future","system_prompt":"x","x_later_revision":{"nested":[1,2,3]}}'],
  ['duplicate member names', '{"display_name":"A","display_name":"B","system_prompt":"x"}'],
]

/** Every strange body is accepted and served unchanged (the core and the origin profile ask the same). */
async function strangeBodiesAcceptedAndServed(c: CaseContext): Promise<void> {
  const ws = await c.connect()
  for (const [why, content] of strangeBodies) {
    const slug = c.slug()
    const persona = c.persona({ slug, content })
    expectAccepted(await ws.publish(persona), `a persona with ${why}`)
    const [served] = await controlServedById(ws, [persona], `the persona with ${why}`)
    if (served?.content !== content) violation(`content of the persona with ${why} changed: ${JSON.stringify(served?.content.slice(0, 80))}`)
  }
}

relayCase(
  {
    id: 'envelope.content-not-validated',
    title: 'the relay accepts personas whatever their content holds (invalid JSON, missing fields, env_vars) and serves it unchanged',
    requirements: ['AP-RELAY-2', 'AP-BASE-8'],
    level: 'MUST',
    profile: 'core',
  },
  strangeBodiesAcceptedAndServed,
)

relayCase(
  {
    id: 'envelope.content-unchecked-origin',
    title: 'an origin relay accepts personas whatever their content holds (the origin never checks it) and serves it unchanged',
    requirements: ['AP-RELAY-2'],
    level: 'MUST',
    profile: 'origin',
  },
  strangeBodiesAcceptedAndServed,
)

propertyCase(
  {
    id: 'envelope.any-content-accepted',
    title: 'a persona with generated content (bodies, JSON values, arbitrary text) is accepted',
    requirements: ['AP-RELAY-2'],
    level: 'MUST',
    profile: 'core',
  },
  [relayContent],
  async (c, content) => {
    const ws = await c.connect()
    expectAccepted(await ws.publish(c.persona({ content })), `a persona with content ${fc.stringify(content).slice(0, 120)}`)
  },
  { numRuns: 10 },
)
