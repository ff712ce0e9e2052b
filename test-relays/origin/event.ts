// Events as the origin's nostr crate reads them: shape checks at parse time (a malformed event
// never reaches the OK path), id and signature checks later in the pipeline.
import { schnorr } from '@noble/curves/secp256k1.js'
import { getEventHash } from 'nostr-tools/pure'
import { isJsonObject, type JsonValue } from './strict-json.ts'

export interface NostrEvent {
  id: string
  pubkey: string
  created_at: number
  kind: number
  tags: string[][]
  content: string
  sig: string
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

const HEX = /^[0-9a-fA-F]+$/

export function isHex(s: string, length: number): boolean {
  return s.length === length && HEX.test(s)
}

function hexField(obj: Record<string, JsonValue>, key: string, length: number): string {
  const v = obj[key]
  if (typeof v !== 'string' || !isHex(v, length)) throw new Error(`invalid ${key}`)
  return v.toLowerCase()
}

export function parseEvent(raw: JsonValue | undefined): Parsed<NostrEvent> {
  try {
    if (!isJsonObject(raw)) throw new Error('expected an event object')
    const id = hexField(raw, 'id', 64)
    const pubkey = hexField(raw, 'pubkey', 64)
    const sig = hexField(raw, 'sig', 128)
    const createdAt = raw['created_at']
    if (typeof createdAt !== 'number' || !Number.isInteger(createdAt) || createdAt < 0) {
      throw new Error('invalid created_at')
    }
    const kind = raw['kind']
    if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > 0xffff) {
      throw new Error('invalid kind')
    }
    const content = raw['content']
    if (typeof content !== 'string') throw new Error('invalid content')
    const tagsRaw = raw['tags']
    if (!Array.isArray(tagsRaw)) throw new Error('invalid tags')
    const tags: string[][] = []
    for (const tag of tagsRaw) {
      if (!Array.isArray(tag) || tag.length === 0 || !tag.every((x): x is string => typeof x === 'string')) {
        throw new Error('invalid tag')
      }
      tags.push(tag)
    }
    return { ok: true, value: { id, pubkey, created_at: createdAt, kind, tags, content, sig } }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

/** null when id and signature hold, else the origin's verification message (without prefix). */
export function verificationError(event: NostrEvent): string | null {
  const computed = getEventHash(event)
  if (computed !== event.id) return `invalid event id: computed ${computed}, got ${event.id}`
  try {
    if (schnorr.verify(hexToBytes(event.sig), hexToBytes(event.id), hexToBytes(event.pubkey))) return null
  } catch {
    // a pubkey that is not on the curve fails like a bad signature
  }
  return 'invalid schnorr signature'
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** Second element of the first tag named `name` (nostr's `tags.find(kind).content()`). */
export function firstTagValue(event: NostrEvent, name: string): string | undefined {
  return event.tags.find((t) => t[0] === name)?.[1]
}
