/**
 * The SQL of the PostgreSQL backend: table names in the configured schema, and each NIP-01
 * filter compiled to one WHERE clause with exactly the meaning of spec/model's
 * matchFilterInScope (the SQLite backend's compiler, in PostgreSQL's dialect).
 *
 * Two things PostgreSQL does differently from SQLite shape the stored text:
 *
 * - `text` cannot hold U+0000, which JSON (and so a tag value) can. Every user string that
 *   goes into a text column or a comparison is passed through `encodeText`, an injective
 *   escape (`\` → `\\`, U+0000 → `\0`), so equality keeps its exact meaning. The event's
 *   JSON text needs none: JSON.stringify writes U+0000 as `\u0000`.
 * - A B-tree index entry must stay under about 2.7 kB, and tag values, `d` identifiers and
 *   channel names can be longer. Their indexes hold the first `KeyChars` characters
 *   (`left(value, 200)`); each lookup compares that key (so the index is used) and the
 *   whole value (so the meaning is exact).
 */

import { type Filter, tagConditions } from '../../../spec/model/filter.ts'

/** Characters of a long text kept in its index (a lookup then compares the whole value too). */
export const KeyChars = 200

const NeedsEscape = /[\0\\]/

/** Injective escape of the characters `text` cannot hold (see above). */
export function encodeText(value: string): string {
  return NeedsEscape.test(value) ? value.replaceAll('\\', '\\\\').replaceAll('\0', '\\0') : value
}

/** The index key of an encoded text: its first KeyChars characters (code points, as `left` counts). */
export function keyOf(encoded: string): string {
  if (encoded.length <= KeyChars) return encoded
  return Array.from(encoded).slice(0, KeyChars).join('')
}

/** Table names in one schema, quoted. */
export interface Tables {
  schema: string
  events: string
  tags: string
  commits: string
  live: string
  livePruned: string
  version: string
  settings: string
  removed: string
  /** The LISTEN/NOTIFY channel of this schema, quoted for LISTEN. */
  channel: string
  /** The same channel as pg_notify takes it (unquoted text). */
  channelName: string
}

const SchemaName = /^[a-z_][a-z0-9_]{0,47}$/

export function tablesOf(schema: string): Tables {
  if (!SchemaName.test(schema)) {
    throw new Error(`error: PostgreSQL schema must match ${SchemaName.source}, got "${schema}"`)
  }
  const q = (name: string) => `"${schema}"."${name}"`
  return {
    schema,
    events: q('relay_events'),
    tags: q('relay_tags'),
    commits: q('relay_commits'),
    live: q('relay_live'),
    livePruned: q('relay_live_pruned'),
    version: q('relay_schema'),
    settings: q('relay_settings'),
    removed: q('relay_removed'),
    channel: `"${schema}.relay_live"`,
    channelName: `${schema}.relay_live`,
  }
}

/** Collects positional parameters; `add` returns the placeholder. */
export class Params {
  readonly values: unknown[] = []

  add(value: unknown, cast = ''): string {
    this.values.push(value)
    return `$${this.values.length}${cast}`
  }
}

/** A lookup of a long text column (`column` holds encoded text, its index `left(column, KeyChars)`). */
export function longTextIn(column: string, values: readonly string[], params: Params): string {
  const encoded = values.map(encodeText)
  return `left(${column}, ${KeyChars}) = ANY(${params.add(encoded.map(keyOf), '::text[]')}) AND ${column} = ANY(${params.add(encoded, '::text[]')})`
}

/**
 * WHERE clause of one filter over `events e`. An empty list matches nothing (`= ANY('{}')`
 * is false), as in spec/model. `#h` also requires the channel column (channel scope).
 */
export function compileFilter(filter: Filter, tables: Tables, params: Params): string {
  const clauses: string[] = []
  if (filter.ids) clauses.push(`e.id = ANY(${params.add(filter.ids.map(encodeText), '::text[]')})`)
  if (filter.authors) clauses.push(`e.pubkey = ANY(${params.add(filter.authors.map(encodeText), '::text[]')})`)
  if (filter.kinds) clauses.push(`e.kind = ANY(${params.add(filter.kinds, '::int8[]')})`)
  if (filter.since !== undefined) clauses.push(`e.created_at >= ${params.add(filter.since, '::int8')}`)
  if (filter.until !== undefined) clauses.push(`e.created_at <= ${params.add(filter.until, '::int8')}`)
  for (const [name, values] of tagConditions(filter)) {
    clauses.push(
      `EXISTS (SELECT 1 FROM ${tables.tags} t WHERE t.seq = e.seq AND t.name = ${params.add(encodeText(name))} AND ${longTextIn('t.value', values, params)})`,
    )
    if (name === 'h') clauses.push(longTextIn('e.channel', values, params))
  }
  return clauses.length > 0 ? clauses.join(' AND ') : 'true'
}

/** Top-level (spec/model isTopLevel): no thread facts, a root, or a depth-1 broadcast reply. */
export const TopLevelClause = '(e.thread_depth IS NULL OR e.thread_depth = 0 OR (e.thread_depth = 1 AND e.thread_broadcast))'

/** Newest first, equal created_at lowest id first (spec/model compareForQuery). */
export const NewestFirst = 'created_at DESC, id ASC'
/** Oldest first, equal created_at lowest id first (spec/model compareOldestFirst). */
export const OldestFirst = 'created_at ASC, id ASC'

export const limitClause = (limit: number | undefined, params: Params): string =>
  limit === undefined || !Number.isFinite(limit) ? '' : ` LIMIT ${params.add(limit, '::int8')}`
