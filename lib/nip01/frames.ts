/**
 * NIP-01 frames as they cross the wire: a JSON array led by a string. Parsing happens once,
 * here; everything else works on the parsed array.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import { type ReasonPrefix, reasonPrefixOf } from '../../spec/model/reasons.ts'

/** A frame as received: a parsed JSON array whose first element is a string. */
export type Frame = unknown[]

export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; problem: string }

/** Parses one text frame; says what is wrong when it is not a NIP-01 frame. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, problem: 'a frame that is not JSON' }
  }
  if (!Array.isArray(value) || typeof value[0] !== 'string') return { ok: false, problem: 'a frame that is not a NIP-01 array' }
  return { ok: true, frame: value }
}

/** The relay's answer to an EVENT (or a client AUTH): `["OK", id, accepted, message]`. */
export interface OkReply {
  id: string
  accepted: boolean
  message: string
  /** The standardized prefix of the message (`invalid`, `duplicate`, `auth-required`, ...), or null. */
  prefix: ReasonPrefix | null
  frame: Frame
}

export function okReplyOf(id: string, frame: Frame): OkReply {
  const message = typeof frame[3] === 'string' ? frame[3] : ''
  return { id, accepted: frame[2] === true, message, prefix: reasonPrefixOf(message), frame }
}

/** Stored events of a REQ, ended by EOSE or by CLOSED. */
export interface QueryReply {
  events: NostrEvent[]
  /** True when the relay ended the stored events with EOSE. */
  eose: boolean
  /** The CLOSED message when the relay refused or ended the subscription. */
  closed?: string
}

/** NIP-45: a number, or the CLOSED that refused the COUNT. */
export type CountReply = { ok: true; count: number; frame: Frame } | { ok: false; closed: string; frame: Frame }

export const isOkFor = (id: string) => (frame: Frame) => frame[0] === 'OK' && frame[1] === id
