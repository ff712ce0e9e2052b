// NIP-01 kind ranges, and the address a replaceable or addressable event lives at.
import { firstTagValue, type NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'

export type KindClass = 'regular' | 'replaceable' | 'ephemeral' | 'addressable'

export const deletionKind = 5
export const authKind = 22242
export const personaKind = 30175

export function kindClass(kind: number, faults: Faults): KindClass {
  if (kind === 0 || kind === 3) return faults.has('replaceable-0-3-regular') ? 'regular' : 'replaceable'
  if (kind >= 10000 && kind < 20000) return 'replaceable'
  if (kind >= 20000 && kind < 30000) return faults.has('ephemeral-stored') ? 'regular' : 'ephemeral'
  if (kind >= 30000 && kind < 40000) return 'addressable'
  return 'regular'
}

/** `kind:pubkey:d` for addressable events, `kind:pubkey:` for replaceable ones. */
export function addressKey(kind: number, pubkey: string, d: string, faults: Faults): string {
  if (kind >= 30000 && kind < 40000) {
    if (faults.has('cross-kind-replace')) return `*:${pubkey}:${d}`
    if (faults.has('cross-author-replace')) return `${kind}:*:${d}`
  }
  return `${kind}:${pubkey}:${d}`
}

/** The address of a replaceable or addressable event, or null for other kinds. */
export function addressOf(event: NostrEvent, faults: Faults): string | null {
  const kinds = kindClass(event.kind, faults)
  if (kinds === 'replaceable') return addressKey(event.kind, event.pubkey, '', faults)
  if (kinds === 'addressable') return addressKey(event.kind, event.pubkey, firstTagValue(event, 'd') ?? '', faults)
  return null
}
