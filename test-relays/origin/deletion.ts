// Kind 5 deletions: the author check of crates/buzz-relay/src/handlers/side_effects.rs
// `validate_standard_deletion_event`, the one-target rule of ingest.rs step 12, and the soft
// deletes of `handle_standard_deletion_event` / `handle_a_tag_deletion`. No tombstone is kept.
import type { DefectSet } from './defects.ts'
import { isHex, type NostrEvent } from './event.ts'
import { isAddressableKind, KIND } from './kinds.ts'
import type { Store } from './store.ts'

/** Every 64-hex `e` value, lowercased. */
export function deletionTargetIds(event: NostrEvent): string[] {
  return event.tags.filter((t) => t[0] === 'e' && t.length >= 2 && isHex(t[1] as string, 64)).map((t) => (t[1] as string).toLowerCase())
}

function hasETag(event: NostrEvent): boolean {
  return event.tags.some((t) => t[0] === 'e')
}

/** Rust's `hex::decode`: even length, hex digits only. */
function decodeHex(s: string): string | null {
  return s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s) ? s.toLowerCase() : null
}

/** The author check; returns the refusal (without the `invalid: ` prefix) or null. */
export function deletionAuthorError(event: NostrEvent, store: Store): string | null {
  if (!hasETag(event)) {
    const a = event.tags.find((t) => t[0] === 'a')?.[1]
    if (a === undefined) return 'missing e or a tag for target'
    const parts = a.split(':')
    if (parts.length < 2) return 'invalid a-tag format'
    const pubkey = decodeHex(parts[1] as string)
    if (pubkey === null) return 'invalid pubkey in a-tag'
    return pubkey === event.pubkey ? null : 'must be event author'
  }
  for (const id of deletionTargetIds(event)) {
    const target = store.getIncludingDeleted(id)
    if (!target) return 'target event not found'
    if (target.event.pubkey !== event.pubkey) return 'must be event author'
  }
  return null
}

/** Step 12, shared with kind 9005; returns the full refusal text or null. */
export function singleTargetError(event: NostrEvent): string | null {
  const e = event.tags.filter((t) => t[0] === 'e').length
  const a = event.tags.filter((t) => t[0] === 'a').length
  return e + a === 1 ? null : `invalid: deletion events must reference exactly one target via e or a tag (got e=${e}, a=${a})`
}

export interface Tombstones {
  /** address → created_at of the deletion (kept only by the `deletion-tombstone` defect). */
  readonly byAddress: Map<string, number>
}

export function addressKey(kind: number, pubkey: string, d: string): string {
  return `${kind}:${pubkey}:${d}`
}

/** Soft-deletes what a stored deletion names. */
export function applyDeletion(event: NostrEvent, store: Store, defects: DefectSet, tombstones: Tombstones): void {
  if (!hasETag(event)) {
    const a = event.tags.find((t) => t[0] === 'a')?.[1]
    if (a === undefined) return
    const first = a.indexOf(':')
    const second = first < 0 ? -1 : a.indexOf(':', first + 1)
    if (second < 0) return
    const kindText = a.slice(0, first)
    const pubkey = decodeHex(a.slice(first + 1, second))
    const d = a.slice(second + 1)
    if (!/^\+?\d+$/.test(kindText) || pubkey === null) return
    const kind = Number(kindText)
    if (!isAddressableKind(kind)) return
    store.softDeleteWhere((s) => s.event.kind === kind && s.event.pubkey === pubkey && s.dTag === d)
    if (defects.has('deletion-tombstone')) tombstones.byAddress.set(addressKey(kind, pubkey, d), event.created_at)
    return
  }
  for (const id of deletionTargetIds(event)) {
    const target = store.getLive(id)
    if (!target) continue
    target.deleted = true
    if (target.event.kind === KIND.reaction) store.removeReactionEvent(target.event)
  }
}
