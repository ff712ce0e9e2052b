// The origin relay's NIP-42 (spec/NIP-AP.md 17.3): AUTH always required, one AUTH per
// connection, one key per connection, and its texts. Each case opens connections with
// `{ auth: false }` so that every AUTH message under test is its own.
import { finalizeEvent } from 'nostr-tools/pure'
import {
  type CaseContext,
  type Frame,
  type KeyPair,
  type RelayConnection,
  control,
  controlAccepted,
  expectAccepted,
  makeAuthEvent,
  relayCase,
  violation,
} from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind, RelayAuthKind } from '../../spec/model/kinds.ts'
import { RelayAuthMessages as AuthTexts } from '../../spec/model/relay-auth.ts'
import { expectExactRefusal } from '../lib/origin.ts'

/** A connection that does not authenticate by itself, and the challenge it was sent on connect. */
async function unauthenticated(c: CaseContext): Promise<{ ws: RelayConnection; challenge: string }> {
  const ws = await c.connect({ auth: false })
  const challenge = ws.challenge ?? (await ws.awaitChallenge())
  control(challenge !== undefined, 'the relay sent no AUTH challenge on a new connection, so there is nothing to answer')
  return { ws, challenge }
}

/** The AUTH event for `challenge` signed by `keys`, with fields changed to make it faulty. */
function authEvent(c: CaseContext, keys: KeyPair, challenge: string, change: { relayUrl?: string; createdAt?: number } = {}): NostrEvent {
  return makeAuthEvent({ secretKey: keys.secretKey, challenge, relayUrl: change.relayUrl ?? c.target.url, createdAt: change.createdAt ?? c.now() })
}

async function authenticateAs(c: CaseContext, ws: RelayConnection, challenge: string, keys: KeyPair, what: string): Promise<void> {
  controlAccepted(await ws.sendAuth(authEvent(c, keys, challenge)), what)
}

const isFrame = (type: string, sub?: string) => (f: Frame) => f[0] === type && (sub === undefined || f[1] === sub)

relayCase(
  {
    id: 'nip42.auth-required-origin',
    title: 'the relay challenges on connect and refuses EVENT, REQ and COUNT before AUTH with the origin texts, storing and serving nothing',
    requirements: ['AP-AUTH-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const persona = c.persona()
    const ws = await c.connect({ auth: false })
    const challenge = await ws.awaitChallenge()
    if (challenge === undefined || ws.framesSince(0).findIndex(isFrame('AUTH')) !== 0) {
      violation(`the relay did not send ["AUTH", <challenge>] as its first frame on connect (first frames: ${JSON.stringify(ws.framesSince(0).slice(0, 2))})`)
    }
    if (!/^[0-9a-f]{64}$/.test(challenge)) c.note(`the challenge ${JSON.stringify(challenge)} is not 64 hex digits (the origin's are; not required)`)
    expectExactRefusal(await ws.publish(persona), AuthTexts.notAuthenticated, 'an EVENT before AUTH')
    const before = ws.mark
    ws.send(['REQ', 'before-auth', { kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    const closed = await ws.waitFor(isFrame('CLOSED', 'before-auth'), 'the CLOSED of a REQ sent before AUTH', { since: before })
    const notice = ws.framesSince(before).find(isFrame('NOTICE'))
    if (notice?.[1] !== AuthTexts.beforeSubscribing) violation(`a REQ before AUTH: expected NOTICE ${JSON.stringify(AuthTexts.beforeSubscribing)} before the CLOSED, got ${JSON.stringify(notice ?? null)}`)
    if (closed[2] !== AuthTexts.notAuthenticated) violation(`a REQ before AUTH: CLOSED ${JSON.stringify(closed[2])}, expected ${JSON.stringify(AuthTexts.notAuthenticated)}`)
    if (ws.framesSince(before).some(isFrame('EVENT', 'before-auth'))) violation('a REQ before AUTH was served events')
    const count = await ws.count([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }])
    if (count.ok) violation(`a COUNT before AUTH was answered ${JSON.stringify(count.frame)}`)
    else if (count.closed !== AuthTexts.notAuthenticated) violation(`a COUNT before AUTH: CLOSED ${JSON.stringify(count.closed)}, expected ${JSON.stringify(AuthTexts.notAuthenticated)}`)
    await authenticateAs(c, ws, challenge, c.keys, 'an AUTH for the challenge, signed by the case key')
    // Had the EVENT before AUTH been stored, this would be a duplicate.
    const after = await ws.publish(persona)
    expectAccepted(after, 'the same persona after AUTH')
    if (after.message.startsWith('duplicate:')) violation(`the persona sent before AUTH was stored: after AUTH it is answered ${JSON.stringify(after.message)}`)
  },
)

relayCase(
  {
    id: 'nip42.auth-verification-origin',
    title: 'an AUTH with a wrong challenge, relay URL, time, kind or signature is refused with auth-required: verification failed; localhost names 127.0.0.1',
    requirements: ['AP-AUTH-8'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const bad: Array<[string, (challenge: string) => NostrEvent]> = [
      ['an AUTH for another challenge', () => authEvent(c, c.keys, 'f'.repeat(64))],
      ['an AUTH naming another relay', (ch) => authEvent(c, c.keys, ch, { relayUrl: 'wss://relay.example.invalid' })],
      ['an AUTH signed 120 s ago', (ch) => authEvent(c, c.keys, ch, { createdAt: c.now() - 120 - c.clockMargin() })],
      ['an AUTH of kind 1', (ch) => finalizeEvent({ kind: 1, created_at: c.now(), tags: [['relay', c.target.url], ['challenge', ch]], content: '' }, c.keys.secretKey)],
      ['an AUTH whose signature does not verify', (ch) => ({ ...authEvent(c, c.keys, ch), sig: authEvent(c, c.freshKeys(), ch).sig })],
    ]
    for (const [what, make] of bad) {
      const { ws, challenge } = await unauthenticated(c)
      expectExactRefusal(await ws.sendAuth(make(challenge)), AuthTexts.verificationFailed, what)
    }
    const good = await unauthenticated(c)
    expectAccepted(await good.ws.sendAuth(authEvent(c, c.keys, good.challenge)), 'an AUTH that meets every condition')
    const url = new URL(c.target.url)
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return c.note('the relay is not on the loopback address; localhost equivalence not checked')
    url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
    const other = await unauthenticated(c)
    const reply = await other.ws.sendAuth(authEvent(c, c.keys, other.challenge, { relayUrl: `${url.toString().replace(/\/$/, '')}/` }))
    expectAccepted(reply, `an AUTH whose relay tag names ${url.hostname} and ends with "/" (the same relay)`)
  },
)

relayCase(
  {
    id: 'nip42.one-auth-per-connection',
    title: 'a second AUTH is refused (already authenticated / authentication already failed) and the connection stays bound to its key',
    requirements: ['AP-AUTH-9'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const other = c.freshKeys()
    const first = await unauthenticated(c)
    await authenticateAs(c, first.ws, first.challenge, c.keys, 'the first AUTH, as the case key')
    expectExactRefusal(await first.ws.sendAuth(authEvent(c, other, first.challenge)), AuthTexts.alreadyAuthenticated, 'a second AUTH, as another key')
    expectExactRefusal(await first.ws.publish(c.persona({ keys: other })), AuthTexts.pubkeyMismatch, "the other key's persona after its refused AUTH")
    expectAccepted(await first.ws.publish(c.persona()), "the case key's persona")
    const failed = await unauthenticated(c)
    const refused = await failed.ws.sendAuth(authEvent(c, c.keys, 'f'.repeat(64)))
    control(!refused.accepted, `an AUTH for the wrong challenge was accepted (${JSON.stringify(refused.message)}), so the rule after a failure cannot be seen`)
    expectExactRefusal(await failed.ws.sendAuth(authEvent(c, c.keys, failed.challenge)), AuthTexts.alreadyFailed, 'a good AUTH after a failed one')
    expectExactRefusal(await failed.ws.publish(c.persona()), AuthTexts.notAuthenticated, 'an EVENT after the failed AUTH')
  },
)

relayCase(
  {
    id: 'nip42.pubkey-binding',
    title: 'an EVENT signed by another key than the authenticated one is refused with the origin text, before its signature is checked',
    requirements: ['AP-AUTH-10'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const other = c.freshKeys()
    const { ws, challenge } = await unauthenticated(c)
    await authenticateAs(c, ws, challenge, c.keys, 'an AUTH as the case key')
    controlAccepted(await ws.publish(c.persona()), "the case key's persona")
    expectExactRefusal(await ws.publish(c.persona({ keys: other })), AuthTexts.pubkeyMismatch, "another key's persona")
    const forged = { ...c.persona({ keys: other }), sig: c.persona().sig }
    expectExactRefusal(await ws.publish(forged), AuthTexts.pubkeyMismatch, "another key's persona with a signature that does not verify")
    expectExactRefusal(await ws.publish(c.sign({ kind: 1, content: 'note' }, other)), AuthTexts.pubkeyMismatch, "another key's note")
  },
)

relayCase(
  {
    id: 'nip42.auth-event-as-event-origin',
    title: 'a kind 22242 event sent as EVENT by the authenticated key is refused with invalid: AUTH events cannot be submitted via EVENT',
    requirements: ['AP-AUTH-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const { ws, challenge } = await unauthenticated(c)
    await authenticateAs(c, ws, challenge, c.keys, 'an AUTH as the case key')
    expectExactRefusal(await ws.publish(authEvent(c, c.keys, challenge)), AuthTexts.authAsEvent, `a kind ${RelayAuthKind} event sent as EVENT`)
  },
)

relayCase(
  {
    id: 'nip42.nip11-auth-required',
    title: 'the NIP-11 document says limitation.auth_required: true',
    requirements: ['AP-AUTH-12'],
    level: 'MUST',
    profile: 'origin',
    needs: ['nip11'],
  },
  async (c) => {
    const value = c.probe.nip11.limitation.auth_required
    if (value !== true) violation(`NIP-11 limitation.auth_required is ${JSON.stringify(value ?? null)}, expected true`)
  },
)
