/**
 * The stateful rules a batch of writes is decided by (storage/batch.ts), gathered in one
 * object. The relay runs SpecWriteRules, or OriginWriteRules in origin mode: spec/model's
 * functions, unchanged, on every backend. Tests and the kill table bend single rules by
 * passing another object (reference-relay/test-support); the decision code itself has no
 * test switches.
 */

import { checkDeletionTargetAuthors } from '../../../spec/model/deletion-authority.ts'
import { checkDeletionOrigin, isDeletedBy } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { supersedes } from '../../../spec/model/head.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
import { placeChannelMessage, placeChannelMessageOrigin, type ThreadPlacement } from '../../../spec/model/thread-ingest.ts'
import type { ThreadedEvent } from '../../../spec/model/thread-query.ts'

export type RuleVerdict = { ok: true } | { ok: false; message: string }

export interface WriteRules {
  /** Whether `candidate` replaces `head` as the head of their address. */
  supersedes(candidate: NostrEvent, head: NostrEvent): boolean
  /** Whether a stored deletion covers an incoming event (it is then refused as blocked). */
  blocks(deletion: NostrEvent, incoming: NostrEvent): boolean
  /** Whether an incoming deletion removes a stored event. */
  removes(deletion: NostrEvent, stored: NostrEvent): boolean
  /**
   * Whether a deletion may name the `e` targets the store holds (all of its own author): the
   * stored ones and, where `keepsRemoved`, the removed ones it remembers.
   */
  checkDeletionTargets(deletion: NostrEvent, held: readonly HeldEvent[]): RuleVerdict
  /** Thread placement of a channel message against stored events (NIP-10 markers). */
  place(event: NostrEvent, findStored: (id: string) => ThreadedEvent | undefined): ThreadPlacement
  /** The answers to writes that store nothing without being refused as invalid. */
  answers: WriteAnswers
  /**
   * The store remembers the id and author of every event it removes (a superseded version, a
   * deleted event) and the decisions count such an id as held, as the origin relay's soft
   * deletion does: sent again it is a duplicate, and a deletion may name it (removing nothing).
   * Reads never see removed events either way.
   */
  keepsRemoved: boolean
}

/** A held event as the deletion checks see it: stored, or removed and remembered. */
export type HeldEvent = Pick<NostrEvent, 'id' | 'pubkey'>

export interface WriteAnswers {
  /** An event the store holds (OK true). */
  alreadyHave: string
  /** A version that loses to the stored head (OK true). */
  stale(event: NostrEvent, head: NostrEvent): string
  /** An event a stored deletion covers: never stored again. */
  deletedResend: { accepted: boolean; message: string }
}

export const AlreadyHave = formatReason('duplicate', 'already have this event')
export const DeletedByAuthor = formatReason('blocked', 'this event was deleted by its author')

export function staleText(event: NostrEvent, head: NostrEvent): string {
  return formatReason(
    'duplicate',
    event.created_at === head.created_at
      ? 'a version with the same created_at and a lower id is already stored'
      : 'a newer version of this address is already stored',
  )
}

export const SpecWriteRules: WriteRules = {
  supersedes: (candidate, head) => supersedes(candidate, head),
  blocks: (deletion, incoming) => isDeletedBy(incoming, deletion),
  removes: (deletion, stored) => isDeletedBy(stored, deletion),
  checkDeletionTargets: (deletion, held) => checkDeletionTargetAuthors(deletion, held),
  place: (event, findStored) => placeChannelMessage(event, findStored),
  answers: { alreadyHave: AlreadyHave, stale: staleText, deletedResend: { accepted: false, message: DeletedByAuthor } },
  keepsRemoved: false,
}

/** The origin relay's answer to every write that stores nothing: exactly `duplicate:` (AP-RELAY-7, AP-RELAY-11). */
const OriginDuplicate = 'duplicate:'

/**
 * The origin relay's rules (spec sections 15-17, the relay's origin mode): deletions checked
 * target by target then counted (exactly one), NIP-10 read its way in UUID channels,
 * `duplicate:` with nothing after the colon for held, stale and deleted events, and removed
 * events remembered. The origin soft-deletes a superseded version and a deleted event
 * (`deleted_at`: crates/buzz-db/src/lib.rs replace_parameterized_event,
 * crates/buzz-db/src/event.rs soft_delete_event_and_update_thread); its deletion check looks
 * targets up deleted ones included (crates/buzz-relay/src/handlers/side_effects.rs
 * validate_standard_deletion_event), and its insert of an id it has is a no-op answered
 * `duplicate:` (ON CONFLICT DO NOTHING; crates/buzz-relay/src/handlers/ingest.rs).
 */
export const OriginWriteRules: WriteRules = {
  ...SpecWriteRules,
  checkDeletionTargets: (deletion, held) => checkDeletionOrigin(deletion, (id) => held.find((event) => event.id === id)?.pubkey),
  place: (event, findStored) => placeChannelMessageOrigin(event, findStored),
  answers: { alreadyHave: OriginDuplicate, stale: () => OriginDuplicate, deletedResend: { accepted: true, message: OriginDuplicate } },
  keepsRemoved: true,
}

/**
 * The relay's rule sets by name. A name, not the object, crosses to the SQLite writer thread
 * (functions cannot).
 */
export const NamedWriteRules = { spec: SpecWriteRules, origin: OriginWriteRules } as const satisfies Record<string, WriteRules>

export type WriteRulesName = keyof typeof NamedWriteRules
