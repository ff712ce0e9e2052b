import { expectAccepted, expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Tag } from '../../spec/model/event.ts'
import { controlServedById, shouldServeAtAddress } from '../lib/reads.ts'
import { controlAcceptsPersonas, expectRefusal } from '../lib/refusals.ts'
import { envelopeVectors } from '../lib/vectors.ts'

/** A value-less ["d"] beside a valued d tag: core leaves its counting open (AMB-6), origin accepts it. */
function countsValuelessD(tags: readonly Tag[]): boolean {
  return tags.some((t) => t[0] === 'd' && t.length === 1) && tags.some((t) => t[0] === 'd' && t.length >= 2)
}

relayCase(
  {
    id: 'envelope.vectors',
    title: 'each tag list of spec/vectors/envelopes.json is accepted or refused as the vector says (the value-less ["d"] vector only in origin)',
    requirements: ['AP-ENV-2', 'AP-ENV-3', 'AP-BASE-21', 'AP-BASE-23'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    await controlAcceptsPersonas(c, ws)
    for (const vector of envelopeVectors) {
      if (countsValuelessD(vector.tags)) continue
      // A key per vector: several vectors reuse the slug "agent".
      const keys = c.freshKeys()
      const persona = c.persona({ tags: vector.tags, keys })
      const reply = await ws.publish(persona)
      const what = `a persona with tags ${JSON.stringify(vector.tags)} (${vector.why})`
      if (!vector.accepted) {
        expectRefusal(c, reply, what)
        continue
      }
      expectAccepted(reply, what)
      if (vector.slug !== undefined) {
        await controlServedById(ws, [persona], what)
        await shouldServeAtAddress(c, ws, keys.pubkey, vector.slug, persona, what)
      }
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
