// NIP-42 as it bears on a NIP-AP relay that authenticates its clients (spec/NIP-AP.md 14.5).
// Every case needs a relay that sends AUTH challenges (`needs: ['nip42']`); the cases open
// connections with `{ auth: false }` so that the AUTH messages under test are their own.
import {
  type CaseContext,
  type RelayConnection,
  control,
  expectAccepted,
  makeAuthEvent,
  relayCase,
  violation,
} from '../../harness/src/authoring.ts'
import type { KeyPair } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { okBarrier, watch } from '../lib/live.ts'

const AuthKind = 22242

/** A connection that does not authenticate by itself, and the challenge the relay gave it. */
async function unauthenticated(c: CaseContext): Promise<{ ws: RelayConnection; challenge: string }> {
  const ws = await c.connect({ auth: false })
  const challenge = await ws.awaitChallenge()
  control(challenge !== undefined, 'the relay sent no AUTH challenge on a new connection (not even after a REQ), so there is nothing to answer')
  return { ws, challenge }
}

/** The canonical AUTH event for `challenge`, with fields overridden to make it faulty. */
function authEvent(c: CaseContext, keys: KeyPair, challenge: string, change: { relayUrl?: string; createdAt?: number } = {}): NostrEvent {
  return makeAuthEvent({ secretKey: keys.secretKey, challenge, relayUrl: change.relayUrl ?? c.target.url, createdAt: change.createdAt ?? c.now() })
}

relayCase(
  {
    id: 'nip42.auth-answered-with-ok',
    title: 'an AUTH message is answered with exactly one OK naming its event, whether the relay accepts it or not',
    requirements: ['AP-WSAUTH-1'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip42'],
  },
  async (c) => {
    const cases: Array<[string, (challenge: string) => NostrEvent]> = [
      ['a valid AUTH', (challenge) => authEvent(c, c.keys, challenge)],
      ['an AUTH naming another challenge', (challenge) => authEvent(c, c.keys, `${challenge}0`)],
    ]
    for (const [what, make] of cases) {
      const { ws, challenge } = await unauthenticated(c)
      const event = make(challenge)
      const since = ws.mark
      ws.send(['AUTH', event])
      // A barrier EVENT: once its OK is in, the AUTH sent before it had its chance to be answered.
      await okBarrier(c, ws)
      const answers = ws.framesSince(since).filter((f) => f[0] === 'OK' && f[1] === event.id)
      if (answers.length !== 1) violation(`${what} (${event.id.slice(0, 12)}) got ${answers.length} OK answers; NIP-42 requires one`)
    }
  },
)

relayCase(
  {
    id: 'nip42.auth-event-not-broadcast',
    title: 'a kind 22242 event, sent in an accepted AUTH message on another connection or with EVENT, is not delivered to a subscription that matches it',
    requirements: ['AP-WSAUTH-2'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip42'],
  },
  async (c) => {
    const reader = await c.connect()
    // The barrier of watch() is the positive control: live delivery works on this subscription.
    const live = await watch(c, reader, [{ kinds: [AuthKind], authors: [c.keys.pubkey] }])
    const { ws: authing, challenge: authChallenge } = await unauthenticated(c)
    const authenticated = authEvent(c, c.keys, authChallenge)
    const auth = await authing.sendAuth(authenticated)
    control(auth.accepted, `the relay refused a valid AUTH on a fresh connection (OK false ${JSON.stringify(auth.message)}), so no accepted AUTH event could be broadcast`)
    const writer = await c.connect()
    const challenge = writer.challenge ?? (await writer.awaitChallenge()) ?? 'no challenge'
    const event = authEvent(c, c.keys, challenge)
    const reply = await writer.publish(event)
    c.note(`the relay answered the kind 22242 EVENT with OK ${reply.accepted} ${JSON.stringify(reply.message)}`)
    const delivered = await live.settle()
    if (delivered.some((e) => e.id === authenticated.id)) {
      violation(`the kind 22242 event ${authenticated.id.slice(0, 12)} of an accepted AUTH message on another connection was delivered to a subscription`)
    }
    if (delivered.some((e) => e.id === event.id)) {
      violation(`the kind 22242 event ${event.id.slice(0, 12)} sent with EVENT was delivered to a subscription (OK was ${reply.accepted} ${JSON.stringify(reply.message)})`)
    }
    const others = delivered.filter((e) => e.kind === AuthKind)
    if (others.length > 0) violation(`kind 22242 events were delivered to a subscription: ${others.map((e) => e.id.slice(0, 12)).join(', ')}`)
  },
)

relayCase(
  {
    id: 'nip42.every-authenticated-key-counts',
    title: 'after AUTH as two keys on one connection, the relay accepts events of both',
    requirements: ['AP-WSAUTH-3'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip42'],
  },
  async (c) => {
    if (c.settings.profile === 'origin') {
      return c.skip('the origin profile binds a connection to one key instead (AP-AUTH-9, AMB-36); AP-WSAUTH-3 is judged under --profile core')
    }
    const { auth } = c.probe
    if (auth.event !== 'required' || auth.bindsKey !== true) {
      return c.skip(`seen only on a relay that writes for authenticated keys alone; the probe found: ${auth.detail}`)
    }
    const { ws, challenge } = await unauthenticated(c)
    const [first, second] = [c.keys, c.freshKeys()]
    const one = await ws.sendAuth(authEvent(c, first, challenge))
    control(one.accepted, `the relay refused AUTH as the case's first key (OK false ${JSON.stringify(one.message)})`)
    const two = await ws.sendAuth(authEvent(c, second, ws.challenge ?? challenge))
    if (!two.accepted) {
      violation(`a second AUTH on the same connection, for another key, was refused: OK false ${JSON.stringify(two.message)}; NIP-42 has the relay treat every authenticated key as authenticated`)
    }
    expectAccepted(await ws.publish(c.persona({ keys: first })), 'a persona of the first authenticated key')
    expectAccepted(await ws.publish(c.persona({ keys: second })), 'a persona of the second authenticated key, on the same connection')
  },
)

relayCase(
  {
    id: 'nip42.auth-verified',
    title: 'an AUTH event of another kind, for another challenge, a day old, or naming another relay is refused',
    requirements: ['AP-WSAUTH-4'],
    level: 'MUST',
    profile: 'core',
    needs: ['nip42'],
  },
  async (c) => {
    // Positive control: the relay accepts a correct AUTH of this key.
    const control0 = await unauthenticated(c)
    const good = await control0.ws.sendAuth(authEvent(c, c.keys, control0.challenge))
    control(good.accepted, `the relay refused a correct AUTH of the case's key (OK false ${JSON.stringify(good.message)}), so refusals of faulty ones say nothing`)
    const faulty: Array<[string, (challenge: string) => NostrEvent]> = [
      ['kind 1 instead of 22242', (challenge) => c.sign({ kind: 1, tags: [['relay', c.target.url], ['challenge', challenge]] })],
      ['a challenge tag that is not the challenge sent', (challenge) => authEvent(c, c.keys, `${challenge}0`)],
      ['a created_at one day old', (challenge) => authEvent(c, c.keys, challenge, { createdAt: c.now() - 86_400 })],
      ['a relay tag naming another relay', (challenge) => authEvent(c, c.keys, challenge, { relayUrl: 'wss://another-relay.invalid/' })],
    ]
    for (const [what, make] of faulty) {
      const { ws, challenge } = await unauthenticated(c)
      const reply = await ws.sendAuth(make(challenge))
      if (reply.accepted) violation(`an AUTH event with ${what} was accepted (OK true ${JSON.stringify(reply.message)})`)
    }
  },
)
