/**
 * Answers to the origin relay's two thread reads (AP-THREAD-*), as pure functions over
 * stored events and their thread facts. Storage backends must give the same answers;
 * the shared storage suite checks them against these.
 */

import { compareForQuery, type Filter } from './filter.ts'
import type { NostrEvent } from './event.ts'
import { matchFilterInScope } from './scope.ts'
import { isTopLevel, type ThreadQuery, type TopLevelQuery } from './thread.ts'

/** Thread facts stored with a channel message when it is accepted. */
export interface ThreadMeta {
  /** The thread's root id; a root's own id for a root. */
  root: string
  /** The direct parent, null for a root. */
  parent: string | null
  depth: number
  broadcast: boolean
}

export interface ThreadedEvent {
  event: NostrEvent
  /** null: not a channel message (no thread facts); it counts as a root for top-level reads. */
  thread: ThreadMeta | null
}

/** Oldest first, equal created_at lowest id first: the reading order of a thread. */
export function compareOldestFirst(a: NostrEvent, b: NostrEvent): number {
  if (a.created_at !== b.created_at) return a.created_at - b.created_at
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * The filter conditions that still apply beside a thread query: everything except the
 * `#e` root, `depth_limit` and `limit`, which the thread query itself interprets.
 */
export function threadConditions(filter: Filter & Record<string, unknown>): Filter {
  const { '#e': _root, depth_limit: _depth, limit: _limit, ...rest } = filter
  return rest as Filter
}

/** The conditions beside a top-level read: everything except `top_level` and `limit` (`#h` stays). */
export function topLevelConditions(filter: Filter & Record<string, unknown>): Filter {
  const { top_level: _topLevel, limit: _limit, ...rest } = filter
  return rest as Filter
}

/**
 * Replies under `query.root` with 1 <= depth <= depth_limit (never the root itself) that
 * also match `conditions`, oldest first, at most `query.limit`.
 */
export function selectThreadReplies(entries: Iterable<ThreadedEvent>, query: ThreadQuery, conditions: Filter): NostrEvent[] {
  const hits: NostrEvent[] = []
  for (const { event, thread } of entries) {
    if (thread === null || thread.root !== query.root) continue
    if (thread.depth < 1 || thread.depth > query.depthLimit) continue
    if (matchFilterInScope(conditions, event)) hits.push(event)
  }
  return hits.sort(compareOldestFirst).slice(0, query.limit)
}

/**
 * A channel's top-level messages (not a reply, or a depth-1 broadcast reply) matching
 * `conditions` (which carry the `#h` channel), newest first, at most `query.limit`.
 */
export function selectTopLevel(entries: Iterable<ThreadedEvent>, query: TopLevelQuery, conditions: Filter): NostrEvent[] {
  const scoped: Filter = { ...conditions, '#h': [query.channel] }
  const hits: NostrEvent[] = []
  for (const { event, thread } of entries) {
    if (thread !== null && !isTopLevel(thread.depth, thread.broadcast)) continue
    if (matchFilterInScope(scoped, event)) hits.push(event)
  }
  return hits.sort(compareForQuery).slice(0, query.limit)
}

/**
 * The origin relay's thread answer (crates/buzz-db/src/thread.rs): replies recorded under
 * `query.root` with 1 <= depth <= depth_limit, nothing else of the filter applied, the
 * `query.limit` with the smallest created_at kept. The origin promises no order; these come
 * oldest first.
 */
export function selectThreadRepliesOrigin(entries: Iterable<ThreadedEvent>, query: ThreadQuery): NostrEvent[] {
  const hits: NostrEvent[] = []
  for (const { event, thread } of entries) {
    if (thread === null || thread.root !== query.root) continue
    if (thread.depth >= 1 && thread.depth <= query.depthLimit) hits.push(event)
  }
  return hits.sort(compareOldestFirst).slice(0, query.limit)
}
