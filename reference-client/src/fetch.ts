/**
 * Reading personas from a relay: one address, or every persona of an author. Nothing a
 * relay sends is trusted: each event is checked (shape, id, signature, kind, envelope,
 * author, the filters asked) before it counts, and every event that fails is returned as
 * rejected with the reason, never used.
 */

import { deletionTargets, isDeletedBy } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilters } from '../../spec/model/filter.ts'
import { dTagOf, formatAddress, selectHead, selectHeads } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import type { RelayClient } from './relay-types.ts'
import { checkPersonaEvent, checkSignedEvent } from './verify.ts'

export function personaFilter(pubkey: string, slug?: string): Filter {
  return slug === undefined ? { kinds: [PersonaKind], authors: [pubkey] } : { kinds: [PersonaKind], authors: [pubkey], '#d': [slug] }
}

/**
 * NIP-09 deletions of this author's personas: every deletion marked `["k","30175"]` (which
 * finds deletions by `e` tag too), and for one slug also those naming its address.
 */
export function personaDeletionFilters(pubkey: string, slug?: string): Filter[] {
  const byKind: Filter = { kinds: [DeletionKind], authors: [pubkey], '#k': [String(PersonaKind)] }
  return slug === undefined ? [byKind] : [{ kinds: [DeletionKind], authors: [pubkey], '#a': [formatAddress(PersonaKind, pubkey, slug)] }, byKind]
}

/** An event a relay sent that the client did not use, and why. */
export interface RejectedEvent {
  id: string | null
  pubkey: string | null
  kind: number | null
  reason: string
}

function rejectedOf(value: unknown, reason: string): RejectedEvent {
  const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  return {
    id: typeof fields.id === 'string' ? fields.id : null,
    pubkey: typeof fields.pubkey === 'string' ? fields.pubkey : null,
    kind: typeof fields.kind === 'number' ? fields.kind : null,
    reason,
  }
}

export type PersonaEvents =
  | { ok: true; heads: NostrEvent[]; deletions: NostrEvent[]; rejected: RejectedEvent[] }
  | { ok: false; message: string }

/**
 * Queries personas and their deletions, keeps only verified events of the author asked for
 * that match the filters sent, and reduces the personas to one head per address (relays
 * SHOULD send only the head; a client picks it from whatever arrives).
 */
export async function fetchPersonaEvents(relay: RelayClient, pubkey: string, slug?: string): Promise<PersonaEvents> {
  const personaFilters = [personaFilter(pubkey, slug)]
  const deletionFilters = personaDeletionFilters(pubkey, slug)
  const answer = await relay.query([...personaFilters, ...deletionFilters])
  if (!answer.ok) return answer
  const personas: NostrEvent[] = []
  const deletions: NostrEvent[] = []
  const rejected: RejectedEvent[] = []
  for (const value of answer.events) {
    const kind = (value as { kind?: unknown } | null)?.kind
    const checked = kind === DeletionKind ? checkSignedEvent(value) : checkPersonaEvent(value)
    if (!checked.ok) {
      rejected.push(rejectedOf(value, checked.message))
      continue
    }
    const event = checked.event
    if (event.pubkey !== pubkey) rejected.push(rejectedOf(event, formatReason('invalid', `event by ${event.pubkey}, not the author asked for (${pubkey})`)))
    else if (matchFilters(personaFilters, event)) personas.push(event)
    else if (matchFilters(deletionFilters, event)) deletions.push(event)
    else rejected.push(rejectedOf(event, formatReason('invalid', `the relay sent ${event.id}, which matches no filter asked`)))
  }
  return { ok: true, heads: selectHeads(personas), deletions, rejected }
}

export type PersonaFetch =
  | { status: 'found'; event: NostrEvent }
  | { status: 'deleted'; deletion: NostrEvent }
  | { status: 'missing' }
  | { status: 'failed'; message: string }

export async function fetchPersona(relay: RelayClient, pubkey: string, slug: string): Promise<PersonaFetch> {
  const answer = await fetchPersonaEvents(relay, pubkey, slug)
  if (!answer.ok) return { status: 'failed', message: answer.message }
  const head = answer.heads.find((event) => dTagOf(event) === slug)
  const covering = head === undefined ? [] : answer.deletions.filter((d) => isDeletedBy(head, d))
  if (head !== undefined && covering.length === 0) return { status: 'found', event: head }
  const naming = answer.deletions.filter((d) => deletionTargets(d).addresses.some((a) => a.kind === PersonaKind && a.pubkey === pubkey && a.d === slug))
  const deletion = selectHead(covering.length > 0 ? covering : naming)
  return deletion === undefined ? { status: 'missing' } : { status: 'deleted', deletion }
}

/** Live heads of an author's personas, deleted ones left out. */
export async function listPersonas(relay: RelayClient, pubkey: string): Promise<{ ok: true; events: NostrEvent[] } | { ok: false; message: string }> {
  const answer = await fetchPersonaEvents(relay, pubkey)
  if (!answer.ok) return answer
  const live = answer.heads.filter((head) => !answer.deletions.some((d) => isDeletedBy(head, d)))
  return { ok: true, events: live.sort((a, b) => dTagOf(a).localeCompare(dTagOf(b))) }
}
