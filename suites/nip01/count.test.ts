import { relayCase } from '../../harness/src/authoring.ts'
import { expect } from 'vitest'
import { PersonaKind } from '../../spec/model/kinds.ts'

relayCase(
  {
    id: 'nip01.count-personas',
    title: 'COUNT over WebSocket counts the heads of an author',
    requirements: ['AP-BASE-19'],
    level: 'MUST',
    profile: 'core',
    needs: ['count'],
  },
  async (c) => {
    const ws = await c.connect()
    for (const slug of [c.slug(), c.slug()]) {
      const reply = await ws.publish(c.persona({ slug }))
      expect(reply.accepted, reply.message).toBe(true)
    }
    const count = await ws.count([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    if (!count.ok) return c.skip(`COUNT refused: ${count.closed}`)
    expect(count.count, 'COUNT of two personas of a fresh author').toBe(2)
  },
)
