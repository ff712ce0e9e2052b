/** NIP-09 deletion of a persona address, carrying the `a` and `k` tags. */

import { type ClockWindow, nextWriteTimestamp } from '../../spec/model/clock.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { checkSlug } from '../../spec/model/slug.ts'
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure'
import type { BuildResult } from './publish.ts'

export interface PersonaDeletionWrite {
  secretKey: Uint8Array
  slug: string
  now: number
  /** created_at of the head being deleted; the deletion must not be older than it. */
  lastCreatedAt?: number
  window?: ClockWindow
  reason?: string
}

/**
 * An `a` deletion removes versions up to its own created_at, so it is stamped like a new
 * version (max(now, T+1)): it always covers the current head, and the window rule applies.
 */
export function buildPersonaDeletion(write: PersonaDeletionWrite): BuildResult {
  const slug = checkSlug(write.slug)
  if (!slug.ok) return { ok: false, message: slug.message }
  const timestamp = nextWriteTimestamp(write.now, write.lastCreatedAt, write.window)
  if (!timestamp.ok) return timestamp
  const event: NostrEvent = finalizeEvent(
    {
      kind: DeletionKind,
      created_at: timestamp.created_at,
      tags: personaDeletionTags(getPublicKey(write.secretKey), write.slug, PersonaKind),
      content: write.reason ?? '',
    },
    write.secretKey,
  )
  return { ok: true, event }
}
