import { type CaseContext, type HttpReply, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { checkSlug } from '../../spec/model/slug.ts'

function body(reply: HttpReply): Record<string, unknown> {
  if (typeof reply.json !== 'object' || reply.json === null || Array.isArray(reply.json)) {
    violation(`expected a JSON object, got HTTP ${reply.status} ${reply.text.slice(0, 200)}`)
  }
  return reply.json as Record<string, unknown>
}

/**
 * POST /events. Posting the same event twice within a second would sign the same NIP-98
 * event (same u, method, payload and created_at, hence the same id) and be refused as a
 * replay, so each post gets a token a second older than the previous one.
 */
let tokenAge = 0
async function postEvent(c: CaseContext, event: NostrEvent): Promise<HttpReply> {
  tokenAge = (tokenAge + 1) % 30
  return c.http.post('/events', event, { authCreatedAt: c.now() - tokenAge })
}

function expectAcceptedReply(reply: HttpReply, event: NostrEvent, what: string, prefix?: 'duplicate'): void {
  if (reply.status !== 200) violation(`${what}: POST /events answered ${reply.status} ${reply.text.slice(0, 200)}, expected 200`)
  const json = body(reply)
  if (json.event_id !== event.id) violation(`${what}: event_id ${JSON.stringify(json.event_id)}, expected ${event.id}`)
  if (json.accepted !== true) violation(`${what}: accepted ${JSON.stringify(json.accepted)}, expected true`)
  if (typeof json.message !== 'string') violation(`${what}: message ${JSON.stringify(json.message)} is not a string`)
  if (prefix !== undefined && reasonPrefixOf(json.message) !== prefix) violation(`${what}: message ${JSON.stringify(json.message)}, expected a ${prefix}: message`)
}

relayCase(
  {
    id: 'http-bridge.events-accepted',
    title: 'POST /events answers 200 {event_id, accepted: true, message} for a new event, a re-sent one and a stale one',
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
    expectAcceptedReply(await postEvent(c, head), head, 'the same persona again', 'duplicate')
    const stale = c.persona({ slug, created_at: now - 50 })
    expectAcceptedReply(await postEvent(c, stale), stale, 'a stale version', 'duplicate')
  },
)

relayCase(
  {
    id: 'http-bridge.events-refused',
    title: 'POST /events answers a refused event with 400 {error} carrying the message the WebSocket OK carries',
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
      const overHttp = make()
      const overWs = make()
      const reply = await postEvent(c, overHttp)
      if (reply.status !== 400) violation(`${what}: POST /events answered ${reply.status}, expected 400`)
      const json = body(reply)
      const ok = await ws.publish(overWs)
      if (ok.accepted) violation(`${what}: the WebSocket accepted it`)
      if (json.error !== ok.message) violation(`${what}: HTTP error ${JSON.stringify(json.error)}, the WebSocket OK says ${JSON.stringify(ok.message)}`)
    }
    const check = checkSlug('Bad')
    if (!check.ok) {
      const reply = await postEvent(c, c.persona({ tags: personaTags('Bad') }))
      if (body(reply).error !== check.message) violation(`the slug refusal over HTTP is ${JSON.stringify(body(reply).error)}, expected ${JSON.stringify(check.message)}`)
    }
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
    const filter = { authors: [c.keys.pubkey] }
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
