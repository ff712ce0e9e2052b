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

/** The origin relay's refusal texts for kind 5 (crates/buzz-relay/src/handlers/side_effects.rs, ingest.rs). */
export const OriginDeletionRefusals = {
  missingTarget: 'invalid: missing e or a tag for target',
  badAddress: 'invalid: invalid a-tag format',
  badAddressPubkey: 'invalid: invalid pubkey in a-tag',
  notAuthor: ForeignDeletionRefusal,
  targetMissing: 'invalid: target event not found',
} as const

/** The origin's refusal of a deletion that names no single target, with the counts it saw. */
export function originTargetCountRefusal(eCount: number, aCount: number): string {
  return `invalid: deletion events must reference exactly one target via e or a tag (got e=${eCount}, a=${aCount})`
}

const anyCaseHex64 = /^[0-9a-fA-F]{64}$/
const evenHex = /^(?:[0-9a-fA-F]{2})*$/

/**
 * A deletion checked the origin relay's way: first the targets and their author (with `e`
 * tags, every 64-hex `e` value must name an event the relay holds, deleted or not, by the
 * signer; without, the first `a` tag must name the signer), then exactly one target, every
 * `e` and `a` tag counted. `heldAuthor` answers the author of a held event id (lowercase), or
 * undefined when the relay never held it.
 */
export function checkDeletionOrigin(
  deletion: Pick<NostrEvent, 'pubkey' | 'tags'>,
  heldAuthor: (id: string) => string | undefined,
): { ok: true } | { ok: false; message: string } {
  const eTags = deletion.tags.filter((t) => t[0] === 'e')
  const aTags = deletion.tags.filter((t) => t[0] === 'a')
  if (eTags.length === 0) {
    const address = aTags[0]?.[1]
    if (address === undefined) return { ok: false, message: OriginDeletionRefusals.missingTarget }
    const parts = address.split(':')
    if (parts.length < 2) return { ok: false, message: OriginDeletionRefusals.badAddress }
    const pubkey = parts[1] as string
    if (!evenHex.test(pubkey)) return { ok: false, message: OriginDeletionRefusals.badAddressPubkey }
    if (pubkey.toLowerCase() !== deletion.pubkey) return { ok: false, message: OriginDeletionRefusals.notAuthor }
  } else {
    for (const tag of eTags) {
      const id = tag[1]
      if (id === undefined || !anyCaseHex64.test(id)) continue
      const author = heldAuthor(id.toLowerCase())
      if (author === undefined) return { ok: false, message: OriginDeletionRefusals.targetMissing }
      if (author !== deletion.pubkey) return { ok: false, message: OriginDeletionRefusals.notAuthor }
    }
  }
  if (eTags.length + aTags.length !== 1) return { ok: false, message: originTargetCountRefusal(eTags.length, aTags.length) }
  return { ok: true }
}
