/** NIP-01 filters: shape checks, matching and result order. */

import type { NostrEvent } from './event.ts'
import { compareVersions } from './head.ts'

export interface Filter {
  ids?: string[]
  authors?: string[]
  kinds?: number[]
  since?: number
  until?: number
  limit?: number
  /** `#x` tag filters, keyed with the `#`. */
  [tag: `#${string}`]: string[] | undefined
}

export type FilterCheck = { ok: true; filter: Filter } | { ok: false; message: string }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

const hex64 = /^[0-9a-f]{64}$/

/**
 * Checks the types of a filter's known fields. Unknown keys (for example the origin
 * relay's `depth_limit`) are kept so extensions can read them. Ids and authors must be
 * full 64-hex values: NIP-01 dropped prefix matching.
 */
export function checkFilter(value: unknown): FilterCheck {
  if (!isRecord(value)) return { ok: false, message: 'invalid: filter must be a JSON object' }
  for (const key of ['ids', 'authors'] as const) {
    const list = value[key]
    if (list === undefined) continue
    if (!isStringArray(list) || !list.every((item) => hex64.test(item))) {
      return { ok: false, message: `invalid: filter \`${key}\` must be an array of 64-char lowercase hex strings` }
    }
  }
  if (value.kinds !== undefined) {
    const kinds = value.kinds
    if (!Array.isArray(kinds) || !kinds.every((k) => Number.isInteger(k) && k >= 0 && k <= 65535)) {
      return { ok: false, message: 'invalid: filter `kinds` must be an array of integers between 0 and 65535' }
    }
  }
  for (const key of ['since', 'until', 'limit'] as const) {
    const n = value[key]
    if (n === undefined) continue
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      return { ok: false, message: `invalid: filter \`${key}\` must be a non-negative integer` }
    }
  }
  for (const key of Object.keys(value)) {
    if (!key.startsWith('#')) continue
    if (!isStringArray(value[key])) {
      return { ok: false, message: `invalid: filter \`${key}\` must be an array of strings` }
    }
  }
  return { ok: true, filter: value as Filter }
}

/** Tag filter entries (`#x` with a single-letter name) of a filter. */
export function tagConditions(filter: Filter): Array<[name: string, values: string[]]> {
  const conditions: Array<[string, string[]]> = []
  for (const [key, values] of Object.entries(filter)) {
    if (key.length === 2 && key.startsWith('#') && Array.isArray(values)) {
      conditions.push([key.slice(1), values as string[]])
    }
  }
  return conditions
}

/** NIP-01 matching: every present condition must hold; within a list, any value matches. */
export function matchFilter(filter: Filter, event: NostrEvent): boolean {
  if (filter.ids && !filter.ids.includes(event.id)) return false
  if (filter.authors && !filter.authors.includes(event.pubkey)) return false
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false
  if (filter.since !== undefined && event.created_at < filter.since) return false
  if (filter.until !== undefined && event.created_at > filter.until) return false
  for (const [name, values] of tagConditions(filter)) {
    const hit = event.tags.some((tag) => tag[0] === name && tag.length >= 2 && values.includes(tag[1] as string))
    if (!hit) return false
  }
  return true
}

export function matchFilters(filters: readonly Filter[], event: NostrEvent): boolean {
  return filters.some((filter) => matchFilter(filter, event))
}

/**
 * Result order of an initial query: newest first, equal created_at lowest id first.
 * It is the head order, so the first result for an address is always its head.
 */
export const compareForQuery = compareVersions

/** One filter's answer over a collection: its matching events newest first, at most its `limit`. */
export function selectForFilter(filter: Filter, events: readonly NostrEvent[]): NostrEvent[] {
  const hits = events.filter((event) => matchFilter(filter, event)).sort(compareForQuery)
  return filter.limit === undefined ? hits : hits.slice(0, filter.limit)
}

/**
 * Answers a set of filters over a collection the way NIP-01 describes: each filter
 * matched and limited on its own, results OR'ed without duplicates, newest first.
 */
export function queryEvents(events: readonly NostrEvent[], filters: readonly Filter[]): NostrEvent[] {
  const chosen = new Map<string, NostrEvent>()
  for (const filter of filters) for (const event of selectForFilter(filter, events)) chosen.set(event.id, event)
  return [...chosen.values()].sort(compareForQuery)
}

/**
 * The origin relay's `POST /query` (crates/buzz-relay/src/api/bridge.rs): each filter's
 * answer in turn, an event matched by several filters once per filter.
 */
export function concatenateFilterAnswers(events: readonly NostrEvent[], filters: readonly Filter[]): NostrEvent[] {
  return filters.flatMap((filter) => selectForFilter(filter, events))
}
