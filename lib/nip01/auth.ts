/**
 * NIP-42 on the client side: the challenge a relay sends (`["AUTH", <challenge>]`) and the
 * kind 22242 event that answers it (`["AUTH", <signed event>]`). The connection keeps the
 * latest challenge and sends the answer (Nip01Connection.authenticate); this file only
 * builds and reads the messages.
 */

import { finalizeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Frame } from './frames.ts'

export const AuthEventKind = 22242

/** The challenge of a relay's `["AUTH", <challenge>]`, or undefined for any other frame. */
export function challengeOf(frame: Frame): string | undefined {
  return frame[0] === 'AUTH' && typeof frame[1] === 'string' ? frame[1] : undefined
}

export interface AuthEventInput {
  secretKey: Uint8Array
  challenge: string
  /** The relay URL for the `relay` tag: the URL the client connected to, as given. */
  relayUrl: string
  /** Seconds; default: now. */
  createdAt?: number
}

/** The canonical NIP-42 authentication event: kind 22242 with `relay` and `challenge` tags. */
export function makeAuthEvent(input: AuthEventInput): NostrEvent {
  return finalizeEvent(
    {
      kind: AuthEventKind,
      created_at: input.createdAt ?? Math.floor(Date.now() / 1000),
      tags: [
        ['relay', input.relayUrl],
        ['challenge', input.challenge],
      ],
      content: '',
    },
    input.secretKey,
  ) as NostrEvent
}
