/**
 * The storage interfaces.
 *
 * - `RelayStore` is what the relay's stages use: an asynchronous `BatchWriter` (one
 *   transaction per batch, decided by storage/batch.ts) and an asynchronous `EventReader`
 *   (queries on a consistent snapshot). A backend implements these two; SQLite runs them in
 *   a writer thread and a pool of reader threads, the memory backend on the main thread.
 * - `EventStore` is one synchronous connection to a backend (the memory store, or one
 *   SQLite connection): what those threads run, and what the storage suite tests.
 *
 * Backends store signed events and answer filters with the exact semantics of spec/model
 * (matchFilterInScope, compareForQuery); they make no policy decisions.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { Precheck } from '../messages.ts'
import type { BatchEffect, BatchNeeds, BatchSnapshot, Decision } from './batch.ts'

/** A stored event as reads return it: the exact JSON text stored, with its sort keys. */
export interface StoredEvent {
  id: string
  created_at: number
  /** JSON of the event, as stored; framed into EVENT messages without parsing. */
  json: string
}

/** A read the relay answers from storage. */
export type StoredQuery =
  /** NIP-01 (REQ): each filter on its own, limited by its `limit`; the union, newest first (ties lowest id first). */
  | { type: 'filters'; filters: readonly Filter[] }
  /** Replies under a root with depth 1..depthLimit matching `conditions`, oldest first (spec/model selectThreadReplies). */
  | { type: 'thread'; query: ThreadQuery; conditions: Filter }
  /** A channel's top-level events matching `conditions`, newest first (spec/model selectTopLevel). */
  | { type: 'top-level'; query: TopLevelQuery; conditions: Filter }

export interface StoredAnswer {
  /**
   * The commit the answer's snapshot includes: every batch with a commit number up to this
   * one is in it, none after. Live events of later commits are not in the answer.
   */
  commit: number
  events: StoredEvent[]
}

export interface CommittedBatch {
  /** The batch's commit number (see StoredAnswer.commit); increases with every batch. */
  commit: number
  /** One per event, in order. */
  decisions: Decision[]
}

export interface BatchWriter {
  /**
   * Decides and stores one batch in one transaction (storage/batch.ts: `batchNeeds`, `decideBatch`) and
   * resolves once it is durable. Rejects when the transaction failed: nothing of the batch
   * is stored then, and every event of it must be answered with `error:`.
   */
  writeBatch(events: readonly NostrEvent[]): Promise<CommittedBatch>
  /**
   * Batches the writer may have outstanding at once (default 1). More than one only where
   * batches are committed in the order they are sent and answered in that order (the SQLite
   * writer thread commits the next batch while the WAL sync of the last one runs).
   */
  readonly depth?: number
}

export interface EventReader {
  /** The events a query selects, on one consistent snapshot. */
  read(query: StoredQuery): Promise<StoredAnswer>
  /** NIP-45: distinct events matching any of the filters; `limit` is ignored. */
  count(filters: readonly Filter[]): Promise<number>
}

/** One backend as the relay's stages see it. */
export interface RelayStore {
  readonly backend: string
  readonly writer: BatchWriter
  readonly reader: EventReader
  /**
   * Only for backends that can read synchronously on the main thread: the answer the writer
   * would give from what is stored, when no event but one of the same author could change
   * it (see Ingester.submitEvent). Null when only a write can tell.
   */
  precheck?(event: NostrEvent): Precheck | null
  /**
   * Only for backends shared by several relay processes (PostgreSQL): the events the others
   * store, for live delivery here. This process's own events reach the monitor from its
   * writer, as with every backend.
   */
  readonly live?: LiveFeed
  /** Finishes what was handed to the writer, then closes every connection and thread. */
  close(): Promise<void>
}

/** Live events stored by other relay processes on the same store. */
export interface LiveFeed {
  /** Delivers to `sink` from now on; events before that are dropped (no subscription exists yet). */
  attach(sink: LiveSink): void
}

export interface LiveSink {
  /** An event another process stored, with its commit number (StoredAnswer.commit's meaning). */
  publish(event: NostrEvent, commit: number): void
  /** Live events were missed and cannot be recovered: every subscription must end with `message`. */
  lost(message: string): void
}

/** One synchronous connection to a backend. */
export interface EventStore {
  readonly backend: 'memory' | 'sqlite'
  /**
   * Runs `fn` so that its writes become durable together, or not at all when it throws
   * (the memory backend cannot roll back; it is for tests). Nested calls join the outer one.
   */
  transaction<T>(fn: () => T): T
  /**
   * Stores an event, with its thread facts when it is a channel message (they live and
   * die with the event); false when its id is already stored.
   */
  insert(event: NostrEvent, thread?: ThreadMeta | null): boolean
  has(id: string): boolean
  get(id: string): NostrEvent | undefined
  /** An event with its thread facts (null when it has none). */
  getThreaded(id: string): ThreadedEvent | undefined
  /** Every stored version of an address (`kind:pubkey:d`), in no particular order. */
  versionsOf(address: string): NostrEvent[]
  /** Removes an event; false when it was not stored. */
  remove(id: string): boolean
  /**
   * Events matching one filter (channel scope applied to `#h`), newest first, ties lowest
   * id first, at most `filter.limit` when it is set.
   */
  query(filter: Filter): NostrEvent[]
  /**
   * Replies under `query.root` with depth 1..depthLimit matching `conditions`, oldest
   * first, at most `query.limit` (Infinity: all): spec/model selectThreadReplies.
   */
  threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[]
  /**
   * The channel's top-level events matching `conditions`, newest first, at most
   * `query.limit` (Infinity: all): spec/model selectTopLevel.
   */
  topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[]
  /** Number of distinct events matching any of the filters; `limit` is ignored. */
  count(filters: readonly Filter[]): number
  /** Number of stored events. */
  size(): number

  /** What a batch needs (storage/batch.ts); call inside `transaction`. */
  loadBatch(needs: BatchNeeds): BatchSnapshot
  /** Applies a batch's effects and counts one more commit; call inside the same `transaction`. */
  applyBatch(effects: readonly BatchEffect[]): void
  /** Number of the last batch applied (0 before any). */
  lastCommit(): number
  /** A read with the stored JSON texts; call inside `snapshot` for a consistent answer. */
  read(query: StoredQuery): StoredEvent[]
  /** Runs reads on one consistent snapshot of the store. */
  snapshot<T>(fn: () => T): T
  close(): void
}
