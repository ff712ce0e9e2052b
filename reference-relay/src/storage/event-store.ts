/**
 * The one storage interface. Backends store signed events and answer filters with the
 * exact semantics of spec/model (matchFilterInScope, compareForQuery); they make no
 * policy decisions (replacement and deletion live in the writer).
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'

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
  close(): void
}
