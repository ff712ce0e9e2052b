import { controlAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { OriginHttpAuthTexts } from '../../spec/model/http-auth.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

relayCase(
  {
    id: 'http-bridge.count-needs-auth',
    title: 'POST /count refuses an unsigned request with 401 {"error":"missing Nostr auth"} and counts for a NIP-98 signed one',
    requirements: ['AP-AUTH-1', 'AP-HTTP-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    controlAccepted(await ws.publish(c.persona()), 'a persona of a fresh author')
    const filters = [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }]
    const unsigned = await c.http.post('/count', filters, { auth: false })
    if (unsigned.status !== 401) violation(`an unsigned POST /count answered ${unsigned.status}, expected 401`)
    const error = (unsigned.json as { error?: unknown } | undefined)?.error
    if (error !== OriginHttpAuthTexts.missing) violation(`an unsigned POST /count: error ${JSON.stringify(error)}, expected ${JSON.stringify(OriginHttpAuthTexts.missing)}`)
    const signed = await c.http.post('/count', filters)
    if (signed.status !== 200) violation(`a signed POST /count answered ${signed.status} ${signed.text.slice(0, 160)}`)
    if (JSON.stringify(signed.json) !== JSON.stringify({ count: 1 })) violation(`a signed POST /count answered ${signed.text.slice(0, 160)}, expected {"count":1}`)
  },
)
