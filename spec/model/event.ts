/** NIP-01 event shape. Ids and signatures are computed by nostr-tools, never by hand. */

import { getEventHash, verifyEvent } from 'nostr-tools/pure'

export type Tag = string[]

export interface NostrEvent {
  id: string
  pubkey: string
  created_at: number
  kind: number
  tags: Tag[]
  content: string
  sig: string
}

export type UnsignedEvent = Omit<NostrEvent, 'id' | 'sig'>

export type ShapeCheck = { ok: true; event: NostrEvent } | { ok: false; message: string }

const hex64 = /^[0-9a-f]{64}$/
const hex128 = /^[0-9a-f]{128}$/

export function isHex64(value: unknown): value is string {
  return typeof value === 'string' && hex64.test(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Checks the seven NIP-01 fields and their types. Extra fields are tolerated (NIP-01 does
 * not forbid them) but dropped from the returned event so they never reach storage.
 * Hand-written rather than a JSON Schema: it runs on every EVENT, stops at the first
 * problem and names it in the relay's `invalid:` answer.
 */
export function checkEventShape(value: unknown): ShapeCheck {
  if (!isRecord(value)) return { ok: false, message: 'invalid: event must be a JSON object' }
  const { id, pubkey, created_at, kind, tags, content, sig } = value
  if (!isHex64(id)) return { ok: false, message: 'invalid: id must be 64 lowercase hex characters' }
  if (!isHex64(pubkey)) return { ok: false, message: 'invalid: pubkey must be 64 lowercase hex characters' }
  if (typeof sig !== 'string' || !hex128.test(sig)) {
    return { ok: false, message: 'invalid: sig must be 128 lowercase hex characters' }
  }
  if (typeof created_at !== 'number' || !Number.isSafeInteger(created_at) || created_at < 0) {
    return { ok: false, message: 'invalid: created_at must be a non-negative integer' }
  }
  if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > 65535) {
    return { ok: false, message: 'invalid: kind must be an integer between 0 and 65535' }
  }
  if (typeof content !== 'string') return { ok: false, message: 'invalid: content must be a string' }
  if (!Array.isArray(tags)) return { ok: false, message: 'invalid: tags must be an array' }
  for (const tag of tags) {
    if (!Array.isArray(tag) || !tag.every((item) => typeof item === 'string')) {
      return { ok: false, message: 'invalid: every tag must be an array of strings' }
    }
  }
  return {
    ok: true,
    event: { id, pubkey, created_at, kind, tags: tags as Tag[], content, sig },
  }
}

/** True when `event.id` is the NIP-01 hash of its fields. */
export function hasValidId(event: NostrEvent): boolean {
  return getEventHash(event) === event.id
}

/**
 * Full local verification (id and BIP-340 signature) with nostr-tools' pure-JS backend.
 * The relay may verify faster elsewhere; this is the reference answer.
 */
export function verifyEventSignature(event: NostrEvent): boolean {
  // verifyEvent trusts a cached verdict stored under a symbol key, and object spread copies
  // symbol keys, so a tampered copy of a signed object would pass. Rebuild from the seven
  // fields so only the fields are judged and the caller's object is never mutated.
  const { id, pubkey, created_at, kind, tags, content, sig } = event
  return verifyEvent({ id, pubkey, created_at, kind, tags: tags.map((t) => [...t]), content, sig })
}

export function tagValues(event: Pick<NostrEvent, 'tags'>, name: string): string[] {
  const values: string[] = []
  for (const tag of event.tags) {
    if (tag[0] === name && tag.length >= 2) values.push(tag[1] as string)
  }
  return values
}
