/**
 * NIP-42 on the client's side of one connection: remember the relay's challenge, and when
 * the relay refuses with `auth-required:` answer it once with the owner key. The relay may
 * allow one AUTH per connection (the origin does), so a failed AUTH is not tried again.
 * Kept apart from the frame handling so that a shared NIP-01 driver can take it over.
 */

import type WebSocket from 'ws'
import { nowSeconds } from '../../spec/model/clock.ts'
import { buildRelayAuthEvent } from '../../spec/model/relay-auth.ts'
import type { PublishOutcome } from './relay-types.ts'

export interface RelayAuth {
  /** Parses a frame, notes an AUTH challenge; returns the frame as an array, or null when it is not one. */
  observe(data: WebSocket.RawData): unknown[] | null
  /** Answers the last challenge once; true when the relay accepted it (now or before). */
  authenticate(send: (id: string, frame: unknown[]) => Promise<PublishOutcome>): Promise<boolean>
}

export function createRelayAuth(relayUrl: string, secretKey: Uint8Array | undefined, clock: () => number = Date.now): RelayAuth {
  let challenge: string | null = null
  let attempt: Promise<boolean> | null = null
  return {
    observe(data) {
      let frame: unknown
      try {
        frame = JSON.parse(data.toString())
      } catch {
        return null
      }
      if (!Array.isArray(frame) || typeof frame[0] !== 'string') return null
      if (frame[0] === 'AUTH' && typeof frame[1] === 'string') challenge = frame[1]
      return frame
    },

    authenticate(send) {
      if (attempt !== null) return attempt
      if (secretKey === undefined || challenge === null) return Promise.resolve(false)
      const event = buildRelayAuthEvent({ secretKey, relayUrl, challenge, createdAt: nowSeconds(clock) })
      attempt = send(event.id, ['AUTH', event]).then((outcome) => outcome.status === 'accepted')
      return attempt
    },
  }
}
