/** The owner key: one secret key in PERSONA_HOME/key, hex, mode 0600. */

import { existsSync } from 'node:fs'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { decode, npubEncode } from 'nostr-tools/nip19'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { readTextFile, writePrivateFile } from './home.ts'

export interface OwnerKey {
  secretKey: Uint8Array
  pubkey: string
  npub: string
}

export type KeyParse = { ok: true; key: OwnerKey } | { ok: false; message: string }
export type KeyLoad = KeyParse | { ok: false; missing: true; message: string }

export function ownerKeyOf(secretKey: Uint8Array): OwnerKey {
  const pubkey = getPublicKey(secretKey)
  return { secretKey, pubkey, npub: npubEncode(pubkey) }
}

export function generateOwnerKey(): OwnerKey {
  return ownerKeyOf(generateSecretKey())
}

const hex64 = /^[0-9a-fA-F]{64}$/

/** Accepts a 64-hex secret or an `nsec1...` string; surrounding whitespace is ignored. */
export function parseSecretKey(text: string): KeyParse {
  const trimmed = text.trim()
  let secretKey: Uint8Array
  if (hex64.test(trimmed)) {
    secretKey = hexToBytes(trimmed.toLowerCase())
  } else if (trimmed.startsWith('nsec1')) {
    try {
      const decoded = decode(trimmed)
      if (decoded.type !== 'nsec') return { ok: false, message: 'invalid: not an nsec key' }
      secretKey = decoded.data
    } catch {
      return { ok: false, message: 'invalid: nsec key does not decode' }
    }
  } else {
    return { ok: false, message: 'invalid: a secret key is 64 hex characters or an nsec1... string' }
  }
  try {
    return { ok: true, key: ownerKeyOf(secretKey) }
  } catch {
    return { ok: false, message: 'invalid: secret key is not a valid secp256k1 scalar' }
  }
}

/** Accepts a 64-hex public key or an `npub1...` string. */
export function parsePubkey(text: string): { ok: true; pubkey: string } | { ok: false; message: string } {
  const trimmed = text.trim()
  if (/^[0-9a-f]{64}$/.test(trimmed)) return { ok: true, pubkey: trimmed }
  if (trimmed.startsWith('npub1')) {
    try {
      const decoded = decode(trimmed)
      if (decoded.type === 'npub') return { ok: true, pubkey: decoded.data }
    } catch {
      // falls through to the refusal below
    }
  }
  return { ok: false, message: 'invalid: an author is 64 lowercase hex characters or an npub1... string' }
}

export function loadOwnerKey(keyFile: string): KeyLoad {
  const text = readTextFile(keyFile)
  if (text === undefined) {
    return { ok: false, missing: true, message: `error: no owner key at ${keyFile}; run \`persona key generate\` or \`persona key import\`` }
  }
  const parsed = parseSecretKey(text)
  if (!parsed.ok) return { ok: false, message: `error: key file ${keyFile} is unreadable (${parsed.message})` }
  return parsed
}

export function hasOwnerKey(keyFile: string): boolean {
  return existsSync(keyFile)
}

export function saveOwnerKey(keyFile: string, key: OwnerKey): void {
  writePrivateFile(keyFile, `${bytesToHex(key.secretKey)}\n`)
}
