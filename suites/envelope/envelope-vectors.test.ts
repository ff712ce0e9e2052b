import { expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import { expectHead } from '../lib/reads.ts'
import { envelopeVectors } from '../lib/vectors.ts'

relayCase(
  {
    id: 'envelope.vectors',
    title: 'each tag list of spec/vectors/envelopes.json is accepted or refused with invalid: as the vector says',
    requirements: ['AP-ENV-2', 'AP-ENV-3'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    for (const vector of envelopeVectors) {
      // A key per vector: several vectors reuse the slug "agent".
      const keys = c.freshKeys()
      const persona = c.persona({ tags: vector.tags, keys })
      const reply = await ws.publish(persona)
      const what = `a persona with tags ${JSON.stringify(vector.tags)} (${vector.why})`
      if (!vector.accepted) {
        expectRefused(reply, 'invalid', what)
        continue
      }
      expectAccepted(reply, what)
      if (vector.slug !== undefined) await expectHead(ws, keys.pubkey, vector.slug, persona, `the read of ${what}`)
    }
  },
)

relayCase(
  {
    id: 'envelope.origin-refusal-texts',
    title: 'an origin relay refuses each bad envelope vector with the exact message of its first failing check',
    requirements: ['AP-RELAY-4', 'AP-ENV-2'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    for (const vector of envelopeVectors) {
      if (vector.accepted || vector.message === undefined) continue
      const reply = await ws.publish(c.persona({ tags: vector.tags }))
      expectRefused(reply, 'invalid', `tags ${JSON.stringify(vector.tags)}`)
      if (reply.message !== vector.message) {
        violation(`tags ${JSON.stringify(vector.tags)} (${vector.why}): expected ${JSON.stringify(vector.message)}, got ${JSON.stringify(reply.message)}`)
      }
    }
  },
)
