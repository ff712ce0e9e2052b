/**
 * One connection to a backend, asynchronously: the EventStore operations as promises, plus
 * a whole batch and a read with its commit number. The PostgreSQL store is asynchronous by
 * nature; the synchronous stores (memory, SQLite) take this shape through `asyncStore`, so
 * the storage suite (event-store.test.ts) is one suite for all three.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import { type BatchPlan, writeBatchSync } from './batch.ts'
import type { CommittedBatch, EventStore, StoredAnswer, StoredQuery } from './event-store.ts'
import { SpecWriteRules, type WriteRules } from './write-rules.ts'

/** The EventStore operations every backend answers the same way. */
type Shared = 'insert' | 'has' | 'get' | 'getThreaded' | 'versionsOf' | 'remove' | 'query' | 'threadReplies' | 'topLevel' | 'count' | 'size' | 'lastCommit'

export type AsyncEventStore = {
  [K in Shared]: (...args: Parameters<EventStore[K]>) => Promise<ReturnType<EventStore[K]>>
} & {
  readonly backend: string
  /** Decides and applies one batch in one transaction (storage/batch.ts). */
  writeBatch(events: readonly NostrEvent[], rules?: WriteRules): Promise<CommittedBatch & BatchPlan>
  /** A read on one snapshot, with the commit that snapshot includes. */
  read(query: StoredQuery): Promise<StoredAnswer>
  close(): Promise<void>
}

/** A synchronous store in the asynchronous shape (each call answered at once). */
export function asyncStore(store: EventStore): AsyncEventStore {
  return {
    backend: store.backend,
    insert: async (event, thread) => store.insert(event, thread),
    has: async (id) => store.has(id),
    get: async (id) => store.get(id),
    getThreaded: async (id) => store.getThreaded(id),
    versionsOf: async (address) => store.versionsOf(address),
    remove: async (id) => store.remove(id),
    query: async (filter) => store.query(filter),
    threadReplies: async (query, conditions) => store.threadReplies(query, conditions),
    topLevel: async (query, conditions) => store.topLevel(query, conditions),
    count: async (filters) => store.count(filters),
    size: async () => store.size(),
    lastCommit: async () => store.lastCommit(),
    writeBatch: async (events, rules = SpecWriteRules) => writeBatchSync(store, events, rules),
    read: async (query) => store.snapshot(() => ({ commit: store.lastCommit(), events: store.read(query) })),
    close: async () => store.close(),
  }
}
