// Reads: the WS REQ history (crates/buzz-relay/src/handlers/req.rs), COUNT on both doors
// (handlers/count.rs, api/bridge.rs `count_events`) and the bridge `/query` passes
// (api/bridge.rs `query_events`): feed filters, then thread filters, then ordinary filters.
import type { DefectSet } from './defects.ts'
import { isHex } from './event.ts'
import {
  firstChannelOf, fullyPushable, matchesFilter, singleChannelOf, sqlMatchesNothing, sqlSelects,
  type Filter, type SqlScope,
} from './filter.ts'
import { ADVERTISED_MAX_LIMIT, MAX_RESULTS_PER_FILTER } from './limits.ts'
import { compareNewestFirst, type Store, type StoredEvent } from './store.ts'
import { asUnsignedInteger, isJsonObject, type JsonValue } from './strict-json.ts'
import { parseUuid } from './uuid.ts'

const THREAD_DEFAULT_LIMIT = 100
const THREAD_MAX_LIMIT = 500
const FEED_DEFAULT_LIMIT = 20
const FEED_MAX_LIMIT = 100
const COUNT_FALLBACK_LIMIT = 100_000

interface Cursor {
  until: number
  beforeId: string
}

/** The SQL query of one filter: WHERE, newest first with lowest id on ties, LIMIT. */
function selectRows(store: Store, f: Filter, scope: SqlScope, limit: number, cursor?: Cursor): StoredEvent[] {
  if (sqlMatchesNothing(f)) return []
  const rows: StoredEvent[] = []
  for (const s of store.all()) {
    if (!sqlSelects(f, scope, s)) continue
    if (cursor) {
      const t = s.event.created_at
      if (!(t < cursor.until || (t === cursor.until && s.event.id > cursor.beforeId))) continue
    }
    rows.push(s)
  }
  return rows.sort(compareNewestFirst).slice(0, limit)
}

function queryLimit(f: Filter): number {
  return Math.min(f.limit ?? ADVERTISED_MAX_LIMIT, ADVERTISED_MAX_LIMIT, MAX_RESULTS_PER_FILTER)
}

function visible(s: StoredEvent, accessible: ReadonlySet<string>): boolean {
  return s.channelId === null || accessible.has(s.channelId)
}

/**
 * The channel a WS subscription is scoped to: every filter names a UUID in `#h` and they all
 * name the same one. Otherwise the subscription is global.
 */
export function subscriptionChannel(filters: readonly Filter[]): string | null {
  let found: string | null = null
  for (const f of filters) {
    let has = false
    for (const v of f.tags.get('h') ?? []) {
      const id = parseUuid(v)
      if (id === null) continue
      has = true
      if (found !== null && found !== id) return null
      found = id
    }
    if (!has) return null
  }
  return found
}

/** Stored events a WS REQ sends before EOSE: per filter, then deduplicated across filters. */
export function reqHistory(store: Store, filters: readonly Filter[], subChannel: string | null, accessible: ReadonlySet<string>): StoredEvent[] {
  const seen = new Set<string>()
  const out: StoredEvent[] = []
  for (const f of filters) {
    const channelId = singleChannelOf(f) ?? subChannel
    for (const s of selectRows(store, f, { channelId }, queryLimit(f))) {
      if (!matchesFilter(f, s) || !visible(s, accessible) || seen.has(s.event.id)) continue
      seen.add(s.event.id)
      out.push(s)
    }
  }
  return out
}

/** COUNT (both doors): per-filter counts added up, repeats counted again. */
export function countEvents(store: Store, filters: readonly Filter[], accessible: ReadonlySet<string>): number {
  let total = 0
  for (const f of filters) {
    const single = singleChannelOf(f)
    if (single !== null && !accessible.has(single)) continue
    const scope: SqlScope = single !== null ? { channelId: firstChannelOf(f) } : { channelId: firstChannelOf(f), channelIn: accessible }
    if (fullyPushable(f)) {
      if (sqlMatchesNothing(f)) continue
      for (const s of store.all()) if (sqlSelects(f, scope, s)) total += 1
    } else {
      for (const s of selectRows(store, f, scope, COUNT_FALLBACK_LIMIT)) if (matchesFilter(f, s)) total += 1
    }
  }
  return total
}

/** NIP-50 stand-in: case-insensitive substring of the content, newest first. */
export function searchEvents(store: Store, filters: readonly Filter[], accessible: ReadonlySet<string>, defaultLimit: number, maxLimit: number): StoredEvent[] {
  const seen = new Set<string>()
  const out: StoredEvent[] = []
  for (const f of filters) {
    const text = f.search
    if (text === undefined || text === '') continue
    const limit = Math.min(f.limit ?? defaultLimit, maxLimit)
    const needle = text.toLowerCase()
    const hits = [...store.all()]
      .filter((s) => !s.deleted && s.event.content.toLowerCase().includes(needle) && matchesFilter(f, s) && visible(s, accessible))
      .sort(compareNewestFirst)
    let emitted = 0
    for (const s of hits) {
      if (emitted >= limit) break
      if (seen.has(s.event.id)) continue
      seen.add(s.event.id)
      out.push(s)
      emitted += 1
    }
  }
  return out
}

// ── /query ─────────────────────────────────────────────────────────────────

const MENTION_KINDS = [9, 40002, 45001, 45003]
const NEEDS_ACTION_KINDS = [46010, 40007]
const ACTIVITY_KINDS = [9, 40002, 45001, 43001, 43003, 43004]

function mentionsReader(s: StoredEvent, reader: string): boolean {
  return s.event.tags.some((t) => t[0] === 'p' && t.length >= 2 && isHex(t[1] as string, 64) && (t[1] as string).toLowerCase() === reader)
}

function feedRows(store: Store, type: string, reader: string, accessible: ReadonlySet<string>, since: number | undefined, limit: number): StoredEvent[] | null {
  let kinds: number[]
  let needsMention: boolean
  if (type === 'mentions') [kinds, needsMention] = [MENTION_KINDS, true]
  else if (type === 'needs_action') [kinds, needsMention] = [NEEDS_ACTION_KINDS, true]
  else if (type === 'activity') [kinds, needsMention] = [ACTIVITY_KINDS, false]
  else return null
  const rows: StoredEvent[] = []
  for (const s of store.all()) {
    if (s.deleted || !kinds.includes(s.event.kind)) continue
    if (needsMention && !mentionsReader(s, reader)) continue
    // `channel_id IN (...)` is only added when the reader can see some channel; it drops
    // channel-less events then.
    if (accessible.size > 0 && (s.channelId === null || !accessible.has(s.channelId))) continue
    if (since !== undefined && s.event.created_at < since) continue
    rows.push(s)
  }
  return rows.sort(compareNewestFirst).slice(0, Math.min(limit, FEED_MAX_LIMIT))
}

function feedTypes(raw: JsonValue | undefined): string[] | null {
  if (!isJsonObject(raw)) return null
  const v = raw['feed_types']
  if (!Array.isArray(v)) return null
  const types = v.filter((x): x is string => typeof x === 'string')
  return types.length > 0 ? types : null
}

/** A thread filter: `depth_limit` an unsigned 32-bit integer literal and exactly one 64-hex `#e`. */
export function threadQueryOf(raw: JsonValue | undefined, f: Filter): { root: string; depthLimit: number } | null {
  if (!isJsonObject(raw)) return null
  const depthLimit = asUnsignedInteger(raw['depth_limit'])
  if (depthLimit === undefined || depthLimit > 0xffff_ffff) return null
  const e = f.tags.get('e')
  if (!e || e.length !== 1 || !isHex(e[0] as string, 64)) return null
  return { root: (e[0] as string).toLowerCase(), depthLimit }
}

function threadReplies(store: Store, root: string, depthLimit: number, limit: number): StoredEvent[] {
  const rows: StoredEvent[] = []
  for (const [id, record] of store.threadEntries()) {
    if (record.rootId !== root || record.depth > depthLimit) continue
    const s = store.getLive(id)
    if (s) rows.push(s)
  }
  rows.sort((a, b) => a.event.created_at - b.event.created_at)
  return rows.slice(0, limit)
}

export type QueryOutcome = { ok: true; events: StoredEvent[] } | { ok: false; status: 400; error: string }

export function bridgeQuery(
  store: Store,
  raws: readonly JsonValue[],
  filters: readonly Filter[],
  reader: string,
  accessible: ReadonlySet<string>,
  defects: DefectSet,
): QueryOutcome {
  const out: StoredEvent[] = []
  const handled = new Set<number>()

  filters.forEach((f, i) => {
    const types = feedTypes(raws[i])
    if (types === null) return
    const limit = Math.min(f.limit ?? FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT)
    const seenTypes = new Set<string>()
    const seen = new Set<string>()
    let count = 0
    for (const type of types) {
      const canonical = type === 'agent_activity' ? 'activity' : type
      if (seenTypes.has(canonical)) continue
      seenTypes.add(canonical)
      if (count >= limit) break
      const rows = feedRows(store, canonical, reader, accessible, f.since, limit - count)
      if (rows === null) continue
      for (const s of rows) {
        if (seen.has(s.event.id) || !visible(s, accessible)) continue
        seen.add(s.event.id)
        out.push(s)
        count += 1
      }
    }
    handled.add(i)
  })

  filters.forEach((f, i) => {
    if (handled.has(i)) return
    const thread = threadQueryOf(raws[i], f)
    if (thread === null) return
    handled.add(i)
    const single = singleChannelOf(f)
    if (single !== null && !accessible.has(single)) return
    const limit = Math.min(f.limit ?? THREAD_DEFAULT_LIMIT, THREAD_MAX_LIMIT)
    let replies = threadReplies(store, thread.root, thread.depthLimit, limit).filter((s) => visible(s, accessible))
    if (defects.has('thread-query-honours-kinds') && f.kinds) replies = replies.filter((s) => f.kinds?.includes(s.event.kind))
    const root = store.getLive(thread.root)
    if (defects.has('thread-query-includes-root') && root) out.push(root)
    out.push(...replies)
  })

  for (let i = 0; i < filters.length; i++) {
    if (handled.has(i)) continue
    const f = filters[i] as Filter
    const single = singleChannelOf(f)
    if (single !== null && !accessible.has(single)) continue
    let cursor: Cursor | undefined
    const raw = raws[i]
    const beforeId = isJsonObject(raw) ? raw['before_id'] : undefined
    if (typeof beforeId === 'string' && isHex(beforeId, 64)) {
      if (f.until === undefined) return { ok: false, status: 400, error: 'before_id requires until to be set' }
      cursor = { until: f.until, beforeId: beforeId.toLowerCase() }
    }
    for (const s of selectRows(store, f, { channelId: firstChannelOf(f) }, queryLimit(f), cursor)) {
      if (visible(s, accessible) && matchesFilter(f, s)) out.push(s)
    }
  }

  if (defects.has('query-removes-repeats')) {
    const seen = new Set<string>()
    return { ok: true, events: out.filter((s) => (seen.has(s.event.id) ? false : (seen.add(s.event.id), true))) }
  }
  return { ok: true, events: out }
}
