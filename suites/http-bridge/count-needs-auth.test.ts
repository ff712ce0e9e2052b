import { expect } from 'vitest'
import { relayCase } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

relayCase(
  {
    id: 'http-bridge.count-needs-auth',
    title: 'POST /count refuses an unsigned request with 401 {error} and counts for a NIP-98 signed one',
    requirements: ['AP-AUTH-1', 'AP-HTTP-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const accepted = await ws.publish(c.persona())
    expect(accepted.accepted, accepted.message).toBe(true)
    const filters = [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }]

    const unsigned = await c.http.post('/count', filters, { auth: false })
    expect(unsigned.status, 'status of an unsigned POST /count').toBe(401)
    expect(typeof (unsigned.json as { error?: unknown } | undefined)?.error, 'an {error} body').toBe('string')

    const signed = await c.http.post('/count', filters)
    expect(signed.status, 'status of a signed POST /count').toBe(200)
    expect(signed.json, 'the count of one persona of a fresh author').toEqual({ count: 1 })
  },
)
