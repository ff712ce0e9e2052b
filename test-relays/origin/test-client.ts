// Test-only helpers: a bounded WebSocket client that keeps every frame, keys, signing and NIP-98.
import { createHash } from 'node:crypto'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import WebSocket from 'ws'
import type { NostrEvent } from './event.ts'

export type Frame = [string, ...unknown[]]

const WAIT_MS = 5_000

export interface Key {
  sk: Uint8Array
  pk: string
}

export function newKey(): Key {
  const sk = generateSecretKey()
  return { sk, pk: getPublicKey(sk) }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

export function sign(key: Key, kind: number, tags: string[][] = [], content = '', createdAt = nowSeconds()): NostrEvent {
  // A plain copy: nostr-tools marks signed events with a symbol.
  return JSON.parse(JSON.stringify(finalizeEvent({ kind, tags, content, created_at: createdAt }, key.sk))) as NostrEvent
}

export class TestClient {
  readonly frames: Frame[] = []
  private cursor = 0
  private waiters: Array<() => void> = []
  closed = false
  closeCode: number | undefined

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame)
      this.wake()
    })
    ws.on('close', (code) => {
      this.closed = true
      this.closeCode = code
      this.wake()
    })
  }

  static async open(url: string): Promise<TestClient> {
    const ws = new WebSocket(url)
    const client = new TestClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** The next unread frame that satisfies `pred`; earlier unread frames that do not stay unread. */
  async next(pred: (f: Frame) => boolean = () => true, ms = WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + ms
    for (;;) {
      for (let i = this.cursor; i < this.frames.length; i++) {
        const f = this.frames[i] as Frame
        if (pred(f)) {
          if (i === this.cursor) this.cursor += 1
          this.frames.splice(i, 1, ['__consumed__'])
          return f
        }
      }
      if (this.closed) throw new Error(`connection closed while waiting (code ${this.closeCode})`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames.slice(-5))}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  async challenge(): Promise<string> {
    const f = await this.next((x) => x[0] === 'AUTH')
    return f[1] as string
  }

  /** Sends EVENT and returns the OK frame for it. */
  async publish(event: NostrEvent): Promise<Frame> {
    this.send(['EVENT', event])
    return this.next((f) => f[0] === 'OK' && f[1] === event.id)
  }

  async auth(key: Key, relayUrl: string, overrides: { relay?: string; createdAt?: number; challenge?: string } = {}): Promise<Frame> {
    const challenge = overrides.challenge ?? (await this.challenge())
    const ev = sign(key, 22242, [['relay', overrides.relay ?? relayUrl], ['challenge', challenge]], '', overrides.createdAt)
    this.send(['AUTH', ev])
    return this.next((f) => f[0] === 'OK' && f[1] === ev.id)
  }

  /** REQ; resolves with the events before EOSE, or the CLOSED frame. */
  async req(subId: string, ...filters: unknown[]): Promise<{ events: NostrEvent[]; closed?: Frame }> {
    this.send(['REQ', subId, ...filters])
    const events: NostrEvent[] = []
    for (;;) {
      const f = await this.next((x) => (x[0] === 'EVENT' || x[0] === 'EOSE' || x[0] === 'CLOSED') && x[1] === subId)
      if (f[0] === 'EVENT') events.push(f[2] as NostrEvent)
      else if (f[0] === 'EOSE') return { events }
      else return { events, closed: f }
    }
  }

  async count(subId: string, ...filters: unknown[]): Promise<Frame> {
    this.send(['COUNT', subId, ...filters])
    return this.next((f) => (f[0] === 'COUNT' || f[0] === 'CLOSED') && f[1] === subId)
  }

  close(): void {
    this.ws.terminate()
  }
}

/** A connection already authenticated as `key`. */
export async function authed(relayUrl: string, key: Key): Promise<TestClient> {
  const c = await TestClient.open(relayUrl)
  const ok = await c.auth(key, relayUrl)
  if (ok[2] !== true) throw new Error(`AUTH refused: ${JSON.stringify(ok)}`)
  return c
}

/**
 * A NIP-98 header. Two identical auth events signed in the same second share an id, and the
 * relay refuses the second as a replay, so each header carries a random nonce tag.
 */
export function nip98(key: Key, url: string, method: string, body?: string, createdAt = nowSeconds()): string {
  const tags = [['u', url], ['method', method], ['nonce', crypto.randomUUID()]]
  if (body !== undefined) tags.push(['payload', createHash('sha256').update(body).digest('hex')])
  const ev = sign(key, 27235, tags, '', createdAt)
  return `Nostr ${Buffer.from(JSON.stringify(ev)).toString('base64')}`
}

export interface HttpAnswer {
  status: number
  body: unknown
  text: string
}

/** POST to a bridge route with NIP-98 auth over exactly this body (or the given headers). */
export async function post(httpUrl: string, path: string, body: string, auth: Key | Record<string, string>): Promise<HttpAnswer> {
  const headers: Record<string, string> =
    'sk' in auth ? { authorization: nip98(auth as Key, `${httpUrl}${path}`, 'POST', body) } : (auth as Record<string, string>)
  const res = await fetch(`${httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text }
}

export function randomUuid(): string {
  return crypto.randomUUID()
}
