/**
 * NIP-98 HTTP auth as the origin relay's HTTP bridge applies it (AP-AUTH-*): an
 * `Authorization: Nostr <base64 of a signed kind 27235 event>` header whose `u` tag is the
 * request's absolute URL, whose `method` tag is the request method, whose optional
 * `payload` tag is the lowercase hex SHA-256 of the body, signed within ±60 s of the
 * server's clock, and never used twice.
 */

import { createHash, randomBytes } from 'node:crypto'
import { finalizeEvent } from 'nostr-tools/pure'
import { isWithinWindow, symmetricWindow } from './clock.ts'
import { checkEventShape, hasValidId, type NostrEvent, verifyEventSignature } from './event.ts'
import { HttpAuthKind } from './kinds.ts'
import { formatReason } from './reasons.ts'

/** Seconds either side of the server clock an auth event may be signed at (inclusive). */
export const HttpAuthWindowSeconds = 60

export const HttpAuthScheme = 'Nostr'

/**
 * Every reason an Authorization header is refused. A missing or foreign credential is
 * `auth-required:` (the client has not tried NIP-98); a NIP-98 credential that fails a
 * check is `invalid:`.
 */
export const HttpAuthRefusals = {
  missing: formatReason('auth-required', 'missing Authorization header (NIP-98)'),
  scheme: formatReason('auth-required', 'Authorization scheme must be Nostr (NIP-98)'),
  base64: formatReason('invalid', 'NIP-98 token is not valid base64'),
  json: formatReason('invalid', 'NIP-98 token is not JSON'),
  shape: formatReason('invalid', 'NIP-98 token is not a well-formed Nostr event'),
  kind: formatReason('invalid', `NIP-98 event must be kind ${HttpAuthKind}`),
  id: formatReason('invalid', 'NIP-98 event id does not match its content'),
  signature: formatReason('invalid', 'NIP-98 event signature is invalid'),
  expired: formatReason('invalid', `NIP-98 event created_at is more than ${HttpAuthWindowSeconds} s from server time`),
  noUrl: formatReason('invalid', 'NIP-98 event has no u tag'),
  url: formatReason('invalid', 'NIP-98 u tag does not match the request URL'),
  noMethod: formatReason('invalid', 'NIP-98 event has no method tag'),
  method: formatReason('invalid', 'NIP-98 method tag does not match the request method'),
  payload: formatReason('invalid', 'NIP-98 payload tag does not match the SHA-256 of the body'),
  replayed: formatReason('invalid', 'NIP-98 event was already used'),
} as const

export type HttpAuthRefusal = keyof typeof HttpAuthRefusals

export interface HttpAuthRequest {
  /** The absolute URL the server believes was requested (scheme, host, path and query). */
  url: string
  method: string
  /** The exact body bytes (a string is taken as UTF-8); null when there is none. */
  body: Uint8Array | string | null
  /** Server time in seconds. */
  now: number
}

export type HttpAuthCheck =
  | { ok: true; pubkey: string; id: string; event: NostrEvent }
  | { ok: false; reason: HttpAuthRefusal; message: string }

/**
 * Replay guard, asked last and only about an otherwise valid event: true when the id was
 * already used. An implementation may remember the id in the same call (test-and-set);
 * `createdAt` tells it how long the id stays dangerous (until createdAt + the window).
 */
export type SeenAuthId = (id: string, createdAt: number) => boolean

function refuse(reason: HttpAuthRefusal): HttpAuthCheck {
  return { ok: false, reason, message: HttpAuthRefusals[reason] }
}

/** Lowercase hex SHA-256 of a body; null and '' hash the same (empty input). */
export function payloadHash(body: Uint8Array | string | null): string {
  const hash = createHash('sha256')
  if (typeof body === 'string') hash.update(body, 'utf8')
  else if (body !== null) hash.update(body)
  return hash.digest('hex')
}

// Standard alphabet; padding optional but, when present, it must complete the last quantum.
const base64Pattern = /^[A-Za-z0-9+/]*$/

function decodeBase64(token: string): string | null {
  const unpadded = token.replace(/={1,2}$/, '')
  if (unpadded.length === 0 || !base64Pattern.test(unpadded) || unpadded.length % 4 === 1) return null
  if (unpadded.length !== token.length && token.length % 4 !== 0) return null
  return Buffer.from(unpadded, 'base64').toString('utf8')
}

/**
 * Two URLs name the same resource: equal text, or equal once parsed (host case, default
 * port and an empty path are normalised by the WHATWG URL parser). Query order matters.
 */
export function sameRequestUrl(claimed: string, actual: string): boolean {
  if (claimed === actual) return true
  try {
    return new URL(claimed).href === new URL(actual).href
  } catch {
    return false
  }
}

function firstTagValue(event: NostrEvent, name: string): string | undefined {
  const tag = event.tags.find((t) => t[0] === name && t.length >= 2)
  return tag?.[1]
}

/** Checks a caller may leave out: only test relays with deliberate defects do. */
export type SkippableHttpAuthCheck = 'expired' | 'url' | 'method' | 'payload' | 'signature' | 'replayed'

export interface HttpAuthOptions {
  skip?: ReadonlySet<SkippableHttpAuthCheck>
}

/**
 * Verifies a NIP-98 Authorization header for one request. Cheap checks run before the
 * signature; the replay guard runs last so only fully valid ids are remembered.
 *
 * Written by hand on purpose, not as a JSON Schema: the order of the checks and the one
 * refusal each produces (HttpAuthRefusals) are the behaviour under test, test relays skip
 * single checks, and it runs per request on the relay, so a schema validator's error list
 * would be both the wrong answer and the wrong cost.
 */
export function checkHttpAuth(
  header: string | undefined,
  request: HttpAuthRequest,
  seen: SeenAuthId,
  options: HttpAuthOptions = {},
): HttpAuthCheck {
  const checks = (name: SkippableHttpAuthCheck) => options.skip === undefined || !options.skip.has(name)
  if (header === undefined || header.trim() === '') return refuse('missing')
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header.trim())
  // RFC 9110: the scheme is case-insensitive.
  if (!match || match[1]?.toLowerCase() !== HttpAuthScheme.toLowerCase()) return refuse('scheme')
  const json = decodeBase64(match[2] as string)
  if (json === null) return refuse('base64')
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return refuse('json')
  }
  const shape = checkEventShape(parsed)
  if (!shape.ok) return refuse('shape')
  const event = shape.event
  if (event.kind !== HttpAuthKind) return refuse('kind')
  if (checks('expired') && !isWithinWindow(event.created_at, request.now, symmetricWindow(HttpAuthWindowSeconds))) {
    return refuse('expired')
  }
  const url = firstTagValue(event, 'u')
  if (url === undefined) return refuse('noUrl')
  if (checks('url') && !sameRequestUrl(url, request.url)) return refuse('url')
  const method = firstTagValue(event, 'method')
  if (method === undefined) return refuse('noMethod')
  if (checks('method') && method.toUpperCase() !== request.method.toUpperCase()) return refuse('method')
  const payload = firstTagValue(event, 'payload')
  if (checks('payload') && payload !== undefined && payload !== payloadHash(request.body)) return refuse('payload')
  if (!hasValidId(event)) return refuse('id')
  if (checks('signature') && !verifyEventSignature(event)) return refuse('signature')
  if (checks('replayed') && seen(event.id, event.created_at)) return refuse('replayed')
  return { ok: true, pubkey: event.pubkey, id: event.id, event }
}

export interface HttpAuthSpec {
  secretKey: Uint8Array
  url: string
  method: string
  /** The exact body that will be sent; when given (even empty) a `payload` tag is added. */
  body?: Uint8Array | string | null
  /** Seconds; default now. */
  createdAt?: number
  /**
   * Value of a `nonce` tag; default 8 random bytes in hex, null for none. Relays refuse a
   * replayed auth event id, and two identical requests signed in the same second would
   * otherwise share one id, so the second would be refused as a replay.
   */
  nonce?: string | null
}

/** Signs a kind 27235 event for one request. */
export function buildHttpAuthEvent(spec: HttpAuthSpec): NostrEvent {
  const tags = [
    ['u', spec.url],
    ['method', spec.method.toUpperCase()],
  ]
  if (spec.body !== undefined && spec.body !== null) tags.push(['payload', payloadHash(spec.body)])
  const nonce = spec.nonce === undefined ? randomBytes(8).toString('hex') : spec.nonce
  if (nonce !== null) tags.push(['nonce', nonce])
  const created_at = spec.createdAt ?? Math.floor(Date.now() / 1000)
  return finalizeEvent({ kind: HttpAuthKind, created_at, tags, content: '' }, spec.secretKey)
}

/** `Nostr <base64 of the event JSON>`, the value of the Authorization header. */
export function encodeHttpAuthHeader(event: NostrEvent): string {
  return `${HttpAuthScheme} ${Buffer.from(JSON.stringify(event), 'utf8').toString('base64')}`
}

export function buildHttpAuthHeader(spec: HttpAuthSpec): string {
  return encodeHttpAuthHeader(buildHttpAuthEvent(spec))
}

/**
 * The origin relay's bridge authentication (crates/buzz-relay/src/api/bridge.rs,
 * crates/buzz-auth/src/nip98.rs): `Authorization: Nostr <base64>` first, then, when the
 * relay accepts it, an unsigned `X-Pubkey`; every failure is `401` with one of these texts,
 * which carry no machine-readable prefix.
 */
export const OriginHttpAuthTexts = {
  missing: 'missing Nostr auth',
  base64: 'invalid base64 in Nostr auth',
  utf8: 'invalid UTF-8 in Nostr auth',
  json: 'invalid NIP-98 event JSON',
  /** Followed by what failed: kind, signature, time, `u`, `method` or `payload`. */
  verificationFailed: 'NIP-98: NIP-98 HTTP Auth verification failed: ',
  replay: 'NIP-98: replay detected',
  xPubkey: 'invalid X-Pubkey hex',
} as const

/** Seconds the origin relay remembers an accepted auth event id. */
export const OriginReplayMemorySeconds = 120

export interface OriginHttpAuthRequest {
  authorization: string | undefined
  xPubkey: string | undefined
  /** The relay's own URL for the route: its configured URL with ws→http, plus the path. */
  canonicalUrl: string
  method: string
  body: Uint8Array | string | null
  now: number
}

export type OriginHttpAuthCheck = { ok: true; pubkey: string; id: string | null } | { ok: false; message: string }

/** A URL as the origin's NIP-98 check compares it: parsed, localhost read as 127.0.0.1, no trailing `/`. */
function originNormaliseUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text.toLowerCase()
  }
  if (url.hostname === 'localhost' || url.hostname === '[::1]') url.hostname = '127.0.0.1'
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}${url.hash}`
}

const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const hex64Any = /^[0-9a-fA-F]{64}$/

/**
 * Authenticates a bridge request the origin relay's way. `seen` is the replay memory: asked
 * last, about a fully verified id, and expected to remember it (test-and-set).
 */
export function checkHttpAuthOrigin(
  request: OriginHttpAuthRequest,
  seen: SeenAuthId,
  acceptXPubkey: boolean,
  /** Checks left out (test relays with NIP-98 faults only). */
  skip: ReadonlySet<SkippableHttpAuthCheck> = new Set(),
): OriginHttpAuthCheck {
  const fail = (message: string): OriginHttpAuthCheck => ({ ok: false, message })
  const header = request.authorization
  if (header !== undefined && header.startsWith(`${HttpAuthScheme} `)) {
    const token = header.slice(HttpAuthScheme.length + 1)
    if (!strictBase64.test(token)) return fail(OriginHttpAuthTexts.base64)
    const bytes = Buffer.from(token, 'base64')
    let json: string
    try {
      json = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return fail(OriginHttpAuthTexts.utf8)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch {
      return fail(OriginHttpAuthTexts.json)
    }
    const shape = checkEventShape(parsed)
    if (!shape.ok) return fail(OriginHttpAuthTexts.json)
    const event = shape.event
    const failed = (detail: string) => fail(`${OriginHttpAuthTexts.verificationFailed}${detail}`)
    if (event.kind !== HttpAuthKind) return failed(`expected kind ${HttpAuthKind}, got ${event.kind}`)
    if (!skip.has('signature') && (!hasValidId(event) || !verifyEventSignature(event))) return failed('invalid Schnorr signature')
    const delta = Math.abs(request.now - event.created_at)
    if (!skip.has('expired') && delta > HttpAuthWindowSeconds) return failed(`event timestamp outside ±${HttpAuthWindowSeconds}s window (delta: ${delta}s)`)
    const url = firstTagValue(event, 'u')
    if (url === undefined) return failed('missing `u` tag')
    if (!skip.has('url') && originNormaliseUrl(url) !== originNormaliseUrl(request.canonicalUrl)) {
      return failed(`URL mismatch: event has \`${url}\`, expected \`${request.canonicalUrl}\``)
    }
    const method = firstTagValue(event, 'method')
    if (method === undefined) return failed('missing `method` tag')
    if (!skip.has('method') && method.toUpperCase() !== request.method.toUpperCase()) {
      return failed(`method mismatch: event has \`${method}\`, expected \`${request.method}\``)
    }
    const payload = firstTagValue(event, 'payload')
    if (!skip.has('payload') && payload !== undefined && payload !== payloadHash(request.body)) {
      return failed('payload tag SHA-256 mismatch: request body does not match signed hash')
    }
    if (!skip.has('replayed') && seen(event.id, event.created_at)) return fail(OriginHttpAuthTexts.replay)
    return { ok: true, pubkey: event.pubkey, id: event.id }
  }
  if (acceptXPubkey && request.xPubkey !== undefined) {
    if (!hex64Any.test(request.xPubkey)) return fail(OriginHttpAuthTexts.xPubkey)
    return { ok: true, pubkey: request.xPubkey.toLowerCase(), id: null }
  }
  return fail(OriginHttpAuthTexts.missing)
}
