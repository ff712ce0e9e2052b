/** Reading helpers every backend shares. */

import type { NostrEvent } from '../../../spec/model/event.ts'
import { compareForQuery } from '../../../spec/model/filter.ts'
import type { StoredEvent } from './event-store.ts'

/** NIP-01's answer to several filters: the union without duplicates, newest first, ties lowest id first. */
export function unionNewestFirst(answers: Iterable<readonly StoredEvent[]>): StoredEvent[] {
  const chosen = new Map<string, StoredEvent>()
  for (const answer of answers) for (const event of answer) chosen.set(event.id, event)
  return [...chosen.values()].sort(compareForQuery)
}

export function storedEventOf(event: NostrEvent): StoredEvent {
  return { id: event.id, created_at: event.created_at, json: JSON.stringify(event) }
}

export function parseStored(stored: StoredEvent): NostrEvent {
  return JSON.parse(stored.json) as NostrEvent
}
