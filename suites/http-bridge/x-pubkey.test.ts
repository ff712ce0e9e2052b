import { controlAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { OriginHttpAuthTexts } from '../../spec/model/http-auth.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { RelayAuthMessages as AuthTexts } from '../../spec/model/relay-auth.ts'

function errorOf(json: unknown): unknown {
  return (json as { error?: unknown } | undefined)?.error
}

relayCase(
  {
    id: 'http-bridge.x-pubkey',
    title: 'X-Pubkey, when the bridge accepts it, is the caller\'s key (403 for another key\'s event, 401 for bad hex); when it does not, 401 missing Nostr auth',
    requirements: ['AP-AUTH-13'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    controlAccepted(await ws.publish(c.persona()), 'a persona of the caller')
    const filters = [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }]
    const asCaller = { auth: false as const, headers: { 'x-pubkey': c.keys.pubkey } }
    const probe = await c.http.post('/count', filters, asCaller)
    if (probe.status === 401) {
      if (errorOf(probe.json) !== OriginHttpAuthTexts.missing) {
        violation(`a request with only X-Pubkey was refused 401 with ${JSON.stringify(errorOf(probe.json))}; a bridge that does not accept X-Pubkey answers ${JSON.stringify(OriginHttpAuthTexts.missing)}`)
      }
      return c.note('the bridge does not accept X-Pubkey (allowed); it answers as for a request without authentication')
    }
    if (probe.status !== 200) violation(`a request with only X-Pubkey answered ${probe.status} ${probe.text.slice(0, 160)}, expected 200 (accepted) or 401 (not accepted)`)
    if (JSON.stringify(probe.json) !== JSON.stringify({ count: 1 })) violation(`POST /count as X-Pubkey answered ${probe.text.slice(0, 160)}, expected {"count":1}`)
    const own = await c.http.post('/events', c.persona(), asCaller)
    if (own.status !== 200) violation(`POST /events of the caller's persona with X-Pubkey answered ${own.status} ${own.text.slice(0, 160)}`)
    const foreign = await c.http.post('/events', c.persona({ keys: c.freshKeys() }), asCaller)
    if (foreign.status !== 403 || errorOf(foreign.json) !== AuthTexts.pubkeyMismatch) {
      violation(`another key's persona posted with the caller's X-Pubkey answered ${foreign.status} ${foreign.text.slice(0, 160)}; expected 403 {"error":${JSON.stringify(AuthTexts.pubkeyMismatch)}}`)
    }
    const malformed = await c.http.post('/count', filters, { auth: false, headers: { 'x-pubkey': 'not-a-key' } })
    if (malformed.status !== 401 || errorOf(malformed.json) !== OriginHttpAuthTexts.xPubkey) {
      violation(`X-Pubkey "not-a-key" answered ${malformed.status} ${malformed.text.slice(0, 160)}; expected 401 {"error":${JSON.stringify(OriginHttpAuthTexts.xPubkey)}}`)
    }
  },
)
