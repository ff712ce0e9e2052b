/**
 * How one POST /query is answered. Each filter is answered on its own:
 * - a thread filter (`depth_limit` + one 64-hex `#e`): replies under that root, oldest first;
 * - a top-level filter (`top_level: true` + one `#h`): the channel's top-level feed, newest first;
 * - any other filter: NIP-01 semantics, newest first, exactly as a REQ would answer it.
 * The answers are concatenated in filter order and an event already given by an earlier
 * filter is left out, so the set is the union of the filters and no event appears twice.
 * A filter that is both a thread and a top-level filter is a thread filter.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
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

/** Concatenation in filter order without repeats (the first occurrence stays). */
export function combineAnswers(answers: ReadonlyArray<readonly NostrEvent[]>): NostrEvent[] {
  const given = new Set<string>()
  const out: NostrEvent[] = []
  for (const answer of answers) {
    for (const event of answer) {
      if (given.has(event.id)) continue
      given.add(event.id)
      out.push(event)
    }
  }
  return out
}

/**
 * /count takes plain NIP-45 filters only: the thread reads are defined with a limit and an
 * order, which a count has not, so they are refused rather than silently reinterpreted.
 */
export function checkCountFilters(filters: ReadonlyArray<Filter & Record<string, unknown>>): { ok: true } | { ok: false; message: string } {
  for (const [index, filter] of filters.entries()) {
    if (planPart(filter).type !== 'filter') {
      return {
        ok: false,
        message: formatReason('unsupported', `thread reads (depth_limit, top_level) are answered by /query, not /count (filter ${index})`),
      }
    }
  }
  return { ok: true }
}
