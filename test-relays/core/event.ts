// The NIP-01 event: shape, id and signature.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { schnorr } from '@noble/curves/secp256k1.js'
import { verifyEvent } from 'nostr-tools/pure'

export interface NostrEvent {
  readonly id: string
  readonly pubkey: string
  readonly created_at: number
  readonly kind: number
  readonly tags: readonly (readonly string[])[]
  readonly content: string
  readonly sig: string
}

const hex64 = /^[0-9a-f]{64}$/
const hex128 = /^[0-9a-f]{128}$/

export const isHex64 = (value: unknown): value is string => typeof value === 'string' && hex64.test(value)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The problem with a candidate event's shape, or null when it is a well-formed event. */
export function shapeProblem(raw: unknown): string | null {
  if (!isRecord(raw)) return 'event must be a JSON object'
  if (!isHex64(raw.id)) return 'id must be 64 lowercase hex characters'
  if (!isHex64(raw.pubkey)) return 'pubkey must be 64 lowercase hex characters'
  if (typeof raw.created_at !== 'number' || !Number.isSafeInteger(raw.created_at) || raw.created_at < 0)
    return 'created_at must be a non-negative integer'
  if (typeof raw.kind !== 'number' || !Number.isInteger(raw.kind) || raw.kind < 0 || raw.kind > 65535)
    return 'kind must be an integer between 0 and 65535'
  if (!Array.isArray(raw.tags)) return 'tags must be an array'
  for (const tag of raw.tags) {
    if (!Array.isArray(tag) || tag.length === 0 || !tag.every((item) => typeof item === 'string'))
      return 'each tag must be a non-empty array of strings'
  }
  if (typeof raw.content !== 'string') return 'content must be a string'
  if (typeof raw.sig !== 'string' || !hex128.test(raw.sig)) return 'sig must be 128 lowercase hex characters'
  return null
}

/** The seven NIP-01 fields only, copied into a fresh object. */
export function pickEvent(raw: Record<string, unknown>): NostrEvent {
  return {
    id: raw.id as string,
    pubkey: raw.pubkey as string,
    created_at: raw.created_at as number,
    kind: raw.kind as number,
    tags: (raw.tags as string[][]).map((tag) => [...tag]),
    content: raw.content as string,
    sig: raw.sig as string,
  }
}

export function computeId(event: Omit<NostrEvent, 'id' | 'sig'>): string {
  const serialized = JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content])
  return bytesToHex(sha256(new TextEncoder().encode(serialized)))
}

/**
 * BIP-340 check of `sig` over `id`. nostr-tools caches its verdict on the object it is
 * given, so it always gets a fresh copy of the seven fields.
 */
export function signatureIsValid(event: NostrEvent): boolean {
  const fresh = {
    id: event.id,
    pubkey: event.pubkey,
    created_at: event.created_at,
    kind: event.kind,
    tags: event.tags.map((tag) => [...tag]),
    content: event.content,
    sig: event.sig,
  }
  return verifyEvent(fresh)
}

/** BIP-340 check of `sig` over the id as given, without recomputing it (id-not-verified). */
export function signatureOverGivenIdIsValid(event: NostrEvent): boolean {
  try {
    return schnorr.verify(hexToBytes(event.sig), hexToBytes(event.id), hexToBytes(event.pubkey))
  } catch {
    return false
  }
}

/** The value of the first tag with this name that has a value. */
export function firstTagValue(event: NostrEvent, name: string): string | undefined {
  for (const tag of event.tags) if (tag[0] === name && tag.length > 1) return tag[1]
  return undefined
}
