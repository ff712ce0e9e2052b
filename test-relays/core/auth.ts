// NIP-42: checking a client's AUTH event against the challenge of its connection.
import { randomBytes } from 'node:crypto'
import { computeId, firstTagValue, pickEvent, shapeProblem, signatureIsValid, type NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'
import { authKind } from './kinds.ts'
import { authWindowSeconds } from './settings.ts'

export const newChallenge = (): string => randomBytes(16).toString('hex')

export type AuthCheck = { ok: true; event: NostrEvent } | { ok: false; text: string }

/**
 * `host` is the Host header the client connected with; the `relay` tag must name the
 * same host ("just checking if the domain name is correct should be enough").
 */
export function checkAuthEvent(raw: unknown, challenge: string, host: string, now: number, faults: Faults): AuthCheck {
  const problem = shapeProblem(raw)
  if (problem !== null) return { ok: false, text: problem }
  const event = pickEvent(raw as Record<string, unknown>)
  if (computeId(event) !== event.id) return { ok: false, text: 'event id does not match its content' }
  if (!signatureIsValid(event)) return { ok: false, text: 'signature is not valid' }
  if (event.kind !== authKind) return { ok: false, text: `AUTH needs a kind ${authKind} event` }
  if (!faults.has('auth-stale-accepted') && Math.abs(event.created_at - now) > authWindowSeconds)
    return { ok: false, text: `AUTH event created_at is more than ${authWindowSeconds} s from now` }
  if (!faults.has('auth-any-challenge') && firstTagValue(event, 'challenge') !== challenge)
    return { ok: false, text: 'challenge tag does not match the challenge of this connection' }
  const relay = firstTagValue(event, 'relay')
  if (relay === undefined || !sameHost(relay, host)) return { ok: false, text: 'relay tag does not name this relay' }
  return { ok: true, event }
}

function sameHost(relayUrl: string, host: string): boolean {
  try {
    const url = new URL(relayUrl)
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return false
    const wanted = new URL(`ws://${host}`).hostname
    return url.hostname.toLowerCase() === wanted.toLowerCase()
  } catch {
    return false
  }
}
