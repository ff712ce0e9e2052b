/**
 * The WebSocket part of the probe: is the relay reachable, does it require NIP-42 AUTH (for
 * EVENT, REQ, COUNT) and bind a connection to the key it authenticated, does it answer
 * COUNT, does it enforce the subscription id limit it claims.
 *
 * Reachable means: a WebSocket opens and the relay answers something NIP-01-shaped (an
 * EOSE, a CLOSED, an OK, a NOTICE, an AUTH challenge). It does not depend on EOSE: a relay
 * that never ends stored events is failed by the case that owns EOSE, not hidden behind
 * exit 3. A relay that closes the socket on COUNT or on an over-long subscription id is
 * reconnected to; the probe goes on. Every step is bounded.
 */

import { randomBytes } from 'node:crypto'
import { finalizeEvent } from 'nostr-tools/pure'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import { type Nip01Error, isNip01Error } from '../../lib/nip01/errors.ts'
import type { Frame, OkReply, QueryReply } from '../../lib/nip01/frames.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { transcriptObserver } from './driver.ts'
import { type KeyPair, freshKeys, uniqueSlug } from './identity.ts'
import type { Transcript } from './transcript.ts'
import type { AuthProbe, Delivery, Finding } from './types.ts'

export interface WebSocketProbeOptions {
  timeoutMs: number
  /** Deadline of the side checks (COUNT, AUTH, subscription id). */
  shortWaitMs: number
  transcript: Transcript
  limitation: Record<string, unknown>
  /** The key to authenticate with (the first of the user's keys); default: one made here. */
  authKey?: KeyPair
}

export interface WebSocketProbe {
  reachable: boolean
  unreachableReason?: string
  /** What showed the relay reachable (or why it is not usable). */
  detail: string
  roundTripMs?: number
  count: { available: boolean; detail: string }
  delivery: Delivery
  auth: AuthProbe
  findings: Finding[]
}

/** How long the probe waits for a challenge on connect before its first request. */
const ChallengeGraceMs = 300

type Attempt<T> = { ok: true; value: T } | { ok: false; error: Nip01Error }

async function attempt<T>(work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    if (isNip01Error(error)) return { ok: false, error }
    throw error
  }
}

const isAuthRequired = (message: string | undefined): boolean => message !== undefined && reasonPrefixOf(message) === 'auth-required'

function probePersona(keys: KeyPair): NostrEvent {
  const slug = uniqueSlug('probe')
  return finalizeEvent(
    {
      kind: PersonaKind,
      created_at: Math.floor(Date.now() / 1000),
      tags: [['d', slug]],
      content: JSON.stringify({ display_name: 'Conformance probe', system_prompt: 'Written once per run by the conformance probe.' }),
    },
    keys.secretKey,
  ) as NostrEvent
}

export async function probeWebSocket(url: string, options: WebSocketProbeOptions): Promise<WebSocketProbe> {
  const { timeoutMs, shortWaitMs: shortWait, transcript } = options
  let spoke: Frame | undefined
  let challengeSeen: 'on-connect' | 'on-demand' | 'none' = 'none'
  let socketCount = 0
  let socket: Nip01Connection | undefined
  const findings: Finding[] = []

  const connect = async (): Promise<Nip01Connection> => {
    if (socket?.isOpen) return socket
    socketCount += 1
    const label = socketCount === 1 ? 'probe' : `probe${socketCount}`
    const record = transcriptObserver(transcript, label)
    // A challenge that comes before the client sent anything is sent on connect.
    let sentAnything = false
    socket = await Nip01Connection.open(url, {
      label,
      timeoutMs,
      subIdPrefix: label,
      observe: (event) => {
        record(event)
        if (event.type === 'send') sentAnything = true
        if (event.type !== 'recv' || event.frame === null) return
        spoke ??= event.frame
        if (event.frame[0] === 'AUTH' && challengeSeen === 'none') challengeSeen = sentAnything ? 'on-demand' : 'on-connect'
      },
    })
    if (socketCount === 1) {
      // Give a relay that challenges on connect the moment to do so before the first request.
      await socket.waitFor((f) => f[0] === 'AUTH', 'a challenge on connect', { since: 0, timeoutMs: ChallengeGraceMs }).catch(() => undefined)
    }
    return socket
  }

  const auth: AuthProbe = { challenge: 'none', event: 'unknown', req: 'unknown', count: 'unknown', accepted: null, answered: null, bindsKey: null, identity: options.authKey ? 'user' : 'harness', detail: '' }
  const notes: string[] = []
  let count: { available: boolean; detail: string } = { available: false, detail: 'not probed: WebSocket unreachable' }
  let roundTrip: number | undefined
  const delivery: Delivery = { eose: 'unknown', live: 'unknown', count: 'unknown' }
  let usable = true
  let blockedReason: string | undefined

  const opened = await attempt(connect)
  if (!opened.ok) {
    return { reachable: false, unreachableReason: opened.error.message, detail: opened.error.message, count, delivery, auth: { ...auth, detail: 'not probed' }, findings }
  }

  try {
    // REQ for the id of a persona not yet sent (EOSE, CLOSED or silence), then the persona
    // itself: any OK shows a NIP-01 relay, and the open REQ shows whether it delivers live.
    const t0 = Date.now()
    const first = await exchange(freshKeys())
    const { req, event } = first
    if (req.ok) {
      roundTrip = Date.now() - t0
      auth.req = isAuthRequired(req.value.closed) ? 'required' : req.value.eose ? 'not-required' : 'unknown'
      notes.push(req.value.eose ? 'REQ answered with EOSE' : `REQ answered with CLOSED ${JSON.stringify(req.value.closed)}`)
    } else {
      notes.push(`REQ: ${req.error.message}`)
    }
    if (event.ok) {
      auth.event = isAuthRequired(event.value.message) && !event.value.accepted ? 'required' : event.value.accepted ? 'not-required' : 'unknown'
      notes.push(`EVENT answered with OK ${event.value.accepted} ${JSON.stringify(event.value.message)}`)
    } else {
      notes.push(`EVENT: ${event.error.message}`)
    }

    if (spoke === undefined) {
      usable = false
      blockedReason = `the relay answered neither REQ nor EVENT with a NIP-01 frame (${notes.join('; ')})`
    } else {
      // COUNT (NIP-45): a number, a CLOSED, silence or a hang-up; none of them makes the relay unreachable.
      const countFilter = [{ kinds: [PersonaKind], authors: [freshKeys().pubkey] }]
      const counted = await attempt(async () => (await connect()).count(countFilter, { timeoutMs: shortWait }))
      count = countResult(counted, shortWait)
      delivery.count = deliveryOfCount(counted)
      if (counted.ok && !counted.value.ok && isAuthRequired(counted.value.closed)) auth.count = 'required'
      else if (counted.ok && counted.value.ok) auth.count = 'not-required'

      const needsAuth = auth.req === 'required' || auth.event === 'required' || auth.count === 'required'
      if (needsAuth || challengeSeen !== 'none') {
        const identity = options.authKey ?? freshKeys()
        const conn = await connect()
        const challenge = await attempt(() => conn.waitForChallenge({ timeoutMs: needsAuth ? timeoutMs : shortWait }))
        if (!challenge.ok) {
          notes.push(`AUTH: ${challenge.error.message}`)
          if (needsAuth) {
            usable = false
            blockedReason = 'the relay requires NIP-42 AUTH but sent no challenge to answer'
          }
        } else {
          const answered = await attempt(() => conn.authenticate(identity.secretKey, { timeoutMs }))
          if (!answered.ok && answered.error.kind === 'timeout') {
            // No OK for the AUTH: whether it took effect shows in what the relay serves next.
            auth.answered = false
            notes.push(`AUTH not answered with OK within ${timeoutMs} ms`)
            if (await afterAuth(conn, identity)) auth.accepted = true
            else if (needsAuth) {
              usable = false
              blockedReason = 'the relay requires NIP-42 AUTH, did not answer the AUTH with OK, and still refused requests after it'
            }
          } else if (!answered.ok) {
            notes.push(`AUTH: ${answered.error.message}`)
            if (needsAuth) {
              usable = false
              blockedReason = `the relay requires NIP-42 AUTH and ${answered.error.message}`
            }
          } else {
            auth.answered = true
            auth.accepted = answered.value.accepted
            notes.push(`AUTH answered with OK ${answered.value.accepted} ${JSON.stringify(answered.value.message)}`)
            if (!answered.value.accepted && needsAuth) {
              usable = false
              blockedReason = `the relay requires NIP-42 AUTH and refused it for ${auth.identity === 'user' ? 'the first --key' : 'a key the harness made'} (${JSON.stringify(answered.value.message)})${auth.identity === 'user' ? '' : '; if it admits listed keys only, give them with --key or --key-file'}`
            }
            if (auth.accepted === true) await afterAuth(conn, identity)
          }
        }
      }

      // The NIP-11 subscription id limit, on a connection that may serve REQ.
      const limitFinding = await probeSubIdLimit(connect, options.limitation, shortWait)
      if (limitFinding) findings.push(limitFinding)
    }
  } finally {
    await socket?.close()
  }

  /**
   * A REQ for the id of a persona of `keys` not sent yet, then the persona on the same
   * connection: records whether the REQ ended with EOSE (`delivery.eose`) and whether the
   * persona, once accepted, was delivered live on the open REQ (`delivery.live`).
   */
  async function exchange(keys: KeyPair): Promise<{ req: Attempt<QueryReply>; event: Attempt<OkReply> }> {
    const persona = probePersona(keys)
    const opened = await attempt(connect)
    if (!opened.ok) return { req: opened, event: opened }
    const conn = opened.value
    const sub = await attempt(async () => conn.subscribe([{ ids: [persona.id] }]))
    if (!sub.ok) return { req: sub, event: sub }
    const req = await attempt(() => sub.value.stored({ timeoutMs }))
    if (req.ok && req.value.eose) delivery.eose = 'yes'
    else if (!req.ok && req.error.kind === 'timeout' && delivery.eose === 'unknown') delivery.eose = 'no'
    const event = await attempt(async () => (await connect()).publish(persona, { timeoutMs }))
    const subOpen = conn.isOpen && socket === conn && !(req.ok && !req.value.eose)
    if (event.ok && event.value.accepted && subOpen) {
      const live = await attempt(() => sub.value.waitForEvent((e) => e.id === persona.id, 'the probe persona delivered live', { timeoutMs }))
      if (live.ok) delivery.live = 'yes'
      else if (live.error.kind === 'timeout' && delivery.live === 'unknown') delivery.live = 'no'
    }
    if (conn.isOpen) conn.send(['CLOSE', sub.value.id])
    return { req, event }
  }

  /** After AUTH: repeats what was refused and checks whether a connection writes for other keys. True when something refused before is served now. */
  async function afterAuth(conn: Nip01Connection, identity: KeyPair): Promise<boolean> {
    let served = false
    if (auth.count === 'required') {
      const again = await attempt(() => conn.count([{ kinds: [PersonaKind], authors: [identity.pubkey] }], { timeoutMs: shortWait }))
      count = countResult(again, shortWait, ' after AUTH')
      delivery.count = deliveryOfCount(again)
      served ||= count.available
    }
    // The authenticated key's own persona: REQ and EVENT again, and live delivery.
    const own = await exchange(identity)
    if (own.req.ok && own.req.value.eose) {
      served ||= auth.req === 'required'
      notes.push('REQ after AUTH answered with EOSE')
    }
    if (own.event.ok && own.event.value.accepted) served ||= auth.event === 'required'
    const other = await attempt(async () => (await connect()).publish(probePersona(freshKeys()), { timeoutMs }))
    if (own.event.ok && other.ok && own.event.value.accepted) {
      auth.bindsKey = !other.value.accepted
      notes.push(
        `after AUTH an EVENT by the authenticated key got OK true, one by another key OK ${other.value.accepted} ${JSON.stringify(other.value.message)}`,
      )
    } else if (own.event.ok) {
      notes.push(`after AUTH an EVENT by the authenticated key got OK ${own.event.value.accepted} ${JSON.stringify(own.event.value.message)}`)
    }
    return served
  }

  auth.challenge = challengeSeen
  auth.detail = describeAuth(auth)
  const reachable = spoke !== undefined && usable
  const detail = reachable
    ? delivery.eose === 'yes'
      ? 'REQ answered with EOSE'
      : `answers NIP-01 frames, but REQ got no EOSE (${notes[0] ?? ''})`
    : (blockedReason ?? notes.join('; '))
  return {
    reachable,
    ...(reachable ? {} : { unreachableReason: blockedReason ?? notes.join('; ') }),
    detail,
    ...(roundTrip !== undefined ? { roundTripMs: roundTrip } : {}),
    count,
    delivery,
    auth,
    findings,
  }
}

function deliveryOfCount(counted: Attempt<Awaited<ReturnType<Nip01Connection['count']>>>): Delivery['count'] {
  if (counted.ok) return counted.value.ok ? 'answered' : 'closed'
  return counted.error.kind === 'timeout' || counted.error.kind === 'disconnected' ? 'missing' : 'unknown'
}

function countResult(counted: Attempt<Awaited<ReturnType<Nip01Connection['count']>>>, waitMs: number, suffix = ''): { available: boolean; detail: string } {
  if (counted.ok) {
    return counted.value.ok
      ? { available: true, detail: `COUNT answered ${counted.value.count}${suffix}` }
      : { available: false, detail: `COUNT refused with CLOSED${suffix}: ${counted.value.closed}` }
  }
  if (counted.error.kind === 'timeout') return { available: false, detail: `COUNT not answered within ${waitMs} ms${suffix}` }
  if (counted.error.kind === 'disconnected') return { available: false, detail: `the relay closed the connection on COUNT${suffix}` }
  return { available: false, detail: `COUNT${suffix}: ${counted.error.message}` }
}

function describeAuth(auth: AuthProbe): string {
  const needs = (['event', 'req', 'count'] as const).filter((k) => auth[k] === 'required').map((k) => k.toUpperCase())
  if (auth.challenge === 'none' && needs.length === 0) return 'no NIP-42 challenge; EVENT, REQ and COUNT served without AUTH'
  const parts = [
    auth.challenge === 'none' ? 'no challenge seen' : `challenge ${auth.challenge}`,
    needs.length > 0 ? `AUTH required for ${needs.join(', ')}` : 'AUTH not required for EVENT, REQ or COUNT',
  ]
  if (auth.accepted !== null) parts.push(`AUTH ${auth.accepted ? 'accepted' : 'refused'} (${auth.identity} key)${auth.answered === false ? ' but not answered with OK' : ''}`)
  if (auth.bindsKey !== null) parts.push(auth.bindsKey ? 'a connection writes only for the key it authenticated' : 'an authenticated connection writes for any key')
  return parts.join('; ')
}

/** If NIP-11 claims max_subid_length, a longer id must be refused; silence or a hang-up says nothing. */
async function probeSubIdLimit(
  connect: () => Promise<Nip01Connection>,
  limitation: Record<string, unknown>,
  waitMs: number,
): Promise<Finding | undefined> {
  const max = limitation.max_subid_length
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 4096) return undefined
  const subId = 'p'.repeat(max + 1)
  const subject = 'NIP-11 limitation.max_subid_length'
  const opened = await attempt(connect)
  if (!opened.ok) return { subject, claimed: String(max), observed: `not checked: ${opened.error.message}`, agrees: null, source: 'probe' }
  const conn = opened.value
  const since = conn.mark
  const answer = await attempt(async () => {
    conn.send(['REQ', subId, { ids: [randomBytes(32).toString('hex')], limit: 1 }])
    return conn.waitFor((f) => ((f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subId) || f[0] === 'NOTICE', 'the answer to an over-long subscription id', {
      timeoutMs: waitMs,
      since,
    })
  })
  if (!answer.ok) {
    const observed =
      answer.error.kind === 'timeout'
        ? `a ${max + 1}-char id got no answer within ${waitMs} ms: whether it was refused is unknown`
        : answer.error.kind === 'disconnected'
          ? `the relay closed the connection on a ${max + 1}-char id: refused without a CLOSED`
          : `a ${max + 1}-char id: ${answer.error.message}`
    return { subject, claimed: String(max), observed, agrees: answer.error.kind === 'disconnected' ? true : null, source: 'probe' }
  }
  const frame = answer.value
  if (frame[0] === 'CLOSED' && isAuthRequired(typeof frame[2] === 'string' ? frame[2] : undefined)) {
    return { subject, claimed: String(max), observed: `a ${max + 1}-char id was refused for want of AUTH: the limit itself is unknown`, agrees: null, source: 'probe' }
  }
  if (frame[0] === 'EOSE') {
    if (conn.isOpen) conn.send(['CLOSE', subId])
    return { subject, claimed: String(max), observed: `a ${max + 1}-char id was served (EOSE)`, agrees: false, source: 'probe' }
  }
  return { subject, claimed: String(max), observed: `a ${max + 1}-char id was refused (${String(frame[0])})`, agrees: true, source: 'probe' }
}
