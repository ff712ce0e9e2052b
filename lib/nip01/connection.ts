/**
 * One client-side NIP-01 connection over `ws`: every frame parsed once and kept in a
 * bounded buffer, every wait ending by a deadline, every failure a typed Nip01Error. The
 * harness driver, the reference client and the project's relay tests all speak to relays
 * through this class (lib/nip01/README.md).
 *
 * The buffer: received frames are kept in arrival order, each with its sequence number
 * (`mark` is the number of the next one). Waits look at kept frames from a mark on, then at
 * frames still to come. At most `maxFrames` frames are kept; one more fails the connection
 * with `overflow`, so a caller that keeps a connection open for long removes what it has
 * read: `take` (wait for a frame and remove it) or `trim(mark)` (drop everything before).
 */

import WebSocket from 'ws'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { challengeOf, makeAuthEvent } from './auth.ts'
import { Nip01Error } from './errors.ts'
import { type CountReply, type Frame, type OkReply, type QueryReply, isOkFor, okReplyOf, parseFrame } from './frames.ts'

export const DefaultTimeoutMs = 5000
export const DefaultMaxFrames = 10_000
export const DefaultMaxPayload = 16 * 1024 * 1024

/** What crosses the wire, for a transcript or a log. `recv.frame` is null for a malformed frame. */
export type WireEvent =
  | { type: 'open'; url: string }
  | { type: 'send'; text: string }
  | { type: 'recv'; text: string; frame: Frame | null }
  | { type: 'close'; code: number; reason: string }
  | { type: 'timeout'; what: string; ms: number }

export interface ConnectionOptions {
  /** Names the connection in error messages (default `ws`). */
  label?: string
  /** Deadline of every wait unless the call gives its own (default 5000 ms). */
  timeoutMs?: number
  /** Deadline of the WebSocket handshake (default `timeoutMs`). */
  connectTimeoutMs?: number
  /** How long `close()` waits for the closing handshake before terminating (default min(timeoutMs, 1000)). */
  closeTimeoutMs?: number
  /** Most frames kept at once (default 10 000); one more fails the connection with `overflow`. */
  maxFrames?: number
  /** Largest frame accepted from the relay, bytes (default 16 MiB; `ws` closes the socket beyond). */
  maxPayload?: number
  /** A frame that is not NIP-01: fail the connection with `protocol` (default) or ignore it. */
  malformed?: 'fail' | 'ignore'
  /** Sees every frame sent and received, the open and close, and every wait given up. */
  observe?: (event: WireEvent) => void
  /** Subscription ids are `<prefix>-<n>` (default `sub`); unique within the connection. */
  subIdPrefix?: string
}

export interface WaitOptions {
  /** This wait's deadline (default: the connection's). */
  timeoutMs?: number
  /** Consider kept frames from this mark on (default: only frames arriving after the call). */
  since?: number
}

interface Kept {
  seq: number
  frame: Frame
}

interface Waiter {
  match: (frame: Frame) => boolean
  take: boolean
  resolve: (frame: Frame) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export class Nip01Connection {
  readonly url: string
  readonly label: string
  readonly timeoutMs: number
  /** Resolves when the socket has closed, with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>
  readonly #socket: WebSocket
  readonly #options: ConnectionOptions
  readonly #maxFrames: number
  readonly #kept: Kept[] = []
  readonly #waiters = new Set<Waiter>()
  readonly #authenticated = new Set<string>()
  #received = 0
  #failure: Nip01Error | undefined
  #challenge: string | undefined
  #subCounter = 0

  /** Opens a connection; rejects with `unreachable` when there is none within the deadline. */
  static async open(url: string, options: ConnectionOptions = {}): Promise<Nip01Connection> {
    const timeoutMs = options.connectTimeoutMs ?? options.timeoutMs ?? DefaultTimeoutMs
    options.observe?.({ type: 'open', url })
    let socket: WebSocket
    try {
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, maxPayload: options.maxPayload ?? DefaultMaxPayload })
    } catch (error) {
      throw new Nip01Error('unreachable', `cannot connect to ${url}: ${describe(error)}`)
    }
    // Frames can arrive in the same tick as `open` (a challenge sent on connect): the
    // connection listens before the handshake ends so none is lost.
    const connection = new Nip01Connection(url, socket, options)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate()
        reject(new Nip01Error('unreachable', `no WebSocket connection to ${url} within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('open', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        socket.terminate()
        reject(new Nip01Error('unreachable', `cannot connect to ${url}: ${describe(error)}`))
      })
    })
    return connection
  }

  private constructor(url: string, socket: WebSocket, options: ConnectionOptions) {
    this.url = url
    this.label = options.label ?? 'ws'
    this.timeoutMs = options.timeoutMs ?? DefaultTimeoutMs
    this.#socket = socket
    this.#options = options
    this.#maxFrames = options.maxFrames ?? DefaultMaxFrames
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        const text = reason.toString()
        options.observe?.({ type: 'close', code, reason: text })
        this.#fail(new Nip01Error('disconnected', `${this.label}: relay closed the connection (code ${code}${text ? ` ${text}` : ''})`))
        resolve({ code, reason: text })
      })
    })
    socket.on('message', (data, isBinary) => this.#receive(isBinary ? null : data.toString()))
    socket.on('error', (error) => {
      if (socket.readyState !== WebSocket.CONNECTING) this.#fail(new Nip01Error('disconnected', `${this.label}: ${describe(error)}`))
    })
  }

  /** True while the socket is open and nothing has failed it. */
  get isOpen(): boolean {
    return this.#failure === undefined && this.#socket.readyState === WebSocket.OPEN
  }

  /** Why the connection can no longer be used, once it cannot. */
  get failure(): Nip01Error | undefined {
    return this.#failure
  }

  /** Sequence number of the next frame to arrive; pass it as `since` to wait on frames from now on. */
  get mark(): number {
    return this.#received
  }

  /** The frames kept, oldest first. While nothing was taken or trimmed, `frames[i]` is frame number i. */
  get frames(): Frame[] {
    return this.#kept.map((k) => k.frame)
  }

  /** The kept frames numbered `mark` or later. */
  framesSince(mark: number): Frame[] {
    return this.#kept.filter((k) => k.seq >= mark).map((k) => k.frame)
  }

  /** Drops kept frames numbered before `mark` (frees the buffer of a long-lived connection). */
  trim(mark: number = this.#received): void {
    const keepFrom = this.#kept.findIndex((k) => k.seq >= mark)
    this.#kept.splice(0, keepFrom < 0 ? this.#kept.length : keepFrom)
  }

  /** The latest NIP-42 challenge the relay sent, if any. */
  get challenge(): string | undefined {
    return this.#challenge
  }

  /** Pubkeys this connection authenticated as (the relay answered their AUTH with OK true). */
  get authenticated(): ReadonlySet<string> {
    return this.#authenticated
  }

  /** Sends a frame as JSON. Throws the connection's failure when it can no longer send. */
  send(frame: unknown[]): void {
    this.sendText(JSON.stringify(frame))
  }

  /** Sends raw text, e.g. a deliberately malformed frame. */
  sendText(text: string): void {
    this.#assertSendable()
    this.#options.observe?.({ type: 'send', text })
    this.#socket.send(text)
  }

  /** Sends a binary WebSocket message (NIP-01 frames are text; for testing relays). */
  sendBinary(data: Uint8Array): void {
    this.#assertSendable()
    this.#options.observe?.({ type: 'send', text: `<binary ${data.byteLength} bytes>` })
    this.#socket.send(data, { binary: true })
  }

  /** The first frame (kept since `since`, or still to come) that `match` accepts; rejects at the deadline. */
  waitFor(match: (frame: Frame) => boolean, what: string, options: WaitOptions = {}): Promise<Frame> {
    return this.#wait(match, what, options, false)
  }

  /** Like `waitFor`, and removes the frame from the buffer (queue-style reading). */
  take(match: (frame: Frame) => boolean = () => true, what = 'a frame', options: WaitOptions = {}): Promise<Frame> {
    return this.#wait(match, what, { since: options.since ?? 0, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) }, true)
  }

  /**
   * Frames matching `match` that arrive within `windowMs`: a bounded way to check that
   * something does NOT happen. Silence is not an error; a failed connection is.
   */
  async collectFor(windowMs: number, match: (frame: Frame) => boolean = () => true): Promise<Frame[]> {
    const since = this.#received
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    if (this.#failure) throw this.#failure
    return this.framesSince(since).filter(match)
  }

  /** Sends an EVENT and waits for the OK naming it (NIP-01: a relay answers every EVENT). */
  async publish(event: NostrEvent, options: Omit<WaitOptions, 'since'> = {}): Promise<OkReply> {
    const since = this.#received
    this.send(['EVENT', event])
    const frame = await this.waitFor(isOkFor(event.id), `OK for ${event.id.slice(0, 12)}`, { ...options, since })
    return okReplyOf(event.id, frame)
  }

  /** REQ, the stored events up to EOSE (or CLOSED), then CLOSE. */
  async query(filters: Filter[], options: Omit<WaitOptions, 'since'> & { subId?: string } = {}): Promise<QueryReply> {
    const subscription = this.subscribe(filters, options.subId)
    try {
      return await subscription.stored(options)
    } finally {
      if (this.isOpen && subscription.closedByRelay === undefined) subscription.close()
    }
  }

  /** Opens a live subscription; its events are read from the buffer from the moment REQ is sent. */
  subscribe(filters: Filter[], subId: string = this.nextSubId()): Subscription {
    const since = this.#received
    this.send(['REQ', subId, ...filters])
    return new Subscription(this, subId, since)
  }

  /** NIP-45 COUNT: the number, or the CLOSED that refused it. A COUNT answer without a number is a protocol error. */
  async count(filters: Filter[], options: Omit<WaitOptions, 'since'> & { subId?: string } = {}): Promise<CountReply> {
    const subId = options.subId ?? this.nextSubId()
    const since = this.#received
    this.send(['COUNT', subId, ...filters])
    const frame = await this.waitFor((f) => (f[0] === 'COUNT' || f[0] === 'CLOSED') && f[1] === subId, `COUNT reply for ${subId}`, { ...options, since })
    if (frame[0] === 'CLOSED') return { ok: false, closed: typeof frame[2] === 'string' ? frame[2] : '', frame }
    const body = frame[2] as { count?: unknown } | undefined
    if (typeof body?.count !== 'number') throw new Nip01Error('protocol', `${this.label}: COUNT reply without a numeric count: ${JSON.stringify(frame)}`)
    return { ok: true, count: body.count, frame }
  }

  /** Waits for a NIP-42 challenge: the latest one already received, or the next to arrive. */
  async waitForChallenge(options: Omit<WaitOptions, 'since'> = {}): Promise<string> {
    if (this.#challenge !== undefined) return this.#challenge
    const frame = await this.waitFor((f) => challengeOf(f) !== undefined, 'an AUTH challenge', options)
    return challengeOf(frame) as string
  }

  /**
   * NIP-42: answers the relay's challenge (waiting for one if none came yet) with a kind
   * 22242 event signed by `secretKey` and returns the relay's OK. The `relay` tag is this
   * connection's URL as given unless `relayUrl` says otherwise.
   */
  async authenticate(
    secretKey: Uint8Array,
    options: Omit<WaitOptions, 'since'> & { relayUrl?: string; createdAt?: number } = {},
  ): Promise<OkReply & { event: NostrEvent }> {
    const challenge = await this.waitForChallenge(options)
    const event = makeAuthEvent({
      secretKey,
      challenge,
      relayUrl: options.relayUrl ?? this.url,
      ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
    })
    const since = this.#received
    this.send(['AUTH', event])
    const frame = await this.waitFor(isOkFor(event.id), `OK for the AUTH of ${event.pubkey.slice(0, 12)}`, { ...options, since })
    const reply = okReplyOf(event.id, frame)
    if (reply.accepted) this.#authenticated.add(event.pubkey)
    return { ...reply, event }
  }

  /** A subscription id not used before on this connection. */
  nextSubId(): string {
    this.#subCounter += 1
    return `${this.#options.subIdPrefix ?? 'sub'}-${this.#subCounter}`
  }

  /** Closes the socket; resolves once closed, terminating it after the close deadline. */
  async close(): Promise<void> {
    const socket = this.#socket
    if (socket.readyState === WebSocket.CLOSED) return
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000)
    const timer = setTimeout(() => socket.terminate(), this.#options.closeTimeoutMs ?? Math.min(this.timeoutMs, 1000))
    await this.closed
    clearTimeout(timer)
  }

  #assertSendable(): void {
    if (this.#failure) throw this.#failure
    if (this.#socket.readyState !== WebSocket.OPEN) throw new Nip01Error('disconnected', `${this.label}: the connection is not open`)
  }

  #wait(match: (frame: Frame) => boolean, what: string, options: WaitOptions, take: boolean): Promise<Frame> {
    const since = options.since ?? this.#received
    const index = this.#kept.findIndex((k) => k.seq >= since && match(k.frame))
    if (index >= 0) {
      const found = this.#kept[index] as Kept
      if (take) this.#kept.splice(index, 1)
      return Promise.resolve(found.frame)
    }
    if (this.#failure) return Promise.reject(this.#failure)
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    return new Promise<Frame>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        take,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter)
          this.#options.observe?.({ type: 'timeout', what, ms: timeoutMs })
          reject(new Nip01Error('timeout', `${this.label}: waited ${timeoutMs} ms for ${what}; it did not come`))
        }, timeoutMs),
      }
      this.#waiters.add(waiter)
    })
  }

  #receive(text: string | null): void {
    const parsed = text === null ? { ok: false as const, problem: 'a binary frame' } : parseFrame(text)
    this.#options.observe?.({ type: 'recv', text: text ?? '<binary frame>', frame: parsed.ok ? parsed.frame : null })
    if (!parsed.ok) {
      if (this.#options.malformed === 'ignore') return
      this.#fail(new Nip01Error('protocol', `${this.label}: relay sent ${parsed.problem}: ${(text ?? '').slice(0, 80)}`))
      return
    }
    const frame = parsed.frame
    const challenge = challengeOf(frame)
    if (challenge !== undefined) this.#challenge = challenge
    const kept: Kept = { seq: this.#received, frame }
    this.#received += 1
    this.#kept.push(kept)
    let taken = false
    for (const waiter of this.#waiters) {
      if ((waiter.take && taken) || !waiter.match(frame)) continue
      this.#waiters.delete(waiter)
      clearTimeout(waiter.timer)
      if (waiter.take) taken = true
      waiter.resolve(frame)
    }
    if (taken) this.#kept.splice(this.#kept.indexOf(kept), 1)
    if (this.#kept.length > this.#maxFrames) {
      this.#fail(new Nip01Error('overflow', `${this.label}: more than ${this.#maxFrames} frames kept; read them with take() or trim() the buffer`))
    }
  }

  #fail(error: Nip01Error): void {
    if (this.#failure) return
    this.#failure = error
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.#waiters.clear()
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.terminate()
  }
}

export class Subscription {
  /** The CLOSED message, once the relay ended this subscription before EOSE. */
  closedByRelay: string | undefined

  constructor(
    readonly connection: Nip01Connection,
    readonly id: string,
    /** The connection's mark when REQ was sent: this subscription's frames come after it. */
    readonly since: number,
  ) {}

  /** Every EVENT delivered on this subscription so far (stored and live) that is still kept. */
  get events(): NostrEvent[] {
    return this.connection
      .framesSince(this.since)
      .filter((f) => f[0] === 'EVENT' && f[1] === this.id)
      .map((f) => f[2] as NostrEvent)
  }

  /** Waits for EOSE (or CLOSED) and returns the stored events delivered before it. */
  async stored(options: Omit<WaitOptions, 'since'> = {}): Promise<QueryReply> {
    const end = await this.connection.waitFor((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === this.id, `EOSE for ${this.id}`, {
      ...options,
      since: this.since,
    })
    const frames = this.connection.framesSince(this.since)
    const events = frames
      .slice(0, frames.indexOf(end))
      .filter((f) => f[0] === 'EVENT' && f[1] === this.id)
      .map((f) => f[2] as NostrEvent)
    if (end[0] === 'CLOSED') {
      this.closedByRelay = typeof end[2] === 'string' ? end[2] : ''
      return { events, eose: false, closed: this.closedByRelay }
    }
    return { events, eose: true }
  }

  /** Waits for an EVENT on this subscription that `match` accepts (ones already received count). */
  async waitForEvent(match: (event: NostrEvent) => boolean, what: string, options: WaitOptions = {}): Promise<NostrEvent> {
    const frame = await this.connection.waitFor((f) => f[0] === 'EVENT' && f[1] === this.id && match(f[2] as NostrEvent), `${what} on ${this.id}`, {
      ...options,
      since: options.since ?? this.since,
    })
    return frame[2] as NostrEvent
  }

  /** Events arriving on this subscription within `windowMs` (a bounded "nothing else arrives"). */
  async eventsWithin(windowMs: number): Promise<NostrEvent[]> {
    const frames = await this.connection.collectFor(windowMs, (f) => f[0] === 'EVENT' && f[1] === this.id)
    return frames.map((f) => f[2] as NostrEvent)
  }

  /** Sends CLOSE (when the connection is still open). */
  close(): void {
    if (this.connection.isOpen) this.connection.send(['CLOSE', this.id])
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message
  }
  return String(error)
}
