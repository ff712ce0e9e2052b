// Filters as the origin reads them: nostr-crate parsing (sets, single-letter tag keys, unknown
// fields dropped), the SQL pre-selection of crates/buzz-db/src/event.rs `query_events` (which runs
// before LIMIT) and the exact match of crates/buzz-core/src/filter.rs `filters_match` (after it).
import { isHex, type Parsed } from './event.ts'
import { isAddressableKind } from './kinds.ts'
import { isJsonObject, type JsonValue } from './strict-json.ts'
import type { StoredEvent } from './store.ts'
import { parseUuid } from './uuid.ts'

export interface Filter {
  ids?: string[]
  authors?: string[]
  kinds?: number[]
  /** Single-letter tag filters, values deduplicated and sorted as the origin's BTreeSet holds them. */
  tags: Map<string, string[]>
  since?: number
  until?: number
  limit?: number
  search?: string
}

const TAG_KEY = /^#[A-Za-z]$/

function sortedUnique<T>(values: T[]): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

function hexList(v: JsonValue, field: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && isHex(x, 64))) throw new Error(`invalid ${field}`)
  return sortedUnique((v as string[]).map((x) => x.toLowerCase()))
}

function unsigned(v: JsonValue, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new Error(`invalid ${field}`)
  return v
}

export function parseFilter(raw: JsonValue | undefined): Parsed<Filter> {
  try {
    if (!isJsonObject(raw)) throw new Error('filter must be an object')
    const filter: Filter = { tags: new Map() }
    for (const [key, v] of Object.entries(raw)) {
      if (v === null) continue
      if (key === 'ids') filter.ids = hexList(v, 'ids')
      else if (key === 'authors') filter.authors = hexList(v, 'authors')
      else if (key === 'kinds') {
        if (!Array.isArray(v)) throw new Error('invalid kinds')
        filter.kinds = sortedUnique(v.map((k) => unsigned(k, 'kind', 0xffff)))
      } else if (key === 'since') filter.since = unsigned(v, 'since')
      else if (key === 'until') filter.until = unsigned(v, 'until')
      else if (key === 'limit') filter.limit = unsigned(v, 'limit')
      else if (key === 'search') {
        if (typeof v !== 'string') throw new Error('invalid search')
        filter.search = v
      } else if (TAG_KEY.test(key)) {
        if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new Error(`invalid ${key}`)
        filter.tags.set(key.slice(1), sortedUnique(v))
      }
    }
    return { ok: true, value: filter }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

function tagValues(stored: StoredEvent, name: string): string[] {
  const out: string[] = []
  for (const t of stored.event.tags) if (t[0] === name && t.length >= 2) out.push(t[1] as string)
  return out
}

/** The exact NIP-01 match, with the origin's `#h` fallback to the stored channel. */
export function matchesFilter(f: Filter, stored: StoredEvent): boolean {
  const ev = stored.event
  if (f.kinds && !f.kinds.includes(ev.kind)) return false
  if (f.authors && !f.authors.includes(ev.pubkey)) return false
  if (f.since !== undefined && ev.created_at < f.since) return false
  if (f.until !== undefined && ev.created_at > f.until) return false
  if (f.ids && !f.ids.some((id) => ev.id.startsWith(id))) return false
  for (const [name, values] of f.tags) {
    const present = tagValues(stored, name)
    if (values.some((v) => present.includes(v))) continue
    // An event that carries no `h` tag of its own (a deletion, a reaction) matches `#h` by the
    // channel it was stored in; explicit `h` tags are authoritative.
    if (name === 'h' && !ev.tags.some((t) => t[0] === 'h') && stored.channelId !== null) {
      if (values.includes(stored.channelId)) continue
    }
    return false
  }
  return true
}

export function matchesAnyFilter(filters: readonly Filter[], stored: StoredEvent): boolean {
  return filters.some((f) => matchesFilter(f, stored))
}

/** What the origin's SQL applies before LIMIT; the exact match runs on what survives. */
export interface SqlScope {
  /** `channel_id = X` */
  channelId?: string | null
  /** `channel_id IS NULL OR channel_id IN (...)` */
  channelIn?: ReadonlySet<string>
}

function mentions(stored: StoredEvent, pubkeyHex: string): boolean {
  const want = pubkeyHex.toLowerCase()
  return stored.event.tags.some((t) => t[0] === 'p' && t.length >= 2 && isHex(t[1] as string, 64) && (t[1] as string).toLowerCase() === want)
}

function nip33Only(f: Filter): boolean {
  return f.kinds !== undefined && f.kinds.length > 0 && f.kinds.every(isAddressableKind)
}

/** The SQL WHERE of `query_events` / `count_events` for one filter (without LIMIT). */
export function sqlSelects(f: Filter, scope: SqlScope, stored: StoredEvent): boolean {
  if (stored.deleted) return false
  const ev = stored.event
  if (scope.channelId !== undefined && scope.channelId !== null && stored.channelId !== scope.channelId) return false
  if (scope.channelIn && stored.channelId !== null && !scope.channelIn.has(stored.channelId)) return false
  if (f.kinds && f.kinds.length > 0 && !f.kinds.includes(ev.kind)) return false
  if (f.authors && f.authors.length > 0 && !f.authors.includes(ev.pubkey)) return false
  if (f.ids && f.ids.length > 0 && !f.ids.includes(ev.id)) return false
  const eValues = f.tags.get('e')
  if (eValues && eValues.length > 0) {
    // JSONB containment `tags @> [["e", v]]`: some tag holds both strings, anywhere in it.
    if (!eValues.some((v) => ev.tags.some((t) => t.includes('e') && t.includes(v)))) return false
  }
  if (f.since !== undefined && ev.created_at < f.since) return false
  if (f.until !== undefined && ev.created_at > f.until) return false
  const p = f.tags.get('p')
  if (p && p.length === 1 && !mentions(stored, p[0] as string)) return false
  const d = f.tags.get('d')
  if (d && d.length > 0 && nip33Only(f) && (stored.dTag === null || !d.includes(stored.dTag))) return false
  return true
}

/** An empty `kinds` list short-circuits the whole SQL query to nothing. */
export function sqlMatchesNothing(f: Filter): boolean {
  return f.kinds !== undefined && f.kinds.length === 0
}

/** `filter_fully_pushable` in crates/buzz-relay/src/handlers/req.rs: COUNT can trust SQL alone. */
export function fullyPushable(f: Filter): boolean {
  for (const [name, values] of f.tags) {
    if (name === 'h' || name === 'p') {
      if (values.length > 1) return false
    } else if (name === 'd') {
      if (values.length > 0 && !nip33Only(f)) return false
    } else if (name !== 'e' && values.length > 0) {
      return false
    }
  }
  return f.search === undefined
}

/** First value of `#h` (in set order) that parses as a UUID. */
export function firstChannelOf(f: Filter): string | null {
  for (const v of f.tags.get('h') ?? []) {
    const id = parseUuid(v)
    if (id) return id
  }
  return null
}

/** The channel of a filter whose `#h` holds exactly one value, and that value a UUID. */
export function singleChannelOf(f: Filter): string | null {
  const h = f.tags.get('h')
  return h && h.length === 1 ? parseUuid(h[0] as string) : null
}
