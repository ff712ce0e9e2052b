// NIP-42 AUTH verification (crates/buzz-auth/src/nip42.rs `verify_nip42_event`): kind 22242,
// id and signature, `challenge` and `relay` tags, created_at within ±60 s.
import type { DefectSet } from './defects.ts'
import { firstTagValue, verificationError, type NostrEvent } from './event.ts'
import { KIND } from './kinds.ts'
import { AUTH_WINDOW_SECONDS } from './limits.ts'
import { normalizeRelayUrl } from './url.ts'

export function authEventValid(event: NostrEvent, challenge: string, relayUrl: string, now: number, defects: DefectSet): boolean {
  if (event.kind !== KIND.auth) return false
  if (verificationError(event) !== null) return false
  if (firstTagValue(event, 'challenge') !== challenge) return false
  const relay = firstTagValue(event, 'relay')
  if (relay === undefined) return false
  const sameRelay = defects.has('auth-relay-tag-strict') ? relay === relayUrl : normalizeRelayUrl(relay) === normalizeRelayUrl(relayUrl)
  if (!sameRelay) return false
  return Math.abs(now - event.created_at) <= AUTH_WINDOW_SECONDS
}
