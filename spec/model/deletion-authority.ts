/**
 * NIP-09 authority over `e` targets (AP-DEL-*): a deletion may only name events of its own
 * author. checkDeletionAuthor (deletion.ts) covers `a` addresses statelessly; `e` ids need the
 * targets the relay holds, so this check takes them as input.
 */

import { ForeignDeletionRefusal } from './deletion.ts'
import type { NostrEvent } from './event.ts'

export function checkDeletionTargetAuthors(
  deletion: Pick<NostrEvent, 'pubkey'>,
  heldTargets: readonly Pick<NostrEvent, 'pubkey'>[],
): { ok: true } | { ok: false; message: string } {
  for (const target of heldTargets) {
    if (target.pubkey !== deletion.pubkey) return { ok: false, message: ForeignDeletionRefusal }
  }
  return { ok: true }
}
