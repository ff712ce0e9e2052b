/** Building and publishing a persona version by the spec's write rule. */

import { type ClockWindow, nextWriteTimestamp } from '../../spec/model/clock.ts'
import { checkWritableContent } from '../../spec/model/content.ts'
import { personaTags } from '../../spec/model/envelope.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { checkSlug } from '../../spec/model/slug.ts'
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure'
import { fetchPersona } from './fetch.ts'
import type { PublishOutcome, RelayClient } from './relay-types.ts'

export interface PersonaWrite {
  secretKey: Uint8Array
  slug: string
  /** The body the caller wants published; checked, normalized and re-serialized here. */
  body: Record<string, unknown>
  /** Unix seconds. */
  now: number
  /** created_at of the newest known version or deletion of this address (T). */
  lastCreatedAt?: number
  /** The relay's clock window, when known (NIP-11). */
  window?: ClockWindow
  /** Add the NIP-31 alt tag. */
  alt?: boolean
}

export type BuildResult = { ok: true; event: NostrEvent } | { ok: false; message: string }

/** Slug check, body check (required fields, no env_vars, <= 65,535 bytes), created_at = max(now, T+1), sign. */
export function buildPersonaEvent(write: PersonaWrite): BuildResult {
  const slug = checkSlug(write.slug)
  if (!slug.ok) return { ok: false, message: slug.message }
  const body = checkWritableContent(write.body)
  if (!body.ok) return body
  const timestamp = nextWriteTimestamp(write.now, write.lastCreatedAt, write.window)
  if (!timestamp.ok) return timestamp
  const event = finalizeEvent(
    { kind: PersonaKind, created_at: timestamp.created_at, tags: personaTags(write.slug, { alt: write.alt }), content: body.serialized },
    write.secretKey,
  )
  return { ok: true, event }
}

export type PersonaPublish = { event: NostrEvent; outcome: PublishOutcome } | { event: null; outcome: { status: 'refused' | 'failed'; message: string } }

/**
 * The whole write against one relay, with no local store: read the relay's head for T,
 * build, sign, publish.
 */
export async function publishPersona(relay: RelayClient, write: Omit<PersonaWrite, 'lastCreatedAt'>): Promise<PersonaPublish> {
  const current = await fetchPersona(relay, getPublicKey(write.secretKey), write.slug)
  if (current.status === 'failed') return { event: null, outcome: { status: 'failed', message: current.message } }
  const lastCreatedAt =
    current.status === 'found' ? current.event.created_at : current.status === 'deleted' ? current.deletion.created_at : undefined
  const built = buildPersonaEvent({ ...write, lastCreatedAt })
  if (!built.ok) return { event: null, outcome: { status: 'refused', message: built.message } }
  return { event: built.event, outcome: await relay.publish(built.event) }
}
