import { type CaseContext, HarnessError, type HttpReply, relayCase, violation } from '../../harness/src/authoring.ts'
import { bracketOf, surelyInside, surelyOutside } from '../lib/clock.ts'
import { HttpAuthWindowSeconds, OriginHttpAuthTexts, buildHttpAuthEvent, encodeHttpAuthHeader } from '../../spec/model/http-auth.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { finalizeEvent } from 'nostr-tools/pure'

const Path = '/count'

function body(c: CaseContext): string {
  return JSON.stringify([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
}

function url(c: CaseContext, path = Path): string {
  return new URL(path, c.target.httpUrl).toString()
}

/** POST /count with exactly this Authorization header (or none). */
function send(c: CaseContext, authorization: string | undefined, text = body(c)): Promise<HttpReply> {
  return c.http.request('POST', Path, text, {
    auth: false,
    headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
  })
}

type Refusal = Exclude<keyof typeof OriginHttpAuthTexts, 'xPubkey'>

/**
 * A 401 whose {error} is the origin's text for `reason`; a verification failure is its fixed
 * beginning followed by a description of the check, whose words are free.
 */
function expectRefusal(reply: HttpReply, reason: Refusal, what: string): void {
  if (reply.status !== 401) violation(`${what}: answered ${reply.status} ${reply.text.slice(0, 160)}, expected 401`)
  const error = (reply.json as { error?: unknown } | undefined)?.error
  const text = OriginHttpAuthTexts[reason]
  const ok = reason === 'verificationFailed' ? typeof error === 'string' && error.startsWith(text) && error.length > text.length : error === text
  if (!ok) violation(`${what}: error ${JSON.stringify(error)}, expected ${reason === 'verificationFailed' ? `${JSON.stringify(text)} followed by what failed` : JSON.stringify(text)}`)
}

function expectServed(reply: HttpReply, what: string): void {
  if (reply.status !== 200) violation(`${what}: answered ${reply.status} ${reply.text.slice(0, 160)}, expected 200`)
}

function token(event: NostrEvent): string {
  return encodeHttpAuthHeader(event)
}

relayCase(
  {
    id: 'http-auth.missing-or-unverifiable',
    title: 'a missing header, another scheme, a token that is not base64, UTF-8 or event JSON, or a forged event is refused 401 with the origin\'s text',
    requirements: ['AP-AUTH-1'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    expectRefusal(await send(c, undefined), 'missing', 'no Authorization header')
    expectRefusal(await send(c, 'Bearer abc.def'), 'missing', 'a Bearer token')
    expectRefusal(await send(c, 'Nostr ***not-base64***'), 'base64', 'a token that is not base64')
    expectRefusal(await send(c, `Nostr ${Buffer.from([0xc3, 0x28, 0xff, 0xfe]).toString('base64')}`), 'utf8', 'a token that is not UTF-8')
    expectRefusal(await send(c, `Nostr ${Buffer.from('not json').toString('base64')}`), 'json', 'a token that is not JSON')
    expectRefusal(await send(c, `Nostr ${Buffer.from('{"kind":27235}').toString('base64')}`), 'json', 'a token that is JSON but not an event')
    const good = buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', createdAt: c.now() })
    const donor = buildHttpAuthEvent({ secretKey: c.freshKeys().secretKey, url: url(c), method: 'POST', createdAt: c.now() })
    expectRefusal(await send(c, token({ ...good, sig: donor.sig })), 'verificationFailed', 'a token whose signature does not verify')
    expectRefusal(await send(c, token({ ...good, tags: [...good.tags, ['x', 'y']] })), 'verificationFailed', 'a token whose id does not match its fields')
    expectServed(await send(c, token(good)), 'the valid token those were made from')
  },
)

relayCase(
  {
    id: 'http-auth.wrong-kind',
    title: 'an authorization event that is not kind 27235 is refused 401',
    requirements: ['AP-AUTH-2'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    const event = finalizeEvent({ kind: 1, created_at: c.now(), tags: [['u', url(c)], ['method', 'POST']], content: '' }, c.keys.secretKey)
    expectRefusal(await send(c, token(event)), 'verificationFailed', 'a kind 1 event as token')
  },
)

relayCase(
  {
    id: 'http-auth.url-and-method',
    title: 'an authorization event whose u tag is another URL or whose method tag is another method is refused 401',
    requirements: ['AP-AUTH-3'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    const now = c.now()
    const sign = (u: string, method: string) => token(buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: u, method, createdAt: now }))
    expectRefusal(await send(c, sign(url(c, '/query'), 'POST')), 'verificationFailed', 'a token for /query used on /count')
    expectRefusal(await send(c, sign(`${url(c)}?x=1`, 'POST')), 'verificationFailed', 'a token for the URL with a query string')
    expectRefusal(await send(c, sign('http://example.invalid/count', 'POST'), body(c)), 'verificationFailed', 'a token for another host')
    expectRefusal(await send(c, sign(url(c), 'GET')), 'verificationFailed', 'a token with method GET used for POST')
    const noUrl = finalizeEvent({ kind: 27235, created_at: now, tags: [['method', 'POST']], content: '' }, c.keys.secretKey)
    expectRefusal(await send(c, token(noUrl)), 'verificationFailed', 'a token without a u tag')
    expectServed(await send(c, sign(url(c), 'post')), 'a token whose method tag is lowercase')
  },
)

relayCase(
  {
    id: 'http-auth.clock-window',
    title: 'an authorization event more than 60 s from the relay clock is refused 401; within the window it is accepted',
    requirements: ['AP-AUTH-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    const margin = c.clockMargin() + 1
    const window = { lower: HttpAuthWindowSeconds, upper: HttpAuthWindowSeconds }
    // Judged like the event window: only when it holds for every now the relay can have had.
    const judged = async (offset: number, what: string) => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const started = Date.now()
        const createdAt = c.now() + offset
        const reply = await send(c, token(buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', createdAt })))
        const bracket = bracketOf(c, started, Date.now())
        if (surelyInside(createdAt, bracket, window)) return { reply, inside: true }
        if (surelyOutside(createdAt, bracket, window)) return { reply, inside: false }
        c.note(`${what}: the relay's clock was somewhere in [${bracket.nowMin}, ${bracket.nowMax}], too wide to judge; retrying`)
      }
      throw new HarnessError('timeout', `${what}: the bridge answered too slowly to judge the ±${HttpAuthWindowSeconds} s window`)
    }
    for (const [offset, what] of [
      [-HttpAuthWindowSeconds - margin, `a token signed ${HttpAuthWindowSeconds + margin} s ago`],
      [HttpAuthWindowSeconds + margin, `a token signed ${HttpAuthWindowSeconds + margin} s ahead`],
      [-86_400, 'a token signed a day ago'],
      [-HttpAuthWindowSeconds + margin, `a token signed ${HttpAuthWindowSeconds - margin} s ago`],
      [HttpAuthWindowSeconds - margin, `a token signed ${HttpAuthWindowSeconds - margin} s ahead`],
    ] as const) {
      const { reply, inside } = await judged(offset, what)
      if (inside) expectServed(reply, what)
      else expectRefusal(reply, 'verificationFailed', what)
    }
  },
)

relayCase(
  {
    id: 'http-auth.payload',
    title: 'an authorization event whose payload tag is not the SHA-256 of the body is refused 401; without a payload tag it is accepted',
    requirements: ['AP-AUTH-5'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    const text = body(c)
    const forOtherBody = buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', body: `${text} `, createdAt: c.now() })
    expectRefusal(await send(c, token(forOtherBody), text), 'verificationFailed', 'a token whose payload hashes a different body')
    const forBody = buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', body: text, createdAt: c.now() })
    expectServed(await send(c, token(forBody), text), 'a token whose payload hashes the body')
    const noPayload = buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', createdAt: c.now() })
    expectServed(await send(c, token(noPayload), text), 'a token without a payload tag')
  },
)

relayCase(
  {
    id: 'http-auth.replay',
    title: 'an authorization event already accepted is refused 401 when used again',
    requirements: ['AP-AUTH-6'],
    level: 'MUST',
    profile: 'origin',
    needs: ['http-auth'],
  },
  async (c) => {
    const header = token(buildHttpAuthEvent({ secretKey: c.keys.secretKey, url: url(c), method: 'POST', body: body(c), createdAt: c.now() }))
    expectServed(await send(c, header), 'the first use of a token')
    expectRefusal(await send(c, header), 'replay', 'the second use of the same token')
  },
)
