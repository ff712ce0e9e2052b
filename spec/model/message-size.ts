/**
 * The size of an `["EVENT", event]` message (AP-WRITE-5, section 11.4): what a relay's
 * NIP-11 `limitation.max_message_length` is compared with, in UTF-8 bytes of the JSON text.
 */

import { utf8ByteLength } from './bytes.ts'
import type { NostrEvent } from './event.ts'
import { formatReason } from './reasons.ts'

export function eventMessageByteLength(event: NostrEvent): number {
  return utf8ByteLength(JSON.stringify(['EVENT', event]))
}

/** A writer's refusal of an event whose EVENT message exceeds the relay's advertised limit. */
export function checkEventMessageSize(event: NostrEvent, maxMessageLength: number | undefined): { ok: true } | { ok: false; message: string } {
  if (maxMessageLength === undefined) return { ok: true }
  const bytes = eventMessageByteLength(event)
  if (bytes <= maxMessageLength) return { ok: true }
  return {
    ok: false,
    message: formatReason('blocked', `the EVENT message is ${bytes} bytes; the relay accepts at most ${maxMessageLength} (NIP-11 max_message_length)`),
  }
}
