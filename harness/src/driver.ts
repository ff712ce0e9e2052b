/**
 * The harness-facing side of the NIP-01 driver (lib/nip01): a case's connection, with every
 * frame written to the case transcript and every transport failure turned into a
 * HarnessError (graded `error`, never `fail`). The frames themselves are read and written
 * by lib/nip01/connection.ts only.
 */

import { Nip01Connection, type Subscription as Nip01Subscription, type WaitOptions, type WireEvent } from '../../lib/nip01/connection.ts'
import { isNip01Error } from '../../lib/nip01/errors.ts'
import type { CountReply, Frame, OkReply, QueryReply } from '../../lib/nip01/frames.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { HarnessError } from './errors.ts'
import type { Transcript } from './transcript.ts'

export type { CountReply, Frame, OkReply, QueryReply, WaitOptions }

/** Frames a case connection keeps at most (lib/nip01 fails the connection beyond: `error`). */
export const CaseMaxFrames = 50_000

export interface ConnectOptions {
  transcript: Transcript
  label: string
  timeoutMs: number
}

/** Writes what crosses the wire to the transcript under the connection's label. */
export function transcriptObserver(transcript: Transcript, label: string): (event: WireEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'open':
        transcript.record('open', label, event.url)
        return
      case 'send':
        transcript.record('send', label, event.text)
        return
      case 'recv':
        transcript.record('recv', label, event.text)
        return
      case 'close':
        transcript.record('close', label, `code ${event.code}${event.reason.length ? ` ${event.reason}` : ''}`)
        return
      case 'timeout':
        transcript.note(`${label}: gave up waiting for ${event.what} after ${event.ms} ms`)
    }
  }
}

/** Turns a lib/nip01 failure into the HarnessError of the same kind; anything else passes through. */
export function harnessErrorOf(error: unknown): unknown {
  if (!isNip01Error(error)) return error
  return new HarnessError(error.kind === 'overflow' ? 'protocol' : error.kind, error.detail)
}

async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw harnessErrorOf(error)
  }
}

function guardedSync<T>(work: () => T): T {
  try {
    return work()
  } catch (error) {
    throw harnessErrorOf(error)
  }
}

export async function openSocket(url: string, options: ConnectOptions): Promise<Nip01Connection> {
  return guarded(
    Nip01Connection.open(url, {
      label: options.label,
      timeoutMs: options.timeoutMs,
      maxFrames: CaseMaxFrames,
      subIdPrefix: options.label,
      observe: transcriptObserver(options.transcript, options.label),
    }),
  )
}

export async function openConnection(url: string, options: ConnectOptions): Promise<RelayConnection> {
  return new RelayConnection(await openSocket(url, options))
}

export class RelayConnection {
  constructor(private readonly socket: Nip01Connection) {}

  get label(): string {
    return this.socket.label
  }

  get timeoutMs(): number {
    return this.socket.timeoutMs
  }

  get isOpen(): boolean {
    return this.socket.isOpen
  }

  /** Every well-formed frame received, in order (`frames[mark]` is the frame numbered `mark`). */
  get frames(): Frame[] {
    return this.socket.frames
  }

  /** Number of the next frame to arrive; pass as `since` to wait on frames from now on. */
  get mark(): number {
    return this.socket.mark
  }

  framesSince(mark: number): Frame[] {
    return this.socket.framesSince(mark)
  }

  /** Sends a frame as JSON. */
  send(frame: unknown[]): void {
    guardedSync(() => this.socket.send(frame))
  }

  /** Sends raw text, e.g. a deliberately malformed frame. */
  sendText(text: string): void {
    guardedSync(() => this.socket.sendText(text))
  }

  /** Resolves with the first frame matching `match`, or rejects at the deadline. */
  waitFor(match: (frame: Frame) => boolean, what: string, options: WaitOptions = {}): Promise<Frame> {
    return guarded(this.socket.waitFor(match, what, options))
  }

  /** Frames matching `match` that arrive within `windowMs`; silence is not an error. */
  collectFor(windowMs: number, match?: (frame: Frame) => boolean): Promise<Frame[]> {
    return guarded(this.socket.collectFor(windowMs, match))
  }

  /** Publishes an event and waits for its OK (NIP-01: a relay answers every EVENT). */
  publish(event: NostrEvent, options: WaitOptions = {}): Promise<OkReply> {
    return guarded(this.socket.publish(event, withoutSince(options)))
  }

  /** REQ until EOSE (or CLOSED), then CLOSE: the stored events matching `filters`. */
  query(filters: Filter[], options: WaitOptions & { subId?: string } = {}): Promise<QueryReply> {
    return guarded(this.socket.query(filters, withoutSince(options)))
  }

  /** Opens a live subscription; events are buffered from the moment REQ is sent. */
  subscribe(filters: Filter[], subId?: string): Subscription {
    return new Subscription(this, guardedSync(() => this.socket.subscribe(filters, subId)))
  }

  /** NIP-45 COUNT. */
  count(filters: Filter[], options: WaitOptions = {}): Promise<CountReply> {
    return guarded(this.socket.count(filters, withoutSince(options)))
  }

  /** Closes the socket; resolves when closed or after the close deadline. */
  close(): Promise<void> {
    return this.socket.close()
  }
}

export class Subscription {
  constructor(
    readonly connection: RelayConnection,
    private readonly inner: Nip01Subscription,
  ) {}

  get id(): string {
    return this.inner.id
  }

  /** The CLOSED message, once the relay ended this subscription. */
  get closedByRelay(): string | undefined {
    return this.inner.closedByRelay
  }

  /** Every EVENT delivered on this subscription so far (stored and live). */
  get events(): NostrEvent[] {
    return this.inner.events
  }

  /** Waits for EOSE (or CLOSED) and returns the stored events delivered before it. */
  stored(options: WaitOptions = {}): Promise<QueryReply> {
    return guarded(this.inner.stored(withoutSince(options)))
  }

  /** Waits for an EVENT on this subscription satisfying `match` (already received ones count). */
  waitForEvent(match: (event: NostrEvent) => boolean, what: string, options: WaitOptions = {}): Promise<NostrEvent> {
    return guarded(this.inner.waitForEvent(match, what, options))
  }

  /** Events arriving on this subscription within `windowMs` (bounded "nothing else arrives"). */
  eventsWithin(windowMs: number): Promise<NostrEvent[]> {
    return guarded(this.inner.eventsWithin(windowMs))
  }

  close(): void {
    guardedSync(() => this.inner.close())
  }
}

function withoutSince<T extends WaitOptions>(options: T): Omit<T, 'since'> {
  const { since: _since, ...rest } = options
  return rest
}
