/** Test helpers: a tiny NIP-01 client over `ws`, keys, signed events and relays on port 0. */

import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import WebSocket from 'ws'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import type { Frame } from '../../lib/nip01/frames.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { type RelayConfig, type RelayOptions, resolveConfig } from '../src/config.ts'
import { createRelay, type RelayInternals, type RelayParts } from '../src/relay.ts'
import { MemoryStore } from '../src/storage/memory-store.ts'

export type { Frame } from '../../lib/nip01/frames.ts'

const DefaultWait = 5000

/**
 * A relay on 127.0.0.1:0; `overrides` reach internals such as the clock or the limits,
 * `parts` replace parts of it (a store whose reads wait for the test, say).
 */
export function startTestRelay(options: RelayOptions = {}, overrides: Partial<RelayConfig> = {}, parts?: RelayParts): Promise<RelayInternals> {
  return createRelay(resolveConfig({ host: '127.0.0.1', port: 0, ...options }, overrides), parts === undefined ? {} : { parts })
}

/** A gate a test closes to hold work back and opens to let it go. */
export class Gate {
  #open: Promise<void> = Promise.resolve()
  #release: () => void = () => {}
  #closed = false

  get closed(): boolean {
    return this.#closed
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#open = new Promise((resolve) => (this.#release = resolve))
  }

  open(): void {
    this.#closed = false
    this.#release()
  }

  /** Resolves when the gate is open. */
  passed(): Promise<void> {
    return this.#open
  }
}

/** The memory store inside a relay on the memory backend, for tests that look inside or seed it. */
export function memoryStoreOf(relay: RelayInternals): MemoryStore {
  const events = (relay.store as { events?: unknown }).events
  if (!(events instanceof MemoryStore)) throw new Error(`relay runs on ${relay.store.backend}, not the memory store`)
  return events
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

export interface Key {
  sk: Uint8Array
  pk: string
}

export function newKey(): Key {
  const sk = generateSecretKey()
  return { sk, pk: getPublicKey(sk) }
}

export function sign(key: Key, template: { kind: number; created_at?: number; tags?: string[][]; content?: string }): NostrEvent {
  return finalizeEvent(
    {
      kind: template.kind,
      created_at: template.created_at ?? nowSeconds(),
      tags: template.tags ?? [],
      content: template.content ?? '',
    },
    key.sk,
  ) as NostrEvent
}

export const PersonaBody = JSON.stringify({ display_name: 'Tester', system_prompt: 'You test relays.' })

export function persona(key: Key, slug: string, created_at = nowSeconds(), extraTags: string[][] = []): NostrEvent {
  return sign(key, { kind: 30175, created_at, tags: [['d', slug], ...extraTags], content: PersonaBody })
}

export function deletion(key: Key, tags: string[][], created_at = nowSeconds()): NostrEvent {
  return sign(key, { kind: 5, created_at, tags })
}

/** Signs `count` versions of one address with the same created_at, sorted by id ascending. */
export function tiedVersions(key: Key, slug: string, created_at: number, count = 2): NostrEvent[] {
  const versions: NostrEvent[] = []
  for (let i = 0; i < count; i++) {
    versions.push(sign(key, { kind: 30175, created_at, tags: [['d', slug]], content: JSON.stringify({ display_name: `v${i}`, system_prompt: '' }) }))
  }
  return versions.sort((a, b) => (a.id < b.id ? -1 : 1))
}

/**
 * The tests' NIP-01 client: the project's one connection (lib/nip01) under the names these
 * tests use. Frames are read queue-style: `next` takes the first matching frame, kept or
 * still to come.
 */
export class TestClient {
  readonly #connection: Nip01Connection
  readonly #waitMs: number
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(connection: Nip01Connection, waitMs: number) {
    this.#connection = connection
    this.#waitMs = waitMs
    this.closed = connection.closed
  }

  /** `waitMs`: the deadline of every wait of this client (default 5 s). */
  static async connect(url: string, options: { waitMs?: number } = {}): Promise<TestClient> {
    const waitMs = options.waitMs ?? DefaultWait
    // Large answers and long runs keep many frames; the handshake may be slow on a loaded machine.
    const connection = await Nip01Connection.open(url, {
      label: 'test client',
      timeoutMs: waitMs,
      connectTimeoutMs: 30_000,
      maxFrames: 100_000,
      maxPayload: 64 * 1024 * 1024,
    })
    return new TestClient(connection, waitMs)
  }

  get isOpen(): boolean {
    return this.#connection.isOpen
  }

  send(message: unknown[]): void {
    this.#connection.send(message)
  }

  sendRaw(text: string | Buffer, binary = false): void {
    if (binary) this.#connection.sendBinary(typeof text === 'string' ? Buffer.from(text) : text)
    else this.#connection.sendText(typeof text === 'string' ? text : text.toString('utf8'))
  }

  /** The next frame (kept or still to come) that matches, taken from the buffer. */
  next(match: (frame: Frame) => boolean = () => true, waitMs = this.#waitMs): Promise<Frame> {
    return this.#connection.take(match, 'a matching frame', { since: 0, timeoutMs: waitMs })
  }

  /** Frames received so far and not yet taken. */
  pending(): Frame[] {
    return [...this.#connection.frames]
  }

  async publish(event: NostrEvent | Record<string, unknown>): Promise<{ accepted: boolean; message: string }> {
    const id = (event as { id: unknown }).id
    this.send(['EVENT', event])
    const frame = await this.next((f) => f[0] === 'OK' && f[1] === id)
    return { accepted: frame[2] as boolean, message: frame[3] as string }
  }

  /** Publishes and fails unless the relay stored it with an empty or non-refusal message. */
  async store(event: NostrEvent): Promise<void> {
    const result = await this.publish(event)
    if (!result.accepted || result.message !== '') throw new Error(`not stored: ${JSON.stringify(result)}`)
  }

  /** REQ, then the stored events up to EOSE (or the CLOSED frame, returned as `closed`). */
  async req(subId: string, ...filters: Filter[] | Record<string, unknown>[]): Promise<{ events: NostrEvent[]; closed?: string }> {
    this.send(['REQ', subId, ...filters])
    const events: NostrEvent[] = []
    for (;;) {
      const frame = await this.next((f) => (f[0] === 'EVENT' || f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subId)
      if (frame[0] === 'EVENT') events.push(frame[2] as NostrEvent)
      else if (frame[0] === 'CLOSED') return { events, closed: frame[2] as string }
      else return { events }
    }
  }

  async ids(subId: string, ...filters: Filter[]): Promise<string[]> {
    const { events, closed } = await this.req(subId, ...filters)
    if (closed !== undefined) throw new Error(`REQ closed: ${closed}`)
    this.send(['CLOSE', subId])
    return events.map((e) => e.id)
  }

  async count(subId: string, ...filters: Filter[] | Record<string, unknown>[]): Promise<number | string> {
    this.send(['COUNT', subId, ...filters])
    const frame = await this.next((f) => (f[0] === 'COUNT' || f[0] === 'CLOSED') && f[1] === subId)
    return frame[0] === 'COUNT' ? (frame[2] as { count: number }).count : (frame[2] as string)
  }

  /** The next live EVENT for a subscription. */
  async live(subId: string): Promise<NostrEvent> {
    const frame = await this.next((f) => f[0] === 'EVENT' && f[1] === subId)
    return frame[2] as NostrEvent
  }

  async notice(): Promise<string> {
    const frame = await this.next((f) => f[0] === 'NOTICE')
    return frame[1] as string
  }

  close(): void {
    void this.#connection.close()
  }
}

/**
 * A subscriber that can stop reading its TCP socket, to play a slow reader (lib/nip01 has no
 * such switch: it is a transport trick, not a NIP-01 client's behaviour). Only the few frames
 * the backpressure tests need.
 */
export class PausableReader {
  readonly #ws: WebSocket
  readonly #frames: Frame[] = []
  readonly #waiters = new Set<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }>()
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      for (const waiter of this.#waiters) {
        if (!waiter.match(frame)) continue
        this.#waiters.delete(waiter)
        waiter.resolve(frame)
        return
      }
      this.#frames.push(frame)
    })
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  static connect(url: string): Promise<PausableReader> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      const reader = new PausableReader(ws)
      ws.once('open', () => resolve(reader))
      ws.once('error', reject)
    })
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN
  }

  /** Opens a subscription and waits for its EOSE. */
  async subscribe(subId: string, filter: Filter): Promise<void> {
    this.#ws.send(JSON.stringify(['REQ', subId, filter]))
    await this.#next((f) => f[0] === 'EOSE' && f[1] === subId)
  }

  /** The next live EVENT for a subscription. */
  async live(subId: string): Promise<NostrEvent> {
    return (await this.#next((f) => f[0] === 'EVENT' && f[1] === subId))[2] as NostrEvent
  }

  /** Stops reading from the TCP socket; `ws` has no public API for it. */
  pauseReading(): void {
    ;(this.#ws as unknown as { _socket: { pause(): void } })._socket.pause()
  }

  resumeReading(): void {
    ;(this.#ws as unknown as { _socket: { resume(): void } })._socket.resume()
  }

  close(): void {
    this.#ws.close()
  }

  #next(match: (frame: Frame) => boolean): Promise<Frame> {
    const index = this.#frames.findIndex(match)
    if (index >= 0) return Promise.resolve(this.#frames.splice(index, 1)[0] as Frame)
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: Frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(new Error(`no matching frame within ${DefaultWait} ms`))
      }, DefaultWait)
      this.#waiters.add(waiter)
    })
  }
}
