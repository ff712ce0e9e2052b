/** Reading personas from a relay: one address, or every persona of an author. */

import { isDeletedBy } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilters } from '../../spec/model/filter.ts'
import { dTagOf, formatAddress, selectHeads } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import type { RelayClient } from './relay-types.ts'
import { checkPersonaEvent, checkSignedEvent } from './verify.ts'

export function personaFilter(pubkey: string, slug?: string): Filter {
  return slug === undefined ? { kinds: [PersonaKind], authors: [pubkey] } : { kinds: [PersonaKind], authors: [pubkey], '#d': [slug] }
}

/** NIP-09 deletions of this author's personas: by address when one slug is asked, else by `k`. */
export function personaDeletionFilter(pubkey: string, slug?: string): Filter {
  return slug === undefined
    ? { kinds: [DeletionKind], authors: [pubkey], '#k': [String(PersonaKind)] }
    : { kinds: [DeletionKind], authors: [pubkey], '#a': [formatAddress(PersonaKind, pubkey, slug)] }
}

export type PersonaEvents =
  | { ok: true; heads: NostrEvent[]; deletions: NostrEvent[]; rejected: string[] }
  | { ok: false; message: string }

/**
 * Queries personas and their deletions, keeps only verified events that match what was
 * asked, and reduces the personas to one head per address (relays SHOULD send only the
 * head; a client picks it from whatever arrives).
 */
export async function fetchPersonaEvents(relay: RelayClient, pubkey: string, slug?: string): Promise<PersonaEvents> {
  const personaFilters = [personaFilter(pubkey, slug)]
  const deletionFilters = [personaDeletionFilter(pubkey, slug)]
  const answer = await relay.query([...personaFilters, ...deletionFilters])
  if (!answer.ok) return answer
  const personas: NostrEvent[] = []
  const deletions: NostrEvent[] = []
  const rejected: string[] = []
  for (const value of answer.events) {
    const kind = (value as { kind?: unknown } | null)?.kind
    const checked = kind === DeletionKind ? checkSignedEvent(value) : checkPersonaEvent(value)
    if (!checked.ok) {
      rejected.push(checked.message)
      continue
    }
    if (matchFilters(personaFilters, checked.event)) personas.push(checked.event)
    else if (matchFilters(deletionFilters, checked.event)) deletions.push(checked.event)
    else rejected.push(`invalid: relay sent ${checked.event.id}, which matches no filter asked`)
  }
  return { ok: true, heads: selectHeads(personas), deletions, rejected }
}

export type PersonaFetch =
  | { status: 'found'; event: NostrEvent }
  | { status: 'deleted'; deletion: NostrEvent }
  | { status: 'missing' }
  | { status: 'failed'; message: string }

function latestDeletion(deletions: readonly NostrEvent[]): NostrEvent | undefined {
  return deletions.reduce<NostrEvent | undefined>((latest, d) => (latest === undefined || d.created_at > latest.created_at ? d : latest), undefined)
}

export async function fetchPersona(relay: RelayClient, pubkey: string, slug: string): Promise<PersonaFetch> {
  const answer = await fetchPersonaEvents(relay, pubkey, slug)
  if (!answer.ok) return { status: 'failed', message: answer.message }
  const head = answer.heads[0]
  if (head !== undefined && !answer.deletions.some((d) => isDeletedBy(head, d))) return { status: 'found', event: head }
  const deletion = latestDeletion(answer.deletions)
  return deletion === undefined ? { status: 'missing' } : { status: 'deleted', deletion }
}

/** Live heads of an author's personas, deleted ones left out. */
export async function listPersonas(relay: RelayClient, pubkey: string): Promise<{ ok: true; events: NostrEvent[] } | { ok: false; message: string }> {
  const answer = await fetchPersonaEvents(relay, pubkey)
  if (!answer.ok) return answer
  const live = answer.heads.filter((head) => !answer.deletions.some((d) => isDeletedBy(head, d)))
  return { ok: true, events: live.sort((a, b) => dTagOf(a).localeCompare(dTagOf(b))) }
}
