/**
 * The ingester: parses client frames and routes them. EVENTs go through the cheap checks
 * (shape, limits, id, relay rules) first, then batched signature verification, then to the
 * writer (or straight to fan-out for ephemeral kinds), in arrival order. REQ, COUNT and
 * CLOSE are validated here and handed to the req-worker and monitor. A bad frame gets a
 * prefixed answer and never stops the loop.
 *
 * Bounded: a connection may have `maxEventsPerConnection` EVENTs between arrival and OK,
 * all doors together `maxEventsInFlight`; beyond either an EVENT is answered at once with
 * `rate-limited:` (this uWS build cannot stop reading a WebSocket).
 */

import { nowSeconds } from '../../spec/model/clock.ts'
import { checkEventShape, type NostrEvent } from '../../spec/model/event.ts'
import { checkFilter, type Filter } from '../../spec/model/filter.ts'
import { originReadRefusal } from '../../spec/model/read-gate.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import type { RelayConfig } from './config.ts'
import { type ConnectionAuth, OpenDoor } from './connection-auth.ts'
import type { IngestPolicy } from './ingest-policy.ts'
import type { ConnId, EventOutcome, EventReply, Inbox, IngesterMsg, MonitorMsg, OutboundMsg, Precheck, ReqWorkerMsg, WriterMsg } from './messages.ts'
import { codePointLength, exceedsCodePoints } from './text.ts'
import type { Verifier } from './verifier.ts'
import { hasValidIdFast } from './verify/event-id.ts'
import type { Wire } from './wire.ts'

/**
 * Verdict of verification: true, false, an error text when the verifier failed, or the
 * writer's answer when it was known before verification (see Writer.precheck).
 */
type Verdict = boolean | string | EventOutcome

interface PendingEvent {
  event: NostrEvent
  /** Bytes on the wire, for the writer's batch bound. */
  bytes: number
  reply: EventReply
  verdict: Verdict | undefined
  /**
   * An answer already known from cheap checks, given only once the signature verifies: a
   * forged event is always refused as forged, whatever else is wrong with it (AP-RELAY-5).
   */
  decided?: EventOutcome
}

export interface IngesterDeps {
  config: RelayConfig
  policy: IngestPolicy
  wire: Wire
  outbox: Inbox<OutboundMsg>
  writer: Inbox<WriterMsg>
  reqWorker: Inbox<ReqWorkerMsg>
  monitor: Inbox<MonitorMsg>
  verifier: Verifier
  /** The store's answer when it alone decides it (duplicates, stale versions); memory backend only. */
  precheck?: (event: NostrEvent) => Precheck | null
  /** NIP-42 per connection; default: the open door (nothing asked). */
  door?: ConnectionAuth
}

/** What the ingester keeps per connection (its NIP-42 state is the door's). */
interface Connection {
  /** EVENTs between arrival and OK. */
  eventsInFlight: number
}

export class Ingester implements Inbox<IngesterMsg> {
  readonly #config: RelayConfig
  readonly #policy: IngestPolicy
  readonly #wire: Wire
  readonly #outbox: Inbox<OutboundMsg>
  readonly #writer: Inbox<WriterMsg>
  readonly #reqWorker: Inbox<ReqWorkerMsg>
  readonly #monitor: Inbox<MonitorMsg>
  readonly #verifier: Verifier
  readonly #precheck: ((event: NostrEvent) => Precheck | null) | undefined
  readonly #door: ConnectionAuth
  readonly #connections = new Map<ConnId, Connection>()
  /** Events of every door between the cheap checks and their answer. */
  #inFlight = 0
  /** Events per author between the cheap checks and their answer (verification, writer). */
  readonly #inFlightByAuthor = new Map<string, number>()
  /** Events after the cheap checks, in arrival order, until their verdict is known. */
  readonly #pending: PendingEvent[] = []
  #toVerify: PendingEvent[] = []
  #verifyScheduled = false
  #idle: Array<() => void> = []
  #stopping = false

  constructor(deps: IngesterDeps) {
    this.#config = deps.config
    this.#policy = deps.policy
    this.#wire = deps.wire
    this.#outbox = deps.outbox
    this.#writer = deps.writer
    this.#reqWorker = deps.reqWorker
    this.#monitor = deps.monitor
    this.#verifier = deps.verifier
    this.#precheck = deps.precheck
    this.#door = deps.door ?? OpenDoor
  }

  /** Events of every door between the cheap checks and their answer. */
  get inFlight(): number {
    return this.#inFlight
  }

  post(msg: IngesterMsg): void {
    if (msg.type === 'disconnect') {
      this.#connections.delete(msg.conn)
      this.#door.closed(msg.conn)
      return
    }
    if (this.#stopping) return this.#refuseWhileStopping(msg)
    try {
      switch (msg.type) {
        case 'open': {
          const frames = this.#door.opened(msg.conn)
          if (frames.length > 0) this.#outbox.post({ type: 'send', conn: msg.conn, frames })
          return
        }
        case 'frame':
          this.#onFrame(msg.conn, msg.text)
          return
        case 'oversized':
          this.#onOversized(msg.conn, msg.text, msg.bytes)
          return
        case 'binary':
          this.#notice(msg.conn, formatReason('invalid', 'binary frames are not supported; send JSON as text'))
          return
      }
    } catch (error) {
      this.#config.log(`ingester: ${(error as Error).stack ?? String(error)}`)
      this.#notice(msg.conn, formatReason('error', 'internal error while handling the message'))
    }
  }

  /**
   * Takes one event from any door (WebSocket EVENT, the HTTP bridge) and answers through
   * `reply` exactly once. `bytes`: its size on the wire.
   */
  submitEvent(raw: unknown, reply: EventReply, bytes = 0): void {
    const id = idOf(raw)
    const refuse = (message: string) => reply({ id, accepted: false, message })
    if (this.#stopping) return refuse(ShuttingDown)
    if (this.#inFlight >= this.#config.limits.maxEventsInFlight) return refuse(RelayBusy)
    const shape = checkEventShape(raw)
    if (!shape.ok) return refuse(shape.message)
    const event = shape.event
    const limit = this.#checkLimits(event)
    if (limit !== null) return refuse(limit)
    if (!hasValidIdFast(event)) return refuse(formatReason('invalid', 'event id does not match the hash of its fields'))
    const answer = this.#countInFlight(reply)
    const policy = this.#policy.check(event, nowSeconds(this.#config.clock))
    if (!policy.ok) return this.#enqueueVerification(event, bytes, answer, { id: event.id, accepted: false, message: policy.message })
    // The store may already decide the answer; only while none of the author's events is in
    // flight could that answer change. A resend of a held event (same id and signature) needs
    // no verification; any other decided answer waits for the signature check.
    if (this.#precheck !== undefined && !this.#inFlightByAuthor.has(event.pubkey)) {
      const known = this.#precheck(event)
      if (known !== null && !known.needsVerification) return this.#enqueueDecided(event, bytes, answer, known.outcome)
      if (known !== null) return this.#enqueueVerification(event, bytes, answer, known.outcome)
    }
    this.#enqueueVerification(event, bytes, this.#trackAuthor(event.pubkey, answer))
  }

  /** Counts the event against the relay-wide bound until its reply goes out. */
  #countInFlight(reply: EventReply): EventReply {
    this.#inFlight += 1
    let done = false
    return (outcome) => {
      if (!done) {
        done = true
        this.#inFlight -= 1
      }
      reply(outcome)
    }
  }

  /** Counts the author's event as in flight until its reply goes out. */
  #trackAuthor(pubkey: string, reply: EventReply): EventReply {
    const counts = this.#inFlightByAuthor
    counts.set(pubkey, (counts.get(pubkey) ?? 0) + 1)
    let done = false
    return (outcome) => {
      if (!done) {
        done = true
        const left = (counts.get(pubkey) ?? 1) - 1
        if (left === 0) counts.delete(pubkey)
        else counts.set(pubkey, left)
      }
      reply(outcome)
    }
  }

  /** An event answered without verification, still answered in arrival order. */
  #enqueueDecided(event: NostrEvent, bytes: number, reply: EventReply, outcome: EventOutcome): void {
    this.#pending.push({ event, bytes, reply, verdict: outcome })
    this.#release()
  }

  /** From now on every message is refused with `error: relay is shutting down`. */
  stop(): void {
    this.#stopping = true
  }

  /** Resolves once every event that passed the cheap checks has been handed on. */
  drain(): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #onFrame(conn: ConnId, text: string): void {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch (error) {
      this.#notice(conn, formatReason('invalid', `could not parse message: ${(error as Error).message}`))
      return
    }
    if (!Array.isArray(message) || message.length === 0) {
      this.#notice(conn, formatReason('invalid', 'message must be a non-empty JSON array'))
      return
    }
    const [type] = message
    switch (type) {
      case 'EVENT':
        this.#onEvent(conn, message, text.length)
        return
      case 'REQ':
      case 'COUNT':
        this.#onReq(conn, type, message)
        return
      case 'CLOSE':
        this.#onClose(conn, message)
        return
      case 'AUTH':
        this.#onAuth(conn, message)
        return
      default:
        this.#notice(
          conn,
          typeof type === 'string'
            ? formatReason('unsupported', `unknown message type ${JSON.stringify(type.slice(0, 32))}`)
            : formatReason('invalid', 'message type must be a string'),
        )
    }
  }

  #onEvent(conn: ConnId, message: unknown[], bytes: number): void {
    if (message.length !== 2) {
      this.#notice(conn, formatReason('invalid', 'EVENT message must be ["EVENT", <event>]'))
      return
    }
    const send = (outcome: EventOutcome) => {
      const frame =
        outcome.id === null ? this.#wire.notice(outcome.message) : this.#wire.ok(outcome.id, outcome.accepted, outcome.message)
      this.#outbox.post({ type: 'send', conn, frames: [frame] })
    }
    let connection = this.#connections.get(conn)
    if (connection === undefined) this.#connections.set(conn, (connection = { eventsInFlight: 0 }))
    const max = this.#config.limits.maxEventsPerConnection
    if (connection.eventsInFlight >= max) {
      const reason = formatReason('rate-limited', `too many EVENTs waiting for OK on this connection (max ${max}); wait for OK before sending more`)
      send({ id: idOf(message[1]), accepted: false, message: reason })
      return
    }
    // NIP-42 before anything else about the event, the signature included (AP-AUTH-10).
    const barred = this.#door.admitEvent(conn, eventHeadOf(message[1]))
    if (barred !== null) {
      send({ id: idOf(message[1]), accepted: false, message: barred })
      return
    }
    const counted = connection
    counted.eventsInFlight += 1
    this.submitEvent(
      message[1],
      (outcome) => {
        counted.eventsInFlight -= 1
        send(outcome)
      },
      bytes,
    )
  }

  #onReq(conn: ConnId, type: 'REQ' | 'COUNT', message: unknown[]): void {
    const subId = message[1]
    if (typeof subId !== 'string') {
      this.#notice(conn, formatReason('invalid', `${type} subscription id must be a string`))
      return
    }
    const barred = this.#door.admitRead(conn, type, subId)
    if (barred !== null) {
      if (type === 'REQ') this.#monitor.post({ type: 'unsubscribe', conn, subId })
      this.#outbox.post({ type: 'send', conn, frames: barred })
      return
    }
    let refusal = this.#checkReq(type, subId, message.slice(2))
    // Origin mode: filters that could reach private kinds only for their reader (AP-AUTH-14).
    if (typeof refusal !== 'string' && this.#config.origin) refusal = originReadRefusal(type, refusal, this.#door.identity(conn)) ?? refusal
    if (typeof refusal === 'string') {
      // A refused REQ replaces nothing: the old subscription under that id ends too.
      if (type === 'REQ') this.#monitor.post({ type: 'unsubscribe', conn, subId })
      this.#send(conn, this.#wire.closed(subId, refusal))
      return
    }
    this.#reqWorker.post({ type: type === 'REQ' ? 'req' : 'count', conn, subId, filters: refusal })
  }

  /** The filters of a valid REQ/COUNT, or the refusal text (the subscription limit is the monitor's). */
  #checkReq(type: 'REQ' | 'COUNT', subId: string, rawFilters: unknown[]): Filter[] | string {
    const limits = this.#config.limits
    if (subId.length === 0) return formatReason('invalid', 'subscription id must not be empty')
    if (exceedsCodePoints(subId, limits.maxSubidLength)) {
      return formatReason('invalid', `subscription id too long (${codePointLength(subId)} chars, max ${limits.maxSubidLength})`)
    }
    if (rawFilters.length === 0) return formatReason('invalid', `${type} needs at least one filter`)
    if (rawFilters.length > limits.maxFilters) {
      return formatReason('invalid', `too many filters (${rawFilters.length}, max ${limits.maxFilters})`)
    }
    const filters: Filter[] = []
    for (const raw of rawFilters) {
      const checked = checkFilter(raw)
      if (!checked.ok) return checked.message
      filters.push(checked.filter)
    }
    return filters
  }

  #onAuth(conn: ConnId, message: unknown[]): void {
    if (message.length !== 2 || typeof message[1] !== 'object' || message[1] === null || Array.isArray(message[1])) {
      return this.#notice(conn, formatReason('invalid', 'AUTH message must be ["AUTH", <signed event>]'))
    }
    const frames = this.#door.auth(conn, message[1])
    if (frames === null) return this.#notice(conn, formatReason('unsupported', 'this relay asks for no AUTH'))
    this.#outbox.post({ type: 'send', conn, frames })
  }

  #onClose(conn: ConnId, message: unknown[]): void {
    const subId = message[1]
    if (message.length !== 2 || typeof subId !== 'string') {
      this.#notice(conn, formatReason('invalid', 'CLOSE message must be ["CLOSE", <subscription id>]'))
      return
    }
    this.#monitor.post({ type: 'unsubscribe', conn, subId })
  }

  /** A frame over max_message_length: not acted upon, but answered where it can be. */
  #onOversized(conn: ConnId, text: string, bytes: number): void {
    const reason = formatReason('invalid', `message too large (${bytes} bytes, max ${this.#config.limits.maxMessageLength})`)
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      message = null
    }
    if (Array.isArray(message)) {
      const [type, second] = message
      const id = idOf(second)
      if (type === 'EVENT' && id !== null) return this.#send(conn, this.#wire.ok(id, false, reason))
      if ((type === 'REQ' || type === 'COUNT') && typeof second === 'string') {
        return this.#send(conn, this.#wire.closed(second, reason))
      }
    }
    this.#notice(conn, reason)
  }

  #checkLimits(event: NostrEvent): string | null {
    const limits = this.#config.limits
    if (event.tags.length > limits.maxEventTags) {
      return formatReason('invalid', `too many tags (${event.tags.length}, max ${limits.maxEventTags})`)
    }
    if (exceedsCodePoints(event.content, limits.maxContentLength)) {
      return formatReason(
        'invalid',
        `content too long (${codePointLength(event.content)} chars, max ${limits.maxContentLength})`,
      )
    }
    return null
  }

  #enqueueVerification(event: NostrEvent, bytes: number, reply: EventReply, decided?: EventOutcome): void {
    const item: PendingEvent = { event, bytes, reply, verdict: undefined }
    if (decided !== undefined) item.decided = decided
    this.#pending.push(item)
    this.#toVerify.push(item)
    if (!this.#verifyScheduled) {
      this.#verifyScheduled = true
      setImmediate(() => this.#verifyBatch())
    }
  }

  #verifyBatch(): void {
    this.#verifyScheduled = false
    const batch = this.#toVerify
    this.#toVerify = []
    this.#verifier.verify(batch.map((item) => item.event)).then(
      (results) => {
        batch.forEach((item, i) => (item.verdict = results[i] === true))
        this.#release()
      },
      (error: unknown) => {
        const text = formatReason('error', `could not verify signature: ${(error as Error).message}`)
        for (const item of batch) item.verdict = text
        this.#release()
      },
    )
  }

  /** Hands on verified events strictly in arrival order, whatever order verdicts came in. */
  #release(): void {
    while (this.#pending.length > 0 && (this.#pending[0] as PendingEvent).verdict !== undefined) {
      const { event, bytes, reply, verdict, decided } = this.#pending.shift() as PendingEvent
      if (typeof verdict === 'object') reply(verdict)
      else if (typeof verdict === 'string') reply({ id: event.id, accepted: false, message: verdict })
      else if (!verdict) reply({ id: event.id, accepted: false, message: formatReason('invalid', 'signature does not verify') })
      else if (decided !== undefined) reply(decided)
      else if (!this.#policy.stores(event)) {
        reply({ id: event.id, accepted: true, message: '' })
        this.#monitor.post({ type: 'publish', event, commit: null })
      } else this.#writer.post({ type: 'write', event, bytes, reply })
    }
    if (this.#pending.length === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }

  #refuseWhileStopping(msg: Exclude<IngesterMsg, { type: 'disconnect' }>): void {
    let message: unknown = null
    if (msg.type === 'frame' || msg.type === 'oversized') {
      try {
        message = JSON.parse(msg.text)
      } catch {}
    }
    if (!Array.isArray(message)) return
    const [type, second] = message
    const id = idOf(second)
    if (type === 'EVENT' && id !== null) this.#send(msg.conn, this.#wire.ok(id, false, ShuttingDown))
    if ((type === 'REQ' || type === 'COUNT') && typeof second === 'string') {
      this.#send(msg.conn, this.#wire.closed(second, ShuttingDown))
    }
  }

  #send(conn: ConnId, frame: string): void {
    this.#outbox.post({ type: 'send', conn, frames: [frame] })
  }

  #notice(conn: ConnId, message: string): void {
    this.#send(conn, this.#wire.notice(message))
  }
}

const ShuttingDown = formatReason('error', 'relay is shutting down')
const RelayBusy = formatReason('rate-limited', 'the relay has too many events waiting for verification or storage; try again shortly')

/** The pubkey and kind the door judges an EVENT by, read before the event's shape is checked. */
function eventHeadOf(raw: unknown): { pubkey: string; kind: number } {
  const value = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { pubkey?: unknown; kind?: unknown }) : {}
  return { pubkey: typeof value.pubkey === 'string' ? value.pubkey : '', kind: typeof value.kind === 'number' ? value.kind : -1 }
}

/** The id to echo in OK: any string id, even a malformed one; null when there is none. */
function idOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null
  const id = (raw as { id?: unknown }).id
  return typeof id === 'string' ? id : null
}
