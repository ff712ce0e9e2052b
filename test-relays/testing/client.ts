// A small NIP-01 client for the test relays' own tests: every frame is kept, every wait
// has a deadline.
import WebSocket from 'ws'
import { finalizeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../core/event.ts'

export type Frame = unknown[]

const defaultWaitMs = 5000

export class TestClient {
  readonly frames: Frame[] = []
  private readonly taken = new Set<Frame>()
  private waiters: (() => void)[] = []
  private closeCode: number | null = null
  private authChallenge: string | undefined
  private readonly closedPromise: Promise<number>

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      try {
        const frame: unknown = JSON.parse(String(data))
        this.frames.push(Array.isArray(frame) ? frame : ['(not an array)', frame])
      } catch {
        this.frames.push(['(not JSON)', String(data)])
      }
      this.wake()
    })
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', (code) => {
        this.closeCode = code
        this.wake()
        resolve(code)
      })
    })
  }

  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const client = new TestClient(socket)
      socket.once('open', () => resolve(client))
      socket.once('error', reject)
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      )
    })
  }

  get isClosed(): boolean {
    return this.closeCode !== null
  }

  closed(): Promise<number> {
    return this.closedPromise
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame))
  }

  sendRaw(text: string): void {
    this.socket.send(text)
  }

  /** The first frame not yet taken that satisfies `test`, waiting up to `ms`. */
  async take(test: (frame: Frame) => boolean, what: string, ms = defaultWaitMs): Promise<Frame> {
    const deadline = Date.now() + ms
    for (;;) {
      const frame = this.frames.find((f) => !this.taken.has(f) && test(f))
      if (frame !== undefined) {
        this.taken.add(frame)
        return frame
      }
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; frames: ${JSON.stringify(this.frames).slice(0, 600)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Publish and wait for the OK of this event: [accepted, message]. */
  async publish(event: NostrEvent | Record<string, unknown>): Promise<[boolean, string]> {
    this.send(['EVENT', event])
    const ok = await this.take((f) => f[0] === 'OK' && f[1] === event.id, `OK for ${String(event.id).slice(0, 8)}`)
    return [ok[2] as boolean, ok[3] as string]
  }

  /** REQ and wait for EOSE or CLOSED: the stored events, or the CLOSED message. */
  async query(id: string, ...filters: unknown[]): Promise<{ events: NostrEvent[]; closed: string | null }> {
    this.send(['REQ', id, ...filters])
    const end = await this.take((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === id, `EOSE or CLOSED for ${id}`)
    const events = this.frames
      .filter((f) => f[0] === 'EVENT' && f[1] === id && !this.taken.has(f))
      .map((f) => {
        this.taken.add(f)
        return f[2] as NostrEvent
      })
    return { events, closed: end[0] === 'CLOSED' ? (end[2] as string) : null }
  }

  async count(id: string, ...filters: unknown[]): Promise<Frame> {
    this.send(['COUNT', id, ...filters])
    return this.take((f) => (f[0] === 'COUNT' || f[0] === 'CLOSED') && f[1] === id, `COUNT or CLOSED for ${id}`)
  }

  /** Live EVENTs received so far for a subscription and not yet taken. */
  live(id: string): NostrEvent[] {
    return this.frames
      .filter((f) => f[0] === 'EVENT' && f[1] === id && !this.taken.has(f))
      .map((f) => {
        this.taken.add(f)
        return f[2] as NostrEvent
      })
  }

  /**
   * Round trip that proves every frame the relay sent before it has arrived: the core
   * relay answers each connection's messages in order.
   */
  async barrier(): Promise<void> {
    const id = `barrier-${Math.random().toString(36).slice(2, 10)}`
    await this.query(id, { ids: ['0'.repeat(64)] })
    this.send(['CLOSE', id])
  }

  /** The challenge of the relay's AUTH message on this connection. */
  async challenge(): Promise<string> {
    this.authChallenge ??= (await this.take((f) => f[0] === 'AUTH', 'AUTH challenge'))[1] as string
    return this.authChallenge
  }

  /** Send an AUTH event and wait for its OK: [accepted, message]. */
  async sendAuth(event: NostrEvent): Promise<[boolean, string]> {
    this.send(['AUTH', event])
    const ok = await this.take((f) => f[0] === 'OK' && f[1] === event.id, `OK for AUTH ${event.id.slice(0, 8)}`)
    return [ok[2] as boolean, ok[3] as string]
  }

  /** Answer the relay's AUTH challenge with `secretKey`; returns the OK. */
  async authenticate(secretKey: Uint8Array, relayUrl: string): Promise<[boolean, string]> {
    return this.sendAuth(authEvent(secretKey, relayUrl, await this.challenge()))
  }

  close(): void {
    this.socket.terminate()
  }
}

/** A kind 22242 NIP-42 event. */
export function authEvent(
  secretKey: Uint8Array,
  relayUrl: string,
  challenge: string,
  createdAt = Math.floor(Date.now() / 1000),
): NostrEvent {
  const event = finalizeEvent(
    { kind: 22242, created_at: createdAt, tags: [['relay', relayUrl], ['challenge', challenge]], content: '' },
    secretKey,
  )
  return JSON.parse(JSON.stringify(event)) as NostrEvent
}

/** Connect several clients and close them all afterwards. */
export async function withClients<T>(url: string, count: number, body: (...clients: TestClient[]) => Promise<T>): Promise<T> {
  const clients = await Promise.all(Array.from({ length: count }, () => TestClient.connect(url)))
  try {
    return await body(...clients)
  } finally {
    for (const client of clients) client.close()
  }
}
