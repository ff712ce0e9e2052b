/**
 * The bounded NIP-01 driver: one WebSocket to the target, every frame logged to the case
 * transcript, every wait ending by a deadline. Trouble on the wire (deadline, disconnect,
 * unparseable frame) rejects with HarnessError, which grades `error`, never `fail`.
 */

import WebSocket from 'ws'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { type ReasonPrefix, reasonPrefixOf } from '../../spec/model/reasons.ts'
import { HarnessError } from './errors.ts'
import type { Transcript } from './transcript.ts'

/** A frame as received: parsed JSON array (NIP-01 frames are always arrays). */
export type Frame = unknown[]

export interface OkReply {
  id: string
  accepted: boolean
  message: string
  /** Machine-readable prefix of the message (`invalid`, `duplicate`, ...), or null. */
  prefix: ReasonPrefix | null
  frame: Frame
}

export interface QueryReply {
  events: NostrEvent[]
  /** True when the relay ended the stored events with EOSE. */
  eose: boolean
  /** The CLOSED message when the relay refused or ended the subscription. */
  closed?: string
}

export type CountReply = { ok: true; count: number; frame: Frame } | { ok: false; closed: string; frame: Frame }

export interface WaitOptions {
  timeoutMs?: number
  /** Consider frames received from this index on (default: only frames after the call). */
  since?: number
}

export interface ConnectOptions {
  transcript: Transcript
  label: string
  timeoutMs: number
}

interface Waiter {
  match: (frame: Frame) => boolean
  resolve: (frame: Frame) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

let subCounter = 0
function nextSubId(): string {
  subCounter += 1
  return `h${process.pid.toString(36)}-${subCounter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

export async function openConnection(url: string, options: ConnectOptions): Promise<RelayConnection> {
  const { transcript, label, timeoutMs } = options
  transcript.record('open', label, url)
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new HarnessError('unreachable', `no WebSocket connection to ${url} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('open', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.terminate()
      reject(new HarnessError('unreachable', `cannot connect to ${url}: ${error.message}`))
    })
  })
  return new RelayConnection(socket, options)
}

export class RelayConnection {
  /** Every well-formed frame received, in order. */
  readonly frames: Frame[] = []
  private readonly waiters = new Set<Waiter>()
  private failure: HarnessError | undefined
  private readonly transcript: Transcript
  readonly label: string
  readonly timeoutMs: number

  constructor(
    private readonly socket: WebSocket,
    options: ConnectOptions,
  ) {
    this.transcript = options.transcript
    this.label = options.label
    this.timeoutMs = options.timeoutMs
    socket.on('message', (data, isBinary) => this.receive(isBinary ? '<binary frame>' : data.toString()))
    socket.on('close', (code, reason) => {
      this.transcript.record('close', this.label, `code ${code}${reason.length ? ` ${reason.toString()}` : ''}`)
      this.fail(new HarnessError('disconnected', `${this.label}: relay closed the connection (code ${code})`))
    })
    socket.on('error', (error) => this.fail(new HarnessError('disconnected', `${this.label}: ${error.message}`)))
  }

  get isOpen(): boolean {
    return this.failure === undefined && this.socket.readyState === WebSocket.OPEN
  }

  /** Sends a frame as JSON. */
  send(frame: unknown[]): void {
    this.sendText(JSON.stringify(frame))
  }

  /** Sends raw text, e.g. a deliberately malformed frame. */
  sendText(text: string): void {
    if (this.failure) throw this.failure
    this.transcript.record('send', this.label, text)
    this.socket.send(text)
  }

  /** Index of the next frame to arrive; pass as `since` to wait on frames from now on. */
  get mark(): number {
    return this.frames.length
  }

  /** Resolves with the first frame matching `match`, or rejects at the deadline. */
  waitFor(match: (frame: Frame) => boolean, what: string, options: WaitOptions = {}): Promise<Frame> {
    const since = options.since ?? this.frames.length
    for (let i = since; i < this.frames.length; i += 1) {
      const frame = this.frames[i] as Frame
      if (match(frame)) return Promise.resolve(frame)
    }
    if (this.failure) return Promise.reject(this.failure)
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    return new Promise<Frame>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter)
          this.transcript.note(`${this.label}: gave up waiting for ${what} after ${timeoutMs} ms`)
          reject(new HarnessError('timeout', `${this.label}: waited ${timeoutMs} ms for ${what}; it did not come`))
        }, timeoutMs),
      }
      this.waiters.add(waiter)
    })
  }

  /**
   * Collects frames matching `match` that arrive within `windowMs`: a bounded way to check
   * that something does NOT happen. Never rejects on silence; rejects if the link fails.
   */
  async collectFor(windowMs: number, match: (frame: Frame) => boolean = () => true): Promise<Frame[]> {
    const since = this.frames.length
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    if (this.failure) throw this.failure
    return this.frames.slice(since).filter(match)
  }

  /** Publishes an event and waits for its OK (NIP-01: a relay answers every EVENT). */
  async publish(event: NostrEvent, options: WaitOptions = {}): Promise<OkReply> {
    const since = this.mark
    this.send(['EVENT', event])
    const frame = await this.waitFor((f) => f[0] === 'OK' && f[1] === event.id, `OK for ${event.id.slice(0, 12)}`, {
      ...options,
      since,
    })
    const message = typeof frame[3] === 'string' ? frame[3] : ''
    return { id: event.id, accepted: frame[2] === true, message, prefix: reasonPrefixOf(message), frame }
  }

  /** REQ until EOSE (or CLOSED), then CLOSE: the stored events matching `filters`. */
  async query(filters: Filter[], options: WaitOptions & { subId?: string } = {}): Promise<QueryReply> {
    const subscription = this.subscribe(filters, options.subId)
    try {
      const end = await subscription.stored(options)
      return end
    } finally {
      if (this.isOpen && !subscription.closedByRelay) subscription.close()
    }
  }

  /** Opens a live subscription; events are buffered from the moment REQ is sent. */
  subscribe(filters: Filter[], subId: string = nextSubId()): Subscription {
    const since = this.mark
    this.send(['REQ', subId, ...filters])
    return new Subscription(this, subId, since)
  }

  /** NIP-45 COUNT. */
  async count(filters: Filter[], options: WaitOptions = {}): Promise<CountReply> {
    const subId = nextSubId()
    const since = this.mark
    this.send(['COUNT', subId, ...filters])
    const frame = await this.waitFor((f) => (f[0] === 'COUNT' || f[0] === 'CLOSED') && f[1] === subId, `COUNT reply`, {
      ...options,
      since,
    })
    if (frame[0] === 'CLOSED') return { ok: false, closed: typeof frame[2] === 'string' ? frame[2] : '', frame }
    const body = frame[2] as { count?: unknown } | undefined
    if (typeof body?.count !== 'number') {
      throw new HarnessError('protocol', `${this.label}: COUNT reply without a numeric count: ${JSON.stringify(frame)}`)
    }
    return { ok: true, count: body.count, frame }
  }

  /** Closes the socket; resolves when closed or after the deadline (then terminates). */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()))
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(1000)
    }
    const timer = setTimeout(() => this.socket.terminate(), Math.min(this.timeoutMs, 1000))
    await closed
    clearTimeout(timer)
  }

  private receive(text: string): void {
    this.transcript.record('recv', this.label, text)
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      this.fail(new HarnessError('protocol', `${this.label}: relay sent a frame that is not JSON: ${text.slice(0, 80)}`))
      return
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'string') {
      this.fail(new HarnessError('protocol', `${this.label}: relay sent a frame that is not a NIP-01 array: ${text.slice(0, 80)}`))
      return
    }
    this.frames.push(frame)
    for (const waiter of this.waiters) {
      if (!waiter.match(frame)) continue
      this.waiters.delete(waiter)
      clearTimeout(waiter.timer)
      waiter.resolve(frame)
    }
  }

  private fail(error: HarnessError): void {
    if (this.failure) return
    this.failure = error
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.waiters.clear()
    if (this.socket.readyState === WebSocket.OPEN) this.socket.terminate()
  }
}

export class Subscription {
  closedByRelay: string | undefined

  constructor(
    readonly connection: RelayConnection,
    readonly id: string,
    private readonly since: number,
  ) {}

  /** Every EVENT delivered on this subscription so far (stored and live). */
  get events(): NostrEvent[] {
    return this.framesFor('EVENT').map((f) => f[2] as NostrEvent)
  }

  /** Waits for EOSE (or CLOSED) and returns the stored events delivered before it. */
  async stored(options: WaitOptions = {}): Promise<QueryReply> {
    const end = await this.connection.waitFor(
      (f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === this.id,
      `EOSE for ${this.id}`,
      { timeoutMs: options.timeoutMs, since: this.since },
    )
    const endIndex = this.connection.frames.indexOf(end)
    const events = this.connection.frames
      .slice(this.since, endIndex)
      .filter((f) => f[0] === 'EVENT' && f[1] === this.id)
      .map((f) => f[2] as NostrEvent)
    if (end[0] === 'CLOSED') {
      this.closedByRelay = typeof end[2] === 'string' ? end[2] : ''
      return { events, eose: false, closed: this.closedByRelay }
    }
    return { events, eose: true }
  }

  /** Waits for an EVENT on this subscription satisfying `match` (already received ones count). */
  async waitForEvent(match: (event: NostrEvent) => boolean, what: string, options: WaitOptions = {}): Promise<NostrEvent> {
    const frame = await this.connection.waitFor(
      (f) => f[0] === 'EVENT' && f[1] === this.id && match(f[2] as NostrEvent),
      `${what} on ${this.id}`,
      { timeoutMs: options.timeoutMs, since: options.since ?? this.since },
    )
    return frame[2] as NostrEvent
  }

  /** Events arriving on this subscription within `windowMs` (bounded "nothing else arrives"). */
  async eventsWithin(windowMs: number): Promise<NostrEvent[]> {
    const frames = await this.connection.collectFor(windowMs, (f) => f[0] === 'EVENT' && f[1] === this.id)
    return frames.map((f) => f[2] as NostrEvent)
  }

  close(): void {
    if (this.connection.isOpen) this.connection.send(['CLOSE', this.id])
  }

  private framesFor(type: string): Frame[] {
    return this.connection.frames.slice(this.since).filter((f) => f[0] === type && f[1] === this.id)
  }
}
