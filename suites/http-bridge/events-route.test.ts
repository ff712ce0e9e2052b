import { type CaseContext, type HttpReply, control, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { RelayAuthMessages as AuthTexts } from '../../spec/model/relay-auth.ts'
import { OriginDuplicateMessage } from '../../spec/model/reasons.ts'

function body(reply: HttpReply, what: string): Record<string, unknown> {
  if (typeof reply.json !== 'object' || reply.json === null || Array.isArray(reply.json)) {
    violation(`${what}: expected a JSON object, got HTTP ${reply.status} ${reply.text.slice(0, 200)}`)
  }
  return reply.json as Record<string, unknown>
}

/**
 * POST /events. Posting the same event twice within a second would sign the same NIP-98
 * event (same u, method, payload and created_at) and, without the nonce tag the harness adds,
 * be refused as a replay; the nonce keeps every token distinct.
 */
function postEvent(c: CaseContext, event: NostrEvent): Promise<HttpReply> {
  return c.http.post('/events', event)
}

function expectAcceptedReply(reply: HttpReply, event: NostrEvent, what: string, message?: string): void {
  if (reply.status !== 200) violation(`${what}: POST /events answered ${reply.status} ${reply.text.slice(0, 200)}, expected 200`)
  const json = body(reply, what)
  if (json.event_id !== event.id) violation(`${what}: event_id ${JSON.stringify(json.event_id)}, expected ${event.id}`)
  if (json.accepted !== true) violation(`${what}: accepted ${JSON.stringify(json.accepted)}, expected true`)
  if (typeof json.message !== 'string') violation(`${what}: message ${JSON.stringify(json.message)} is not a string`)
  if (message !== undefined && json.message !== message) violation(`${what}: message ${JSON.stringify(json.message)}, expected exactly ${JSON.stringify(message)}`)
}

relayCase(
  {
    id: 'http-bridge.events-accepted',
    title: 'POST /events answers 200 {event_id, accepted: true, message}; a re-sent, stale or tie-losing event gets exactly duplicate:',
    requirements: ['AP-HTTP-1'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const slug = c.slug()
    const now = c.now()
    const head = c.persona({ slug, created_at: now - 5 })
    expectAcceptedReply(await postEvent(c, head), head, 'a new persona')
    expectAcceptedReply(await postEvent(c, head), head, 'the same persona again', OriginDuplicateMessage)
    const stale = c.persona({ slug, created_at: now - 50 })
    expectAcceptedReply(await postEvent(c, stale), stale, 'a stale version', OriginDuplicateMessage)
    // Two versions at one second: the one with the higher id loses to the lower one.
    const tieSlug = c.slug('tie')
    const versions = [1, 2].map((n) => c.persona({ slug: tieSlug, created_at: now - 3, body: { display_name: `Tie ${n}`, system_prompt: 'tie' } }))
    const [low, high] = versions.sort((x, y) => (x.id < y.id ? -1 : 1)) as [NostrEvent, NostrEvent]
    expectAcceptedReply(await postEvent(c, low), low, 'the lower-id version of a tie')
    expectAcceptedReply(await postEvent(c, high), high, 'the higher-id version of a tie, after the lower', OriginDuplicateMessage)
  },
)

relayCase(
  {
    id: 'http-bridge.events-refused',
    title: "POST /events answers a refused event 400 {error} with the WebSocket OK message, and another key's event 403",
    requirements: ['AP-HTTP-2'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const bad = [
      ['a persona with slug "Bad"', () => c.persona({ tags: personaTags('Bad') })],
      ['a persona with two d tags', () => c.persona({ tags: [['d', 'a'], ['d', 'b']] })],
      ['a persona far in the future', () => c.persona({ created_at: c.now() + 86_400 })],
    ] as const
    for (const [what, make] of bad) {
      // Two distinct events breaking the same rule: one per door.
      const reply = await postEvent(c, make())
      if (reply.status !== 400) violation(`${what}: POST /events answered ${reply.status}, expected 400`)
      const json = body(reply, what)
      const ok = await ws.publish(make())
      if (ok.accepted) violation(`${what}: the WebSocket accepted it`)
      if (json.error !== ok.message) violation(`${what}: HTTP error ${JSON.stringify(json.error)}, the WebSocket OK says ${JSON.stringify(ok.message)}`)
    }
    const own = c.persona()
    const mine = await postEvent(c, own)
    control(mine.status === 200, `the caller's own persona was answered ${mine.status}, so a 403 for another key's cannot be told apart`)
    const foreign = c.persona({ keys: c.freshKeys() })
    const reply = await postEvent(c, foreign)
    if (reply.status !== 403) violation(`a persona signed by another key than the caller's: POST /events answered ${reply.status}, expected 403`)
    const error = body(reply, "another key's persona").error
    if (error !== AuthTexts.pubkeyMismatch) violation(`another key's persona: error ${JSON.stringify(error)}, expected ${JSON.stringify(AuthTexts.pubkeyMismatch)}`)
    const read = await ws.query([{ kinds: [PersonaKind], ids: [own.id, foreign.id] }])
    control(read.events.some((e) => e.id === own.id), "the caller's own persona posted over HTTP is not served, so its absence says nothing")
    if (read.events.some((e) => e.id === foreign.id)) violation("another key's persona refused with 403 is served anyway")
    expectAccepted(await ws.publish(c.persona()), 'a persona over the WebSocket after the refusals')
  },
)

relayCase(
  {
    id: 'http-bridge.both-doors',
    title: 'an event written through either door is returned by queries through both',
    requirements: ['AP-HTTP-6', 'AP-HTTP-3'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-bridge'],
  },
  async (c) => {
    const ws = await c.connect()
    const viaHttp = c.persona({ created_at: c.now() - 10 })
    const viaWs = c.persona({ created_at: c.now() - 5 })
    expectAcceptedReply(await postEvent(c, viaHttp), viaHttp, 'a persona posted over HTTP')
    expectAccepted(await ws.publish(viaWs), 'a persona published over the WebSocket')
    const filter = { kinds: [PersonaKind], authors: [c.keys.pubkey] }
    const reply = await ws.query([filter])
    const overHttp = await c.http.post('/query', [filter])
    if (overHttp.status !== 200 || !Array.isArray(overHttp.json)) violation(`POST /query answered ${overHttp.status} ${overHttp.text.slice(0, 200)}`)
    for (const [door, events] of [['WebSocket REQ', reply.events], ['POST /query', overHttp.json as NostrEvent[]]] as const) {
      for (const event of [viaHttp, viaWs]) {
        if (!events.some((e) => e.id === event.id)) violation(`${door} does not return the persona written ${event === viaHttp ? 'over HTTP' : 'over the WebSocket'}`)
      }
    }
  },
)
