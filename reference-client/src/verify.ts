/** Checks an event read from disk or from a relay before anything trusts it. */

import { checkPersonaEnvelope } from '../../spec/model/envelope.ts'
import { checkEventShape, hasValidId, type NostrEvent, verifyEventSignature } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

export type EventCheck = { ok: true; event: NostrEvent } | { ok: false; message: string }

/** Shape, id and BIP-340 signature. */
export function checkSignedEvent(value: unknown): EventCheck {
  const shape = checkEventShape(value)
  if (!shape.ok) return shape
  if (!hasValidId(shape.event)) return { ok: false, message: 'invalid: event id does not match its fields' }
  if (!verifyEventSignature(shape.event)) return { ok: false, message: 'invalid: event signature does not verify' }
  return shape
}

/** A signed kind 30175 event with a valid envelope (exactly one grammatical `d` tag). */
export function checkPersonaEvent(value: unknown): EventCheck {
  const signed = checkSignedEvent(value)
  if (!signed.ok) return signed
  if (signed.event.kind !== PersonaKind) return { ok: false, message: `invalid: expected kind ${PersonaKind}, got ${signed.event.kind}` }
  const envelope = checkPersonaEnvelope(signed.event.tags)
  if (!envelope.ok) return envelope
  return signed
}

export function parseStoredEvent(raw: string, check: (value: unknown) => EventCheck): EventCheck {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { ok: false, message: 'invalid: stored event is not JSON' }
  }
  return check(value)
}
