/** NIP-09 deletion as it applies to personas (AP-DEL-*). */

import type { NostrEvent } from './event.ts'
import { DeletionKind } from './kinds.ts'
import { addressOf, parseAddress, type ParsedAddress } from './head.ts'

export interface DeletionTargets {
  ids: string[]
  addresses: ParsedAddress[]
}

export function deletionTargets(event: Pick<NostrEvent, 'tags'>): DeletionTargets {
  const ids: string[] = []
  const addresses: ParsedAddress[] = []
  for (const tag of event.tags) {
    if (tag[0] === 'e' && typeof tag[1] === 'string' && /^[0-9a-f]{64}$/.test(tag[1])) ids.push(tag[1])
    if (tag[0] === 'a' && typeof tag[1] === 'string') {
      const parsed = parseAddress(tag[1])
      if (parsed) addresses.push(parsed)
    }
  }
  return { ids, addresses }
}

export const ForeignDeletionRefusal = 'invalid: must be event author'

/** A deletion may only name addresses of its own author (origin message for a foreign one). */
export function checkDeletionAuthor(deletion: Pick<NostrEvent, 'pubkey' | 'tags'>): { ok: true } | { ok: false; message: string } {
  for (const target of deletionTargets(deletion).addresses) {
    if (target.pubkey !== deletion.pubkey) return { ok: false, message: ForeignDeletionRefusal }
  }
  return { ok: true }
}

/**
 * True when `deletion` removes `event`: same author, and either names its id, or names its
 * address with created_at at or before the deletion's (NIP-09). A later version is untouched:
 * that is resurrection.
 */
export function isDeletedBy(event: NostrEvent, deletion: NostrEvent): boolean {
  if (deletion.kind !== DeletionKind || deletion.pubkey !== event.pubkey) return false
  if (event.kind === DeletionKind) return false
  const targets = deletionTargets(deletion)
  if (targets.ids.includes(event.id)) return true
  const address = addressOf(event)
  if (address === null) return false
  return targets.addresses.some(
    (target) =>
      `${target.kind}:${target.pubkey}:${target.d}` === address && event.created_at <= deletion.created_at,
  )
}

/** Tags of a persona deletion: the `a` address and the `k` kind, as writers SHOULD emit. */
export function personaDeletionTags(pubkey: string, slug: string, kind = 30175): string[][] {
  return [
    ['a', `${kind}:${pubkey}:${slug}`],
    ['k', String(kind)],
  ]
}
