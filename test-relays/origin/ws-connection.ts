// One WebSocket connection: the NIP-42 challenge on connect, then AUTH, EVENT, REQ, COUNT and
// CLOSE as crates/buzz-relay/src/connection.rs, protocol.rs and handlers/*.rs answer them.
// Frames are handled one at a time, in order.
import { randomBytes } from 'node:crypto'
import type WebSocket from 'ws'
import { channelOfEvent, mayPostIn } from './channels.ts'
import { parseEvent, verificationError, type NostrEvent } from './event.ts'
import { matchesAnyFilter, parseFilter, type Filter } from './filter.ts'
import { ingestEvent } from './ingest.ts'
import { isEphemeralKind, KIND } from './kinds.ts'
import { MAX_FILTERS, MAX_FRAME_BYTES, MAX_SUB_ID_BYTES, MAX_SUBSCRIPTIONS } from './limits.ts'
import { authEventValid } from './nip42.ts'
import { countEvents, reqHistory, searchEvents, subscriptionChannel } from './read.ts'
import { ENGRAM_GATE_TEXT, P_GATE_TEXT_COUNT_HTTP, P_GATE_TEXT_WS_REQ, readGateRefusal } from './read-gates.ts'
import type { RelayCore } from './relay-core.ts'
import type { StoredEvent } from './store.ts'
import { parseStrictJson } from './strict-json.ts'

const HEARTBEAT_MS = 30_000
/** Outbound bytes a reader may leave unread before it is cut off. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024
const SEARCH_LIMIT = 10_000

type AuthState = { kind: 'pending' } | { kind: 'authenticated'; pubkey: string } | { kind: 'failed' }

interface Subscription {
  readonly filters: Filter[]
  readonly channelId: string | null
}

type ClientMessage =
  | { type: 'EVENT'; event: NostrEvent }
  | { type: 'AUTH'; event: NostrEvent }
  | { type: 'REQ' | 'COUNT'; subId: string; filters: Filter[] }
  | { type: 'CLOSE'; subId: string }

/** NIP-01 frames as the origin parses them; a failure becomes a NOTICE. */
function parseClientMessage(text: string): { ok: true; msg: ClientMessage } | { ok: false; error: string } {
  const json = parseStrictJson(text)
  if (!json.ok) return { ok: false, error: `JSON parse error: ${json.error}` }
  const arr = json.value
  if (!Array.isArray(arr)) return { ok: false, error: 'expected JSON array' }
  if (arr.length === 0) return { ok: false, error: 'empty array' }
  const type = arr[0]
  if (typeof type !== 'string') return { ok: false, error: 'first element must be a string' }
  if (type === 'EVENT' || type === 'AUTH') {
    if (arr.length < 2) return { ok: false, error: `${type} requires event object` }
    const ev = parseEvent(arr[1])
    if (!ev.ok) return { ok: false, error: `${type === 'EVENT' ? 'invalid event' : 'invalid auth event'}: ${ev.error}` }
    return { ok: true, msg: { type, event: ev.value } }
  }
  if (type === 'REQ' || type === 'COUNT') {
    if (arr.length < 2) return { ok: false, error: `${type} requires sub_id` }
    const subId = arr[1]
    if (typeof subId !== 'string') return { ok: false, error: `${type} sub_id must be a string` }
    if (subId === '') return { ok: false, error: `${type} sub_id must not be empty` }
    if (Buffer.byteLength(subId, 'utf8') > MAX_SUB_ID_BYTES) {
      return { ok: false, error: `${type} sub_id exceeds maximum length of ${MAX_SUB_ID_BYTES} bytes` }
    }
    const raws = arr.slice(2)
    if (raws.length > MAX_FILTERS) return { ok: false, error: `${type} contains ${raws.length} filters, maximum is ${MAX_FILTERS}` }
    const filters: Filter[] = []
    for (const raw of raws) {
      const f = parseFilter(raw)
      if (!f.ok) return { ok: false, error: `invalid filter: ${f.error}` }
      filters.push(f.value)
    }
    return { ok: true, msg: { type, subId, filters } }
  }
  if (type === 'CLOSE') {
    if (arr.length < 2) return { ok: false, error: 'CLOSE requires sub_id' }
    const subId = arr[1]
    if (typeof subId !== 'string') return { ok: false, error: 'CLOSE sub_id must be a string' }
    return { ok: true, msg: { type, subId } }
  }
  return { ok: false, error: `unknown message type: ${type}` }
}

export class OriginConnection {
  private readonly challenge = randomBytes(32).toString('hex')
  private auth: AuthState = { kind: 'pending' }
  private readonly subs = new Map<string, Subscription>()
  private missedPongs = 0
  private readonly heartbeat: NodeJS.Timeout

  constructor(
    private readonly ws: WebSocket,
    private readonly core: RelayCore,
  ) {
    this.send(['AUTH', this.challenge])
    ws.on('message', (data) => this.onFrame(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])))
    ws.on('pong', () => {
      this.missedPongs = 0
    })
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS)
    this.heartbeat.unref()
    ws.on('close', () => clearInterval(this.heartbeat))
  }

  get pubkey(): string | null {
    return this.auth.kind === 'authenticated' ? this.auth.pubkey : null
  }

  private beat(): void {
    if (this.missedPongs >= 2) {
      this.ws.terminate()
      return
    }
    this.missedPongs += 1
    this.ws.ping()
  }

  private send(message: unknown[]): void {
    if (this.ws.readyState !== this.ws.OPEN) return
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.terminate()
      return
    }
    this.ws.send(JSON.stringify(message))
  }

  /** Text and binary frames alike: the origin decodes binary frames as UTF-8 text. */
  private onFrame(data: Buffer): void {
    if (data.length > MAX_FRAME_BYTES) {
      // The origin drops the connection without a word.
      this.ws.close()
      return
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data)
    } catch {
      return
    }
    const parsed = parseClientMessage(text)
    if (!parsed.ok) {
      this.send(['NOTICE', `invalid message: Invalid message format: ${parsed.error}`])
      return
    }
    const msg = parsed.msg
    if (msg.type === 'AUTH') this.onAuth(msg.event)
    else if (msg.type === 'EVENT') this.onEvent(msg.event)
    else if (msg.type === 'REQ') this.onReq(msg.subId, msg.filters)
    else if (msg.type === 'COUNT') this.onCount(msg.subId, msg.filters)
    else this.onClose(msg.subId)
  }

  private onAuth(event: NostrEvent): void {
    const { defects } = this.core
    if (this.auth.kind === 'authenticated') {
      this.send(['OK', event.id, false, 'auth-required: already authenticated'])
      return
    }
    if (this.auth.kind === 'failed' && !defects.has('auth-retry-allowed')) {
      this.send(['OK', event.id, false, 'auth-required: authentication already failed'])
      return
    }
    if (authEventValid(event, this.challenge, this.core.relayUrl, this.core.now(), defects)) {
      this.auth = { kind: 'authenticated', pubkey: event.pubkey }
      this.send(['OK', event.id, true, ''])
    } else {
      this.auth = { kind: 'failed' }
      this.send(['OK', event.id, false, 'auth-required: verification failed'])
    }
  }

  /** The key the connection writes and reads as; with `auth-not-required` an EVENT writes as its signer. */
  private actingKey(event?: NostrEvent): string | null {
    if (this.auth.kind === 'authenticated') return this.auth.pubkey
    if (!this.core.defects.has('auth-not-required')) return null
    return event ? event.pubkey : ''
  }

  private onEvent(event: NostrEvent): void {
    const { defects } = this.core
    const author = this.actingKey(event)
    if (author === null) {
      this.send(['OK', event.id, false, 'auth-required: not authenticated'])
      return
    }
    if (event.pubkey !== author && event.kind !== KIND.giftWrap && !defects.has('pubkey-mismatch-accepted')) {
      this.send(['OK', event.id, false, 'invalid: event pubkey does not match authenticated identity'])
      return
    }
    if (event.kind === KIND.auth) {
      this.send(['OK', event.id, false, 'invalid: AUTH events cannot be submitted via EVENT'])
      return
    }
    if (isEphemeralKind(event.kind)) {
      this.onEphemeral(event, author)
      return
    }
    const outcome = ingestEvent(event, author, 'ws', this.core.ingestContext)
    if (outcome.kind === 'result') this.send(['OK', outcome.eventId, outcome.accepted, outcome.message])
    else this.send(['OK', event.id, false, outcome.message])
  }

  /** Ephemeral kinds are verified, membership-checked when they name a channel, relayed, never stored. */
  private onEphemeral(event: NostrEvent, author: string): void {
    const bad = verificationError(event)
    if (bad !== null) {
      this.send(['OK', event.id, false, `invalid: ${bad}`])
      return
    }
    const channelId = event.kind === KIND.presence ? null : channelOfEvent(event)
    if (channelId !== null && !mayPostIn(this.core.store, channelId, author)) {
      this.send(['OK', event.id, false, 'restricted: not a channel member'])
      return
    }
    this.core.fanOut({ event, channelId, dTag: null, deleted: false })
    this.send(['OK', event.id, true, ''])
  }

  private onReq(subId: string, filters: Filter[]): void {
    const { defects, store } = this.core
    const reader = this.actingKey()
    if (reader === null) {
      this.send(['NOTICE', 'auth-required: authenticate before subscribing'])
      this.send(['CLOSED', subId, 'auth-required: not authenticated'])
      return
    }
    if (!this.subs.has(subId) && this.subs.size >= MAX_SUBSCRIPTIONS && !defects.has('no-subscription-limit')) {
      this.send(['CLOSED', subId, 'error: too many subscriptions'])
      return
    }
    const accessible = store.accessibleChannels(reader)
    const channelId = subscriptionChannel(filters)
    if (channelId === null && !defects.has('kindless-served')) {
      const gate = readGateRefusal(filters, reader)
      if (gate !== null) {
        this.send(['CLOSED', subId, gate === 'p-gated' ? P_GATE_TEXT_WS_REQ : ENGRAM_GATE_TEXT])
        return
      }
    }
    const readFilters = this.core.readFilters(filters)
    if (filters.some((f) => f.search !== undefined)) {
      if (filters.some((f) => f.search === undefined)) {
        this.send(['CLOSED', subId, 'error: mixed search and non-search filters not supported'])
        return
      }
      for (const s of searchEvents(store, readFilters, accessible, SEARCH_LIMIT, SEARCH_LIMIT)) this.send(['EVENT', subId, s.event])
      this.send(['EOSE', subId])
      return
    }
    if (channelId !== null && !accessible.has(channelId)) {
      this.send(['CLOSED', subId, 'restricted: not a channel member'])
      return
    }
    this.subs.set(subId, { filters: readFilters, channelId })
    for (const s of reqHistory(store, readFilters, channelId, accessible)) this.send(['EVENT', subId, s.event])
    this.send(['EOSE', subId])
  }

  private onCount(subId: string, filters: Filter[]): void {
    const { defects, store } = this.core
    const reader = this.actingKey()
    if (reader === null) {
      this.send(['CLOSED', subId, 'auth-required: not authenticated'])
      return
    }
    if (!defects.has('kindless-served')) {
      const gate = readGateRefusal(filters, reader)
      if (gate !== null) {
        this.send(['CLOSED', subId, gate === 'p-gated' ? P_GATE_TEXT_COUNT_HTTP : ENGRAM_GATE_TEXT])
        return
      }
    }
    const count = countEvents(store, this.core.readFilters(filters), store.accessibleChannels(reader))
    this.send(['COUNT', subId, { count }])
  }

  private onClose(subId: string): void {
    this.subs.delete(subId)
    if (!this.core.defects.has('close-silent')) this.send(['CLOSED', subId, ''])
  }

  /** Live delivery: channel events to subscriptions of that channel, global events to global ones. */
  deliver(stored: StoredEvent): void {
    const reader = this.pubkey ?? (this.core.defects.has('auth-not-required') ? '' : null)
    if (reader === null) return
    if (stored.channelId !== null) {
      const channel = this.core.store.channel(stored.channelId)
      if (!channel) return
      if (channel.visibility === 'private' && !channel.members.has(reader)) return
    }
    for (const [subId, sub] of this.subs) {
      if (sub.channelId !== stored.channelId) continue
      if (matchesAnyFilter(sub.filters, stored)) this.send(['EVENT', subId, stored.event])
    }
  }
}
