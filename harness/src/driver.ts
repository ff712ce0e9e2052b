/**
 * The harness-facing side of the NIP-01 driver (lib/nip01): a case's connection, with every
 * frame written to the case transcript and every transport failure turned into a
 * HarnessError (graded `error`, never `fail`). The frames themselves are read and written
 * by lib/nip01/connection.ts only.
 *
 * NIP-42: when the probe found that the relay requires AUTH, a RelayConnection is a logical
 * connection. It answers challenges (at once when the relay challenges on connect; else when
 * an answer is `auth-required:`, then it repeats the request once), reads and subscribes on
 * its main socket authenticated as the case's key, and, when the relay binds a connection to
 * the key it authenticated, publishes each event on a socket authenticated as the event's
 * author (opened on demand, labelled `ws1@<pubkey prefix>` in the transcript). Cases do not
 * change for it.
 */

import { Nip01Connection, type Subscription as Nip01Subscription, type WaitOptions, type WireEvent } from '../../lib/nip01/connection.ts'
import { makeAuthEvent } from '../../lib/nip01/auth.ts'
import { isNip01Error } from '../../lib/nip01/errors.ts'
import { type CountReply, type Frame, type OkReply, type QueryReply, isOkFor, okReplyOf } from '../../lib/nip01/frames.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { type AwaitedFrame, HarnessError } from './errors.ts'
import type { KeyPair } from './identity.ts'
import type { Transcript } from './transcript.ts'

export type { CountReply, Frame, OkReply, QueryReply, WaitOptions }

/** Frames a case connection keeps at most (lib/nip01 fails the connection beyond: `error`). */
export const CaseMaxFrames = 50_000

export interface ConnectOptions {
  transcript: Transcript
  label: string
  timeoutMs: number
  /** Subscription ids are `<subIdPrefix>-<n>`; default the label. */
  subIdPrefix?: string
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

/**
 * Turns a lib/nip01 failure into the HarnessError of the same kind; anything else passes
 * through. `awaited` names the frame a timed-out or cut-off wait was for (case.ts grades it).
 */
export function harnessErrorOf(error: unknown, awaited?: AwaitedFrame): unknown {
  if (!isNip01Error(error)) return error
  const missed = error.kind === 'timeout' || error.kind === 'disconnected' ? awaited : undefined
  return new HarnessError(error.kind === 'overflow' ? 'protocol' : error.kind, error.detail, missed)
}

async function guarded<T>(work: Promise<T>, awaited?: AwaitedFrame): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw harnessErrorOf(error, awaited)
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
      subIdPrefix: options.subIdPrefix ?? options.label,
      observe: transcriptObserver(options.transcript, options.label),
    }),
  )
}

/** How a logical connection authenticates (from the probe's findings and the case's keys). */
export interface AuthSession {
  /**
   * How a new socket gets authenticated before the case uses it: `challenge` (the relay
   * challenges on connect: wait for it briefly), `REQ` or `COUNT` (the relay challenges
   * when it refuses one: send one for nothing, then answer), or `lazy` (only when an answer
   * is `auth-required:`).
   */
  prepare: 'challenge' | 'REQ' | 'COUNT' | 'lazy'
  /** The relay writes on a connection only for the key it authenticated: one socket per author. */
  perAuthor: boolean
  /** The relay answers AUTH with an OK (false: send AUTH and go on without waiting for one). */
  answersAuth: boolean
  /** The key the main socket authenticates as. */
  identity: KeyPair
  /** The secret of a key the case made, to open a socket for its events. */
  keyFor(pubkey: string): KeyPair | undefined
  /** Opens another socket to the target under `label`. */
  openSocket(label: string): Promise<Nip01Connection>
  note(text: string): void
}

export async function openConnection(url: string, options: ConnectOptions, session?: AuthSession): Promise<RelayConnection> {
  const connection = new RelayConnection(await openSocket(url, options), session)
  try {
    await connection.prepare()
  } catch (error) {
    await connection.close()
    throw error
  }
  return connection
}

/** How long a connection to a relay that challenges on connect waits for the challenge. */
const ChallengeWaitMs = 1500

/** An event id nobody has: the request that makes a relay that challenges on demand send its challenge. */
const NothingId = '0'.repeat(64)

const isAuthRequired = (message: string | undefined): boolean => message !== undefined && reasonPrefixOf(message) === 'auth-required'

export class RelayConnection {
  private readonly authorSockets = new Map<string, Promise<Nip01Connection>>()
  private readonly authenticating = new Map<Nip01Connection, Promise<void>>()

  constructor(
    private readonly socket: Nip01Connection,
    private readonly session?: AuthSession,
  ) {}

  /**
   * Authenticates the main socket at once when the relay challenges on connect. A challenge
   * that does not come within a short wait is no error: the connection then authenticates
   * when an answer asks for it.
   */
  async prepare(): Promise<void> {
    if (this.session) await this.authenticateUpFront(this.socket, this.session.identity)
  }

  /**
   * NIP-42: answers the relay's challenge on the main socket with `keys` (default: the
   * identity the connection was opened with, else the case's key) and returns the relay's
   * OK. For cases about AUTH itself; the connection answers challenges without being asked.
   */
  authenticate(keys: KeyPair): Promise<OkReply> {
    return guarded(this.socket.authenticate(keys.secretKey))
  }

  /** The latest NIP-42 challenge received on the main socket. */
  get challenge(): string | undefined {
    return this.socket.challenge
  }

  /**
   * NIP-42: the relay's challenge on the main socket. When none came on connect (within a
   * short wait), a REQ for an id nobody has asks a relay that challenges on demand for one.
   * Resolves undefined when the relay sends none.
   */
  async awaitChallenge(): Promise<string | undefined> {
    const wait = { timeoutMs: Math.min(this.socket.timeoutMs, ChallengeWaitMs) }
    const early = await this.socket.waitForChallenge(wait).catch(() => undefined)
    if (early !== undefined) return early
    await guarded(this.socket.query([{ ids: [NothingId], limit: 1 }]))
    return this.socket.waitForChallenge(wait).catch(() => undefined)
  }

  /** NIP-42: sends `["AUTH", event]` as it is (a case's own, possibly faulty, AUTH event) and waits for the OK naming it. */
  async sendAuth(event: NostrEvent, options: WaitOptions = {}): Promise<OkReply> {
    const since = this.socket.mark
    this.send(['AUTH', event])
    const frame = await this.waitFor(isOkFor(event.id), `OK for the AUTH event ${event.id.slice(0, 12)}`, { ...options, since })
    return okReplyOf(event.id, frame)
  }

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

  /**
   * Publishes an event and waits for its OK (NIP-01: a relay answers every EVENT). Under
   * AUTH the event goes out on a socket authenticated as its author when the relay binds
   * connections to keys; an `auth-required:` answer on a socket not yet authenticated is
   * followed by AUTH and one more try, whose answer is returned.
   */
  async publish(event: NostrEvent, options: WaitOptions = {}): Promise<OkReply> {
    const { socket, key } = await this.socketFor(event.pubkey)
    const reply = await guarded(socket.publish(event, withoutSince(options)))
    if (!this.shouldAuthenticate(socket, reply.accepted ? undefined : reply.message)) return reply
    await this.ensureAuthenticated(socket, key)
    return guarded(socket.publish(event, withoutSince(options)))
  }

  /** REQ until EOSE (or CLOSED), then CLOSE: the stored events matching `filters`. */
  async query(filters: Filter[], options: WaitOptions & { subId?: string } = {}): Promise<QueryReply> {
    const reply = await guarded(this.socket.query(filters, withoutSince(options)), 'eose')
    if (!this.shouldAuthenticate(this.socket, reply.closed)) return reply
    await this.ensureAuthenticated(this.socket, this.identity())
    return guarded(this.socket.query(filters, withoutSince(options)), 'eose')
  }

  /** Opens a live subscription; events are buffered from the moment REQ is sent. */
  subscribe(filters: Filter[], subId?: string): Subscription {
    return new Subscription(this, guardedSync(() => this.socket.subscribe(filters, subId)), filters)
  }

  /** NIP-45 COUNT. */
  async count(filters: Filter[], options: WaitOptions = {}): Promise<CountReply> {
    const reply = await guarded(this.socket.count(filters, withoutSince(options)), 'count')
    if (reply.ok || !this.shouldAuthenticate(this.socket, reply.closed)) return reply
    await this.ensureAuthenticated(this.socket, this.identity())
    return guarded(this.socket.count(filters, withoutSince(options)), 'count')
  }

  /** Closes every socket of the connection; resolves when closed or after the close deadline. */
  async close(): Promise<void> {
    const authors = await Promise.allSettled(this.authorSockets.values())
    await Promise.all([this.socket.close(), ...authors.flatMap((a) => (a.status === 'fulfilled' ? [a.value.close()] : []))])
  }

  /** @internal A CLOSED `auth-required:` on the main socket: authenticate, then re-send the REQ. */
  async resubscribe(previous: Nip01Subscription, filters: Filter[]): Promise<Nip01Subscription | undefined> {
    if (!this.shouldAuthenticate(this.socket, previous.closedByRelay)) return undefined
    await this.ensureAuthenticated(this.socket, this.identity())
    return guardedSync(() => this.socket.subscribe(filters, previous.id))
  }

  private identity(): KeyPair {
    return (this.session as AuthSession).identity
  }

  private shouldAuthenticate(socket: Nip01Connection, refusal: string | undefined): boolean {
    return this.session !== undefined && isAuthRequired(refusal) && socket.isOpen
  }

  /** Authenticates a new socket before the case uses it, as the session says (see AuthSession.prepare). */
  private async authenticateUpFront(socket: Nip01Connection, key: KeyPair): Promise<void> {
    const how = this.session?.prepare ?? 'lazy'
    if (how === 'lazy') return
    const wait = { timeoutMs: Math.min(socket.timeoutMs, ChallengeWaitMs) }
    if (how === 'REQ') await guarded(socket.query([{ ids: [NothingId], limit: 1 }], wait))
    if (how === 'COUNT') await guarded(socket.count([{ ids: [NothingId] }], wait))
    const challenge = await socket.waitForChallenge(wait).catch(() => undefined)
    if (challenge !== undefined) await this.ensureAuthenticated(socket, key)
  }

  /** Authenticates `socket` as `key` once, however many requests ask for it at the same time. */
  private ensureAuthenticated(socket: Nip01Connection, key: KeyPair): Promise<void> {
    if (socket.authenticated.has(key.pubkey)) return Promise.resolve()
    let pending = this.authenticating.get(socket)
    if (pending === undefined) {
      pending =
        this.session?.answersAuth === false
          ? this.authenticateUnanswered(socket, key)
          : guarded(socket.authenticate(key.secretKey)).then((reply) => {
              if (!reply.accepted) {
                throw new HarnessError('auth', `${socket.label}: the relay refused AUTH as ${key.pubkey.slice(0, 12)} (OK false ${JSON.stringify(reply.message)}); the harness cannot act for this key`)
              }
            })
      this.authenticating.set(socket, pending)
    }
    return pending
  }


  /** For a relay that does not answer AUTH (probe): send it and rely on the relay handling frames in order. */
  private async authenticateUnanswered(socket: Nip01Connection, key: KeyPair): Promise<void> {
    const challenge = await guarded(socket.waitForChallenge())
    this.session?.note(`${socket.label}: AUTH as ${key.pubkey.slice(0, 12)} sent without waiting for an OK (the probe found the relay does not answer AUTH)`)
    guardedSync(() => socket.send(['AUTH', makeAuthEvent({ secretKey: key.secretKey, challenge, relayUrl: socket.url })]))
  }

  /** The socket an event by `pubkey` goes out on, and the key that socket authenticates as. */
  private async socketFor(pubkey: string): Promise<{ socket: Nip01Connection; key: KeyPair }> {
    const session = this.session
    if (session === undefined) return { socket: this.socket, key: { secretKey: new Uint8Array(), pubkey } }
    const key = session.keyFor(pubkey)
    if (!session.perAuthor || pubkey === session.identity.pubkey || key === undefined) return { socket: this.socket, key: session.identity }
    let opening = this.authorSockets.get(pubkey)
    if (opening === undefined) {
      const label = `${this.socket.label}@${pubkey.slice(0, 8)}`
      session.note(`${label}: a socket for events by ${pubkey.slice(0, 12)}, since the relay writes on a connection only for the key it authenticated (probe)`)
      opening = session.openSocket(label).then(async (socket) => {
        await this.authenticateUpFront(socket, key)
        return socket
      })
      this.authorSockets.set(pubkey, opening)
    }
    return { socket: await guarded(opening), key }
  }
}

export class Subscription {
  constructor(
    readonly connection: RelayConnection,
    private inner: Nip01Subscription,
    private readonly filters: Filter[],
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
  async stored(options: WaitOptions = {}): Promise<QueryReply> {
    const reply = await guarded(this.inner.stored(withoutSince(options)), 'eose')
    if (reply.eose) return reply
    const again = await this.connection.resubscribe(this.inner, this.filters)
    if (again === undefined) return reply
    this.inner = again
    return guarded(again.stored(withoutSince(options)), 'eose')
  }

  /** Waits for an EVENT on this subscription satisfying `match` (already received ones count). */
  waitForEvent(match: (event: NostrEvent) => boolean, what: string, options: WaitOptions = {}): Promise<NostrEvent> {
    return guarded(this.inner.waitForEvent(match, what, options), 'live')
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
