/**
 * Deterministic BIP-340 signing for vectors only: aux randomness fixed at 32 zero bytes so
 * anyone can reproduce the signatures. Live code signs with nostr-tools' finalizeEvent.
 */

import { schnorr } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { getEventHash, getPublicKey } from 'nostr-tools/pure'
import type { NostrEvent, UnsignedEvent } from '../model/event.ts'

const zeroAux = new Uint8Array(32)

export function vectorPublicKey(secretKeyHex: string): string {
  return getPublicKey(hexToBytes(secretKeyHex))
}

export function signDeterministically(draft: Omit<UnsignedEvent, 'pubkey'>, secretKeyHex: string): NostrEvent {
  const pubkey = vectorPublicKey(secretKeyHex)
  const unsigned: UnsignedEvent = { ...draft, pubkey }
  const id = getEventHash(unsigned)
  const sig = bytesToHex(schnorr.sign(hexToBytes(id), hexToBytes(secretKeyHex), zeroAux))
  return { id, ...unsigned, sig }
}
