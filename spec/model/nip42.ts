/**
 * NIP-42 authentication as the origin relay applies it on every WebSocket connection
 * (crates/buzz-relay/src/handlers/{auth,event,req,count}.rs, crates/buzz-auth/src/nip42.rs):
 * a challenge on connect, one AUTH per connection, EVENT/REQ/COUNT only after it, and each
 * EVENT signed by the authenticated key. The texts are the origin's.
 */

import { randomBytes } from 'node:crypto'
import { isWithinWindow, symmetricWindow } from './clock.ts'
import { hasValidId, type NostrEvent, verifyEventSignature } from './event.ts'

export const AuthEventKind = 22242
export const GiftWrapKind = 1059
/** Seconds either side of the relay's clock an AUTH event may be signed at. */
export const AuthWindowSeconds = 60

export const AuthTexts = {
  verificationFailed: 'auth-required: verification failed',
  alreadyAuthenticated: 'auth-required: already authenticated',
  alreadyFailed: 'auth-required: authentication already failed',
  /** OK false of an EVENT, CLOSED of a REQ or COUNT, before authentication. */
  notAuthenticated: 'auth-required: not authenticated',
  /** NOTICE sent before the CLOSED of a REQ that comes before authentication. */
  reqNotice: 'auth-required: authenticate before subscribing',
  pubkeyMismatch: 'invalid: event pubkey does not match authenticated identity',
  authAsEvent: 'invalid: AUTH events cannot be submitted via EVENT',
} as const

/** A fresh challenge: 32 random bytes in hex. */
export function newChallenge(): string {
  return randomBytes(32).toString('hex')
}

/**
 * A relay URL as the origin compares it: parsed, `localhost` and `[::1]` read as
 * `127.0.0.1`, a trailing `/` of the path dropped. Text that does not parse stays as it is.
 */
export function normaliseRelayUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text
  }
  if (url.hostname === 'localhost' || url.hostname === '[::1]') url.hostname = '127.0.0.1'
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${path}${url.search}${url.hash}`
}

function firstTagValue(event: NostrEvent, name: string): string | undefined {
  return event.tags.find((t) => t[0] === name && t.length >= 2)?.[1]
}

/** Whether an AUTH event answers `challenge` for the relay at `relayUrl` at time `now`. */
export function verifyAuthEvent(event: NostrEvent, challenge: string, relayUrl: string, now: number): boolean {
  if (event.kind !== AuthEventKind || !hasValidId(event) || !verifyEventSignature(event)) return false
  if (firstTagValue(event, 'challenge') !== challenge) return false
  const relay = firstTagValue(event, 'relay')
  if (relay === undefined || normaliseRelayUrl(relay) !== normaliseRelayUrl(relayUrl)) return false
  return isWithinWindow(event.created_at, now, symmetricWindow(AuthWindowSeconds))
}

/** An EVENT's pubkey must be the connection's key; only gift wraps are signed by others. */
export function mayWriteAs(event: Pick<NostrEvent, 'kind' | 'pubkey'>, authenticated: string): boolean {
  return event.pubkey === authenticated || event.kind === GiftWrapKind
}
