// Bridge authentication (crates/buzz-relay/src/api/bridge.rs `verify_bridge_auth`,
// `check_nip98_replay`; crates/buzz-auth/src/nip98.rs `verify_nip98_event`): NIP-98 first, then
// the unsigned `X-Pubkey` header the default configuration accepts.
import { createHash } from 'node:crypto'
import type { DefectSet } from './defects.ts'
import { firstTagValue, isHex, parseEvent, verificationError } from './event.ts'
import { HTTP_AUTH_WINDOW_SECONDS, REPLAY_MEMORY_SECONDS } from './limits.ts'
import { parseStrictJson } from './strict-json.ts'
import { normalizeHttpAuthUrl } from './url.ts'

const REPLAY_MEMORY_CAPACITY = 10_000
const HTTP_AUTH_KIND = 27235

export type BridgeAuth = { ok: true; pubkey: string } | { ok: false; error: string }

/** Auth event ids seen in the last two minutes, bounded like the origin's cache. */
export class ReplayMemory {
  private readonly seen = new Map<string, number>()

  /** true when the id is fresh (and is now remembered). */
  remember(id: string, nowMs: number): boolean {
    for (const [key, at] of this.seen) {
      if (nowMs - at < REPLAY_MEMORY_SECONDS * 1000) break
      this.seen.delete(key)
    }
    if (this.seen.has(id)) return false
    if (this.seen.size >= REPLAY_MEMORY_CAPACITY) {
      const oldest = this.seen.keys().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
    this.seen.set(id, nowMs)
    return true
  }
}

/** Rust's STANDARD base64 engine: canonical padding, no whitespace, no stray bits. */
function decodeStrictBase64(s: string): Buffer | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null
  const bytes = Buffer.from(s, 'base64')
  return bytes.toString('base64') === s ? bytes : null
}

function nip98Failure(detail: string): BridgeAuth {
  return { ok: false, error: `NIP-98: NIP-98 HTTP Auth verification failed: ${detail}` }
}

export interface BridgeRequest {
  authorization: string | undefined
  xPubkey: string | undefined
  method: string
  /** The relay's canonical http URL plus the path. */
  url: string
  body: Buffer
}

export function verifyBridgeAuth(req: BridgeRequest, now: number, replay: ReplayMemory, defects: DefectSet): BridgeAuth {
  const missing = defects.has('http-401-text') ? 'unauthorized' : 'missing Nostr auth'
  if (req.authorization !== undefined && req.authorization.startsWith('Nostr ')) {
    const bytes = decodeStrictBase64(req.authorization.slice('Nostr '.length))
    if (bytes === null) return { ok: false, error: 'invalid base64 in Nostr auth' }
    let json: string
    try {
      json = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return { ok: false, error: 'invalid UTF-8 in Nostr auth' }
    }
    const parsedJson = parseStrictJson(json)
    const parsed = parsedJson.ok ? parseEvent(parsedJson.value) : undefined
    if (!parsed || !parsed.ok) return { ok: false, error: 'invalid NIP-98 event JSON' }
    const event = parsed.value
    if (event.kind !== HTTP_AUTH_KIND) return nip98Failure(`expected kind ${HTTP_AUTH_KIND}, got ${event.kind}`)
    if (verificationError(event) !== null) return nip98Failure('invalid Schnorr signature')
    const delta = Math.abs(now - event.created_at)
    if (delta > HTTP_AUTH_WINDOW_SECONDS) {
      return nip98Failure(`event timestamp outside ±${HTTP_AUTH_WINDOW_SECONDS}s window (delta: ${delta}s)`)
    }
    const u = firstTagValue(event, 'u')
    if (u === undefined) return nip98Failure('missing `u` tag')
    if (normalizeHttpAuthUrl(u) !== normalizeHttpAuthUrl(req.url)) {
      return nip98Failure(`URL mismatch: event has \`${u}\`, expected \`${req.url}\``)
    }
    const method = firstTagValue(event, 'method')
    if (method === undefined) return nip98Failure('missing `method` tag')
    if (method.toUpperCase() !== req.method.toUpperCase()) {
      return nip98Failure(`method mismatch: event has \`${method}\`, expected \`${req.method}\``)
    }
    const payload = firstTagValue(event, 'payload')
    if (payload !== undefined && createHash('sha256').update(req.body).digest('hex') !== payload) {
      return nip98Failure('payload tag SHA-256 mismatch: request body does not match signed hash')
    }
    if (!defects.has('nip98-replay-allowed') && !replay.remember(event.id, Date.now())) {
      return { ok: false, error: 'NIP-98: replay detected' }
    }
    return { ok: true, pubkey: event.pubkey }
  }
  if (req.xPubkey !== undefined && !defects.has('x-pubkey-refused')) {
    if (!isHex(req.xPubkey, 64)) return { ok: false, error: 'invalid X-Pubkey hex' }
    return { ok: true, pubkey: req.xPubkey.toLowerCase() }
  }
  return { ok: false, error: missing }
}
