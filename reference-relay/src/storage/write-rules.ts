/**
 * The stateful rules a batch of writes is decided by (storage/batch.ts), gathered in one
 * object. The relay runs SpecWriteRules: spec/model's functions, unchanged. Tests and the
 * kill table bend single rules by passing another object (reference-relay/test-support);
 * the decision code itself has no test switches.
 */

import { checkDeletionTargetAuthors } from '../../../spec/model/deletion-authority.ts'
import { isDeletedBy } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { supersedes } from '../../../spec/model/head.ts'
import { placeChannelMessage, type ThreadPlacement } from '../../../spec/model/thread-ingest.ts'
import type { ThreadedEvent } from '../../../spec/model/thread-query.ts'

export type RuleVerdict = { ok: true } | { ok: false; message: string }

export interface WriteRules {
  /** Whether `candidate` replaces `head` as the head of their address. */
  supersedes(candidate: NostrEvent, head: NostrEvent): boolean
  /** Whether a stored deletion covers an incoming event (it is then refused as blocked). */
  blocks(deletion: NostrEvent, incoming: NostrEvent): boolean
  /** Whether an incoming deletion removes a stored event. */
  removes(deletion: NostrEvent, stored: NostrEvent): boolean
  /** Whether a deletion may name the `e` targets the store holds (all of its own author). */
  checkDeletionTargets(deletion: NostrEvent, held: readonly NostrEvent[]): RuleVerdict
  /** Thread placement of a channel message against stored events (NIP-10 markers). */
  place(event: NostrEvent, findStored: (id: string) => ThreadedEvent | undefined): ThreadPlacement
}

export const SpecWriteRules: WriteRules = {
  supersedes: (candidate, head) => supersedes(candidate, head),
  blocks: (deletion, incoming) => isDeletedBy(incoming, deletion),
  removes: (deletion, stored) => isDeletedBy(stored, deletion),
  checkDeletionTargets: (deletion, held) => checkDeletionTargetAuthors(deletion, held),
  place: (event, findStored) => placeChannelMessage(event, findStored),
}
