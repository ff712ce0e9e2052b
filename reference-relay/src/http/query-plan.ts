/**
 * How one POST /query or /count is answered (spec section 16.1 and 16.2, AP-HTTP-3/4).
 *
 * Each filter is a part:
 * - a thread filter (`depth_limit` + one 64-hex `#e`): replies under that root, oldest first;
 * - a top-level filter (`top_level: true` + one `#h`): the channel's top-level feed, newest first;
 * - any other filter: NIP-01, exactly as a REQ answers it.
 * When every part is a plain filter the answer is the REQ answer: the union, newest first.
 * Otherwise it is each part's answer in request order, an event that already appeared left
 * out of later parts. /count counts the distinct events /query would return with every
 * `limit` removed. A filter that is both a thread and a top-level filter is a thread filter.
 */

import type { Filter } from '../../../spec/model/filter.ts'
import { threadConditions, topLevelConditions } from '../../../spec/model/thread-query.ts'
import { type ThreadQuery, threadQueryOf, type TopLevelQuery, topLevelQueryOf } from '../../../spec/model/thread.ts'

export type QueryPart =
  | { type: 'filter'; filter: Filter }
  /** `conditions`: the rest of the filter, still applied beside the thread query. */
  | { type: 'thread'; query: ThreadQuery; conditions: Filter }
  | { type: 'top-level'; query: TopLevelQuery; conditions: Filter }

export function planPart(filter: Filter & Record<string, unknown>): QueryPart {
  const thread = threadQueryOf(filter)
  if (thread !== null) return { type: 'thread', query: thread, conditions: threadConditions(filter) }
  const topLevel = topLevelQueryOf(filter)
  if (topLevel !== null) return { type: 'top-level', query: topLevel, conditions: topLevelConditions(filter) }
  return { type: 'filter', filter }
}

export function planQuery(filters: ReadonlyArray<Filter & Record<string, unknown>>): QueryPart[] {
  return filters.map(planPart)
}

/** True when no part uses a thread extension: the request is a plain NIP-01 query. */
export function isPlainQuery(parts: readonly QueryPart[]): parts is Array<{ type: 'filter'; filter: Filter }> {
  return parts.every((part) => part.type === 'filter')
}

/** The same part with its limit removed, for counting. */
export function withoutLimit(part: QueryPart): QueryPart {
  switch (part.type) {
    case 'filter': {
      const { limit: _limit, ...rest } = part.filter
      return { type: 'filter', filter: rest }
    }
    case 'thread':
      return { ...part, query: { ...part.query, limit: Number.POSITIVE_INFINITY } }
    case 'top-level':
      return { ...part, query: { ...part.query, limit: Number.POSITIVE_INFINITY } }
  }
}

/** Concatenation in request order without repeats (the first occurrence stays). */
export function concatenateAnswers<E extends { id: string }>(answers: ReadonlyArray<readonly E[]>): E[] {
  const given = new Set<string>()
  const out: E[] = []
  for (const answer of answers) {
    for (const event of answer) {
      if (given.has(event.id)) continue
      given.add(event.id)
      out.push(event)
    }
  }
  return out
}
