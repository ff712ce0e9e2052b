/**
 * NIP-42 relay authentication as the origin relay applies it (ORIGIN-RELAY.md §1): the relay
 * sends `["AUTH", challenge]`; the client answers `["AUTH", event]` with a kind 22242 event
 * whose `challenge` tag equals the challenge and whose `relay` tag names the relay, signed
 * within ±60 s of the relay's clock. Failures are all answered `auth-required: verification
 * failed`; the reason is kept apart so tests and logs can say which check failed. Clients
 * build the answer with lib/nip01/auth.ts; this file is the relay's side of the rule.
 */

import { randomBytes } from 'node:crypto'
import { isWithinWindow, symmetricWindow } from './clock.ts'
import { checkEventShape, hasValidId, type NostrEvent, verifyEventSignature } from './event.ts'
import { RelayAuthKind } from './kinds.ts'
import { formatReason } from './reasons.ts'

/** Seconds either side of the relay clock an AUTH event may be signed at (inclusive). */
export const RelayAuthWindowSeconds = 60

/** The origin relay's texts for the AUTH exchange and for what it refuses before one. */
export const RelayAuthMessages = {
  notAuthenticated: formatReason('auth-required', 'not authenticated'),
  beforeSubscribing: formatReason('auth-required', 'authenticate before subscribing'),
  verificationFailed: formatReason('auth-required', 'verification failed'),
  alreadyAuthenticated: formatReason('auth-required', 'already authenticated'),
  alreadyFailed: formatReason('auth-required', 'authentication already failed'),
  pubkeyMismatch: formatReason('invalid', 'event pubkey does not match authenticated identity'),
  authAsEvent: formatReason('invalid', 'AUTH events cannot be submitted via EVENT'),
} as const

/** Kind 1059 gift wraps are signed by throwaway keys: the one kind exempt from the key binding. */
export const GiftWrapKind = 1059

/** Whether an EVENT may be written on a connection authenticated as `authenticated`. */
export function mayWriteAs(event: Pick<NostrEvent, 'kind' | 'pubkey'>, authenticated: string): boolean {
  return event.pubkey === authenticated || event.kind === GiftWrapKind
}

/** A fresh challenge: 32 random bytes in hex, as the origin sends. */
export function newChallenge(): string {
  return randomBytes(32).toString('hex')
}

export type RelayAuthFailure = 'shape' | 'kind' | 'id' | 'signature' | 'challenge' | 'relay' | 'expired'

export type RelayAuthCheck = { ok: true; pubkey: string } | { ok: false; reason: RelayAuthFailure; message: string }

/**
 * The relay URL as the origin compares it: `localhost` and `::1` read as `127.0.0.1`, and
 * trailing slashes of the path are dropped (so `ws://h:1` and `ws://h:1/` are equal).
 * A value that does not parse is compared as written.
 */
export function normalizeRelayUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url
  }
  if (parsed.hostname === 'localhost' || parsed.hostname === '[::1]') parsed.hostname = '127.0.0.1'
  parsed.pathname = parsed.pathname.replace(/\/+$/, '')
  return parsed.href
}

function firstTagValue(event: NostrEvent, name: string): string | undefined {
  return event.tags.find((tag) => tag[0] === name && tag.length >= 2)?.[1]
}

export interface RelayAuthExpectation {
  challenge: string
  /** The URL the relay believes it serves. */
  relayUrl: string
  /** Relay time in seconds. */
  now: number
}

/** Verifies an AUTH answer: shape, kind, challenge, relay, time, then id and signature. */
export function checkRelayAuthEvent(value: unknown, expected: RelayAuthExpectation): RelayAuthCheck {
  const refuse = (reason: RelayAuthFailure): RelayAuthCheck => ({ ok: false, reason, message: RelayAuthMessages.verificationFailed })
  const shape = checkEventShape(value)
  if (!shape.ok) return refuse('shape')
  const event = shape.event
  if (event.kind !== RelayAuthKind) return refuse('kind')
  if (firstTagValue(event, 'challenge') !== expected.challenge) return refuse('challenge')
  const relay = firstTagValue(event, 'relay')
  if (relay === undefined || normalizeRelayUrl(relay) !== normalizeRelayUrl(expected.relayUrl)) return refuse('relay')
  if (!isWithinWindow(event.created_at, expected.now, symmetricWindow(RelayAuthWindowSeconds))) return refuse('expired')
  if (!hasValidId(event)) return refuse('id')
  if (!verifyEventSignature(event)) return refuse('signature')
  return { ok: true, pubkey: event.pubkey }
}
