/**
 * The bridge's backend over the relay's own stages: events go through the ingester (the
 * same pipeline as a WebSocket EVENT), reads through the relay's reader (with SQLite, the
 * reader threads), plain filters clamped exactly as a REQ's, so both doors give the same
 * answers.
 */

import type { Filter } from '../../../spec/model/filter.ts'
import type { Ingester } from '../ingester.ts'
import { clampFilters } from '../req-worker.ts'
import type { EventReader, StoredEvent } from '../storage/event-store.ts'
import type { BridgeBackend, SubmitOutcome } from './bridge.ts'
import type { QueryPart } from './query-plan.ts'

export interface RelayBackendDeps {
  ingester: Pick<Ingester, 'submitEvent'>
  reader: EventReader
  maxLimit: number
}

export function createRelayBackend(deps: RelayBackendDeps): BridgeBackend {
  const { ingester, reader, maxLimit } = deps
  const events = async (query: Parameters<EventReader['read']>[0]): Promise<StoredEvent[]> => (await reader.read(query)).events
  return {
    submitEvent: (event, _requester) =>
      new Promise<SubmitOutcome>((resolve) => {
        ingester.submitEvent(event, resolve)
      }),
    query: (filters: Filter[]) => events({ type: 'filters', filters: clampFilters(filters, maxLimit) }),
    threadReplies: (query, conditions) => events({ type: 'thread', query, conditions }),
    topLevel: (query, conditions) => events({ type: 'top-level', query, conditions }),
    count: (filters) => reader.count(filters),
    matchingIds: async (part: QueryPart) => {
      const found =
        part.type === 'filter'
          ? await events({ type: 'filters', filters: [part.filter] })
          : await events(part.type === 'thread' ? { type: 'thread', query: part.query, conditions: part.conditions } : { type: 'top-level', query: part.query, conditions: part.conditions })
      return found.map((event) => event.id)
    },
  }
}
