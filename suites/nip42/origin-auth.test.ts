import { finalizeEvent } from 'nostr-tools/pure'
import type { Nip01Connection } from '../../lib/nip01/connection.ts'
import { makeAuthEvent } from '../../lib/nip01/auth.ts'
import { type Frame, isOkFor, okReplyOf, type OkReply } from '../../lib/nip01/frames.ts'
import { type CaseContext, type KeyPair, control, controlAccepted, expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { harnessErrorOf } from '../../harness/src/driver.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind, RelayAuthKind } from '../../spec/model/kinds.ts'
import { RelayAuthMessages as AuthTexts } from '../../spec/model/relay-auth.ts'
import { expectExactRefusal, withRawSocket } from '../lib/origin.ts'

/** Runs a step on a raw socket, turning transport trouble into the harness's error. */
async function step<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw harnessErrorOf(error)
  }
}

/** Sends `["AUTH", event]` and returns the relay's OK for it. */
async function sendAuth(socket: Nip01Connection, event: NostrEvent): Promise<OkReply> {
  const since = socket.mark
  socket.send(['AUTH', event])
  const frame = await step(socket.waitFor(isOkFor(event.id), `OK for the AUTH ${event.id.slice(0, 12)}`, { since }))
  return okReplyOf(event.id, frame)
}

/** The AUTH event for `socket`'s challenge, signed by `keys`, with changes for the bad ones. */
async function authEvent(c: CaseContext, socket: Nip01Connection, keys: KeyPair, change: { relayUrl?: string; createdAt?: number; challenge?: string } = {}): Promise<NostrEvent> {
  const challenge = change.challenge ?? (await step(socket.waitForChallenge()))
  return makeAuthEvent({ secretKey: keys.secretKey, challenge, relayUrl: change.relayUrl ?? c.target.url, createdAt: change.createdAt ?? c.now() })
}

async function authenticateAs(c: CaseContext, socket: Nip01Connection, keys: KeyPair, what: string): Promise<void> {
  controlAccepted(await sendAuth(socket, await authEvent(c, socket, keys)), what)
}

const isFrame = (type: string, sub?: string) => (f: Frame) => f[0] === type && (sub === undefined || f[1] === sub)

relayCase(
  {
    id: 'nip42.auth-required',
    title: 'the relay challenges on connect and refuses EVENT, REQ and COUNT before AUTH with the origin texts, storing and serving nothing',
    requirements: ['AP-AUTH-7'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const persona = c.persona()
    await withRawSocket(c, 'anon', async (socket) => {
      const challenge = await step(socket.waitForChallenge())
      if (!/^[0-9a-f]{64}$/.test(challenge)) c.note(`the challenge ${JSON.stringify(challenge)} is not 64 hex digits (the origin's are; not required)`)
      expectExactRefusal(await step(socket.publish(persona)), AuthTexts.notAuthenticated, 'an EVENT before AUTH')
      const before = socket.mark
      socket.send(['REQ', 'before-auth', { kinds: [PersonaKind], authors: [c.keys.pubkey] }])
      const closed = await step(socket.waitFor(isFrame('CLOSED', 'before-auth'), 'the CLOSED of a REQ sent before AUTH', { since: before }))
      const notice = socket.framesSince(before).find(isFrame('NOTICE'))
      if (notice?.[1] !== AuthTexts.beforeSubscribing) violation(`a REQ before AUTH: expected NOTICE ${JSON.stringify(AuthTexts.beforeSubscribing)} before the CLOSED, got ${JSON.stringify(notice ?? null)}`)
      if (closed[2] !== AuthTexts.notAuthenticated) violation(`a REQ before AUTH: CLOSED ${JSON.stringify(closed[2])}, expected ${JSON.stringify(AuthTexts.notAuthenticated)}`)
      if (socket.framesSince(before).some(isFrame('EVENT', 'before-auth'))) violation('a REQ before AUTH was served events')
      const count = await step(socket.count([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }]))
      if (count.ok) violation(`a COUNT before AUTH was answered ${JSON.stringify(count.frame)}`)
      else if (count.closed !== AuthTexts.notAuthenticated) violation(`a COUNT before AUTH: CLOSED ${JSON.stringify(count.closed)}, expected ${JSON.stringify(AuthTexts.notAuthenticated)}`)
      await authenticateAs(c, socket, c.keys, 'an AUTH for the challenge, signed by the case key')
      // Had the EVENT before AUTH been stored, this would be a duplicate.
      const after = await step(socket.publish(persona))
      expectAccepted(after, 'the same persona after AUTH')
      if (after.message.startsWith('duplicate:')) violation(`the persona sent before AUTH was stored: after AUTH it is answered ${JSON.stringify(after.message)}`)
    })
  },
)

relayCase(
  {
    id: 'nip42.auth-verification',
    title: 'an AUTH with a wrong challenge, relay URL, time, kind or signature is refused with auth-required: verification failed; localhost names 127.0.0.1',
    requirements: ['AP-AUTH-8'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const bad: Array<[string, (socket: Nip01Connection) => Promise<NostrEvent>]> = [
      ['an AUTH for another challenge', (s) => authEvent(c, s, c.keys, { challenge: 'f'.repeat(64) })],
      ['an AUTH naming another relay', (s) => authEvent(c, s, c.keys, { relayUrl: 'wss://relay.example.invalid' })],
      ['an AUTH signed 120 s ago', (s) => authEvent(c, s, c.keys, { createdAt: c.now() - 120 - c.clockMargin() })],
      [
        'an AUTH of kind 1',
        async (s) => finalizeEvent({ kind: 1, created_at: c.now(), tags: [['relay', c.target.url], ['challenge', await step(s.waitForChallenge())]], content: '' }, c.keys.secretKey),
      ],
      ['an AUTH whose signature does not verify', async (s) => ({ ...(await authEvent(c, s, c.keys)), sig: (await authEvent(c, s, c.freshKeys())).sig })],
    ]
    for (const [what, make] of bad) {
      await withRawSocket(c, 'auth', async (socket) => {
        expectExactRefusal(await sendAuth(socket, await make(socket)), AuthTexts.verificationFailed, what)
      })
    }
    await withRawSocket(c, 'auth', async (socket) => {
      expectAccepted(await sendAuth(socket, await authEvent(c, socket, c.keys)), 'an AUTH that meets every condition')
    })
    const url = new URL(c.target.url)
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return c.note(`the relay is not on the loopback address; localhost equivalence not checked`)
    url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
    await withRawSocket(c, 'auth', async (socket) => {
      const reply = await sendAuth(socket, await authEvent(c, socket, c.keys, { relayUrl: `${url.toString().replace(/\/$/, '')}/` }))
      expectAccepted(reply, `an AUTH whose relay tag names ${url.hostname} and ends with "/" (the same relay)`)
    })
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
    await withRawSocket(c, 'first', async (socket) => {
      await authenticateAs(c, socket, c.keys, 'the first AUTH, as the case key')
      expectExactRefusal(await sendAuth(socket, await authEvent(c, socket, other)), AuthTexts.alreadyAuthenticated, 'a second AUTH, as another key')
      expectExactRefusal(await step(socket.publish(c.persona({ keys: other }))), AuthTexts.pubkeyMismatch, "the other key's persona after its refused AUTH")
      expectAccepted(await step(socket.publish(c.persona())), "the case key's persona")
    })
    await withRawSocket(c, 'failed', async (socket) => {
      const refused = await sendAuth(socket, await authEvent(c, socket, c.keys, { challenge: 'f'.repeat(64) }))
      control(!refused.accepted, `an AUTH for the wrong challenge was accepted (${JSON.stringify(refused.message)}), so the rule after a failure cannot be seen`)
      expectExactRefusal(await sendAuth(socket, await authEvent(c, socket, c.keys)), AuthTexts.alreadyFailed, 'a good AUTH after a failed one')
      expectExactRefusal(await step(socket.publish(c.persona())), AuthTexts.notAuthenticated, 'an EVENT after the failed AUTH')
    })
  },
)

relayCase(
  {
    id: 'nip42.pubkey-binding',
    title: "an EVENT signed by another key than the authenticated one is refused with the origin text, before its signature is checked",
    requirements: ['AP-AUTH-10'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const other = c.freshKeys()
    await withRawSocket(c, 'bound', async (socket) => {
      await authenticateAs(c, socket, c.keys, 'an AUTH as the case key')
      controlAccepted(await step(socket.publish(c.persona())), "the case key's persona")
      expectExactRefusal(await step(socket.publish(c.persona({ keys: other }))), AuthTexts.pubkeyMismatch, "another key's persona")
      const forged = { ...c.persona({ keys: other }), sig: c.persona().sig }
      expectExactRefusal(await step(socket.publish(forged)), AuthTexts.pubkeyMismatch, "another key's persona with a signature that does not verify")
      expectExactRefusal(await step(socket.publish(c.sign({ kind: 1, content: 'note' }, other))), AuthTexts.pubkeyMismatch, "another key's note")
    })
  },
)

relayCase(
  {
    id: 'nip42.auth-event-as-event',
    title: 'a kind 22242 event sent as EVENT by the authenticated key is refused with invalid: AUTH events cannot be submitted via EVENT',
    requirements: ['AP-AUTH-11'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    await withRawSocket(c, 'bound', async (socket) => {
      await authenticateAs(c, socket, c.keys, 'an AUTH as the case key')
      const event = await authEvent(c, socket, c.keys)
      expectExactRefusal(await step(socket.publish(event)), AuthTexts.authAsEvent, `a kind ${RelayAuthKind} event sent as EVENT`)
    })
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
