/**
 * Keys and slugs of a case. Everything a case generates derives from the run's seed, the
 * case id and the scope (a scenario case, or one input of a property case), so a run with
 * the same seed makes the same keys, slugs and event bodies; a replay reproduces them.
 * Keys a user gives (`--key`, `--key-file`) for relays with an allowlist are drawn in order
 * instead, when the relay makes events travel on a connection authenticated as their author.
 */

import { randomBytes } from 'node:crypto'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { decode } from 'nostr-tools/nip19'
import { getPublicKey } from 'nostr-tools/pure'
import { isValidSlug } from '../../spec/model/slug.ts'

export interface KeyPair {
  secretKey: Uint8Array
  pubkey: string
}

export function keyPairOf(secretKey: Uint8Array): KeyPair {
  return { secretKey, pubkey: getPublicKey(secretKey) }
}

const encoder = new TextEncoder()

/** 32 bytes from a labelled list of parts (unambiguous: each part is length-prefixed). */
function digest(label: string, parts: readonly (string | number)[]): Uint8Array {
  const text = [label, ...parts.map(String)].map((part) => `${part.length}:${part}`).join('')
  return sha256(encoder.encode(text))
}

/** A secret key derived from `parts`; rehashed in the (2^-128) case that it is not a valid scalar. */
export function deriveKeyPair(parts: readonly (string | number)[]): KeyPair {
  let material = digest('nip-ap-conformance/key/v1', parts)
  for (;;) {
    try {
      return keyPairOf(material)
    } catch {
      material = sha256(material)
    }
  }
}

/** `<prefix>-<12 hex>` from `parts`; the prefix is cut so the slug stays within the grammar. */
export function deriveSlug(prefix: string, parts: readonly (string | number)[]): string {
  const slug = `${prefix.slice(0, 48)}-${bytesToHex(digest('nip-ap-conformance/slug/v1', parts)).slice(0, 12)}`
  if (!isValidSlug(slug)) throw new Error(`slug prefix ${JSON.stringify(prefix)} does not make a valid slug`)
  return slug
}

/** Where a case's keys and slugs come from: the seed, the case id and its scope. */
export interface IdentityScope {
  seed: number
  caseId: string
  /** `case` for a scenario case; for a property case, the input and how often it ran before. */
  scope: string
}

/**
 * The keys and slugs of one scope, numbered in the order the case asks for them. With
 * `userKeys`, keys are those, in order, and running out is reported (null), never padded.
 */
export class Identities {
  private keyCount = 0
  private slugCount = 0

  constructor(
    private readonly scope: IdentityScope,
    private readonly userKeys: readonly KeyPair[] = [],
  ) {}

  /** The next key pair, or null when the user's keys are used up. */
  nextKey(): KeyPair | null {
    const n = this.keyCount
    this.keyCount += 1
    if (this.userKeys.length > 0) return this.userKeys[n] ?? null
    return deriveKeyPair([this.scope.seed, this.scope.caseId, this.scope.scope, n])
  }

  nextSlug(prefix: string): string {
    const n = this.slugCount
    this.slugCount += 1
    return deriveSlug(prefix, [this.scope.seed, this.scope.caseId, this.scope.scope, n])
  }
}

/** A key pair from nobody's seed: for the probe and fixtures, which need no replay. */
export function freshKeys(): KeyPair {
  return deriveKeyPair([randomBytes(32).toString('hex')])
}

/** A slug nobody else uses (probe and fixtures): `<prefix>-<12 hex>`. */
export function uniqueSlug(prefix = 'case'): string {
  return deriveSlug(prefix, [randomBytes(16).toString('hex')])
}

const hex64 = /^[0-9a-fA-F]{64}$/

/**
 * A secret key from `--key` or a key file line: 64 hex characters or `nsec1...`. The error
 * never repeats the text (it is a secret).
 */
export function parseSecretKey(text: string, where: string): { ok: true; key: KeyPair } | { ok: false; message: string } {
  const trimmed = text.trim()
  let secretKey: Uint8Array
  if (hex64.test(trimmed)) {
    secretKey = hexToBytes(trimmed.toLowerCase())
  } else if (trimmed.startsWith('nsec1')) {
    try {
      const decoded = decode(trimmed)
      if (decoded.type !== 'nsec') return { ok: false, message: `error: ${where} is not an nsec key` }
      secretKey = decoded.data
    } catch {
      return { ok: false, message: `error: ${where} does not decode as nsec` }
    }
  } else {
    return { ok: false, message: `error: ${where} is not a secret key (64 hex characters or nsec1...)` }
  }
  try {
    return { ok: true, key: keyPairOf(secretKey) }
  } catch {
    return { ok: false, message: `error: ${where} is not a valid secp256k1 secret key` }
  }
}
