/**
 * The PostgreSQL store (node-postgres, pure JavaScript): one database shared by any number
 * of relay processes, each deciding its batches with storage/batch.ts exactly as the SQLite
 * writer does. A batch is one transaction:
 *
 *   1. BEGIN (READ COMMITTED) and take a transaction advisory lock per author of the batch,
 *      in ascending key order (no deadlock between two batches: both take them in the same
 *      order, and no one waits for an author lock while holding the commit counter);
 *   2. load what `batchNeeds` lists (one statement, run after the locks, so it sees every
 *      batch that held one of them before);
 *   3. `decideBatch`, pure, unchanged;
 *   4. apply the effects;
 *   5. increment the commit counter, record the fan-out events under that number and
 *      NOTIFY (one statement), COMMIT. OK is sent after the COMMIT returns.
 *
 * Why the author locks suffice: everything a decision reads that another batch may change at
 * the same moment belongs to the event's author (its id, its address `kind:pubkey:d`, the
 * author's deletions: only an author's own deletions cover or remove its events). Two
 * instances writing one address, or one event and its author's deletion, hold the same lock,
 * so the second loads after the first committed and decides as if they had come one after
 * the other. The rest a decision reads (a reply's parent; a deletion's `e` target of another
 * author, which only makes the deletion refused) is either there or not when loaded, and
 * both outcomes are the outcome of some order of the two batches.
 *
 * Commit numbers: the counter row is updated last in every batch transaction, so a batch
 * waits there until the one before it has committed; numbers are gapless and batches
 * become visible in the order of their numbers. A read is one statement (one snapshot) that
 * also reads the counter: it includes every batch up to that number and none after, on
 * every instance, which is what the monitor's stored/live hand-over needs (StoredAnswer.commit).
 */

import { createHash, randomBytes } from 'node:crypto'
import pg from 'pg'
import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import { addressOf } from '../../../spec/model/head.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import { channelOf } from '../../../spec/model/scope.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { AsyncEventStore } from './async-store.ts'
import { type BatchEffect, type BatchNeeds, type BatchPlan, type BatchSnapshot, batchNeeds, decideBatch } from './batch.ts'
import type { CommittedBatch, StoredAnswer, StoredEvent, StoredQuery } from './event-store.ts'
import { ensureSchema, RulesRefusal } from './pg-schema.ts'
import {
  compileFilter,
  encodeText,
  KeyChars,
  keyOf,
  limitClause,
  longTextIn,
  NewestFirst,
  OldestFirst,
  Params,
  type Tables,
  tablesOf,
  TopLevelClause,
} from './pg-sql.ts'
import { NamedWriteRules, type WriteRules, type WriteRulesName } from './write-rules.ts'

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a batch's events ride along below this. */
export const MaxNotifyPayloadBytes = 7_900

export interface PgStoreOptions {
  /** `postgres://` or `postgresql://` URL; `?schema=NAME` picks the schema (default `public`). */
  url: string
  /** Connections for reads (default 8). */
  readers?: number
  /** A read over this fails (statement_timeout; default 30 s). */
  readTimeoutMs?: number
  log?: (line: string) => void
  /** The rule set batches are decided by, recorded in the database (default `spec`; origin mode: `origin`). */
  rules?: WriteRulesName
  /** This relay process's name on the fan-out feed (default: random). */
  origin?: string
}

export function isPgUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** The URL with its password replaced, for logs. */
export function redactPgUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*:)[^@/?]*@/i, '$1***@')
}

/** Splits `?schema=` (ours) from the rest of the URL (node-postgres's). */
export function parsePgUrl(url: string): { connectionString: string; schema: string } {
  const at = url.indexOf('?')
  if (at < 0) return { connectionString: url, schema: 'public' }
  const params = new URLSearchParams(url.slice(at + 1))
  const schema = params.get('schema') ?? 'public'
  params.delete('schema')
  const rest = params.toString()
  return { connectionString: rest === '' ? url.slice(0, at) : `${url.slice(0, at)}?${rest}`, schema }
}

/** bigint columns (created_at, commit numbers) as JavaScript numbers; they stay below 2^53. */
const Int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

/** A 64-bit advisory lock key for a lock name in a schema. */
function lockKey(schema: string, name: string): bigint {
  return createHash('sha256').update(`${schema}\0${name}`).digest().readBigInt64BE(0)
}

interface LoadRow {
  /** i: a needed id; a: a version at a needed address; d: a deletion; r: a remembered removal (raw is `{"id","pubkey"}`). */
  k: 'i' | 'a' | 'd' | 'r'
  raw: string
  thread_root: string | null
  thread_parent: string | null
  thread_depth: number | null
  thread_broadcast: boolean | null
}

interface StoredRow {
  id: string
  created_at: number
  raw: string
}

const parse = (raw: string) => JSON.parse(raw) as NostrEvent

function threadOfRow(row: Pick<LoadRow, 'thread_root' | 'thread_parent' | 'thread_depth' | 'thread_broadcast'>): ThreadMeta | null {
  if (row.thread_root === null || row.thread_depth === null) return null
  return { root: row.thread_root, parent: row.thread_parent, depth: row.thread_depth, broadcast: row.thread_broadcast === true }
}

/** One row of the fan-out feed (relay_live). */
export interface LiveRow {
  commit: number
  pos: number
  origin: string
  raw: string
}

export class PgStore implements AsyncEventStore {
  readonly backend = 'postgres'
  readonly tables: Tables
  readonly origin: string
  readonly #writer: pg.Pool
  readonly #readers: pg.Pool
  readonly #rules: WriteRules
  readonly #insertSql: string
  readonly #insertIgnoringSql: string
  readonly #connectionString: string

  protected constructor(writer: pg.Pool, readers: pg.Pool, tables: Tables, options: PgStoreOptions, origin: string) {
    this.#connectionString = parsePgUrl(options.url).connectionString
    this.#writer = writer
    this.#readers = readers
    this.tables = tables
    this.origin = origin
    this.#rules = NamedWriteRules[options.rules ?? 'spec']
    this.#insertSql = insertStatement(tables, false)
    this.#insertIgnoringSql = insertStatement(tables, true)
  }

  /** Connects, creates or migrates the schema, and returns the store (of the class it is called on); a database it cannot use fails here. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const { connectionString, schema } = parsePgUrl(options.url)
    const tables = tablesOf(schema)
    const origin = options.origin ?? randomBytes(6).toString('hex')
    const log = options.log ?? (() => {})
    const pool = (role: string, max: number, extra: pg.PoolConfig = {}) => {
      const created = new pg.Pool({
        connectionString,
        max,
        keepAlive: true,
        application_name: `nip-ap-relay ${role} ${origin}`,
        types: Int8AsNumber,
        ...extra,
      })
      // An idle connection that fails (the server restarted, say) is dropped and replaced on next use.
      created.on('error', (error) => log(`postgres: ${role} connection failed: ${error.message}`))
      return created
    }
    // The writer runs one batch at a time; the second connection serves maintenance (pruning).
    const writer = pool('writer', 2, { idle_in_transaction_session_timeout: 60_000 })
    const readers = pool('reader', options.readers ?? 8, { statement_timeout: options.readTimeoutMs ?? 30_000 })
    try {
      const client = await writer.connect()
      try {
        await ensureSchema(client, tables, { wanted: options.rules ?? 'spec', label: redactPgUrl(options.url) })
      } finally {
        client.release()
      }
    } catch (error) {
      await Promise.allSettled([writer.end(), readers.end()])
      if (error instanceof RulesRefusal) throw error
      throw new Error(`error: cannot open PostgreSQL database ${redactPgUrl(options.url)}: ${(error as Error).message}`)
    }
    return new this(writer, readers, tables, options, origin)
  }

  /** A client of its own for LISTEN (not from the pools), with this store's settings. */
  listenerConfig(): pg.ClientConfig {
    return {
      connectionString: this.#connectionString,
      keepAlive: true,
      application_name: `nip-ap-relay listener ${this.origin}`,
      types: Int8AsNumber,
    }
  }

  /**
   * The advisory locks a batch takes (names hashed to 64-bit keys): one per author, since
   * everything a write decision reads belongs to its author.
   */
  protected batchLockNames(events: readonly NostrEvent[]): string[] {
    return [...new Set(events.map((event) => `author:${event.pubkey}`))]
  }

  async writeBatch(events: readonly NostrEvent[], rules: WriteRules = this.#rules): Promise<CommittedBatch & BatchPlan> {
    const client = await this.#writer.connect()
    // A connection that fails between two statements reports it as an event, not through a query.
    let failure: Error | undefined
    const onError = (error: Error) => {
      failure = error
    }
    client.on('error', onError)
    let broken: Error | undefined
    try {
      const keys = [...new Set(this.batchLockNames(events).map((name) => lockKey(this.tables.schema, name)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      // The keys are numbers computed here, so they can be written into the text; this way
      // BEGIN and the locks cost one round trip. unnest yields them in this order.
      const locks = keys.length === 0 ? '' : `; SELECT pg_advisory_xact_lock(k) FROM unnest('{${keys.join(',')}}'::int8[]) AS k`
      await client.query(`BEGIN${locks}`)
      const needs = batchNeeds(events, rules)
      const plan = decideBatch(events, needs, await this.#load(client, needs), rules)
      await this.#apply(client, plan.effects)
      const fanOut = events.filter((_, i) => plan.decisions[i]?.fanOut === true).map((event) => JSON.stringify(event))
      const commit = await this.#finish(client, fanOut)
      await client.query('COMMIT')
      return { commit, ...plan }
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => undefined,
        (rollback: Error) => rollback,
      )
      throw error
    } finally {
      client.off('error', onError)
      // A connection that failed or could not roll back is closed rather than reused.
      client.release(broken ?? failure)
    }
  }

  async read(query: StoredQuery): Promise<StoredAnswer> {
    const params = new Params()
    const inner = this.#readSql(query, params)
    if (inner === null) return { commit: await this.lastCommit(), events: [] }
    // One statement, one snapshot: the commit number and the events it includes.
    const sql =
      `SELECT c.n AS commit, r.id, r.created_at, r.raw FROM ${this.tables.commits} c ` +
      `LEFT JOIN LATERAL (${inner.sql}) r ON true WHERE c.id = 1 ORDER BY ${prefixed('r', inner.order)}`
    const { rows } = await this.#readers.query<{ commit: number } & (StoredRow | { id: null; created_at: null; raw: null })>(sql, params.values)
    const commit = rows[0]?.commit
    if (commit === undefined) throw new Error('error: the commit counter row is missing')
    const events: StoredEvent[] = []
    for (const row of rows) if (row.id !== null) events.push({ id: row.id, created_at: row.created_at, json: row.raw })
    return { commit, events }
  }

  async count(filters: readonly Filter[]): Promise<number> {
    if (filters.length === 0) return 0
    const params = new Params()
    const parts = filters.map((filter) => `SELECT e.seq FROM ${this.tables.events} e WHERE ${compileFilter(filter, this.tables, params)}`)
    const { rows } = await this.#readers.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM (${parts.join(' UNION ')}) s`, params.values)
    return rows[0]?.n ?? 0
  }

  async insert(event: NostrEvent, thread: ThreadMeta | null = null): Promise<boolean> {
    const { rows } = await this.#writer.query<{ n: number }>(this.#insertIgnoringSql, insertParams([{ event, thread }]))
    return (rows[0]?.n ?? 0) > 0
  }

  async remove(id: string): Promise<boolean> {
    const { rows } = await this.#writer.query<{ n: number }>(`${removeStatement(this.tables)} SELECT count(*)::int8 AS n FROM d`, [[encodeText(id)]])
    return (rows[0]?.n ?? 0) > 0
  }

  async has(id: string): Promise<boolean> {
    const { rows } = await this.#readers.query(`SELECT 1 FROM ${this.tables.events} WHERE id = $1`, [encodeText(id)])
    return rows.length > 0
  }

  async get(id: string): Promise<NostrEvent | undefined> {
    return (await this.getThreaded(id))?.event
  }

  async getThreaded(id: string): Promise<ThreadedEvent | undefined> {
    const { rows } = await this.#readers.query<LoadRow>(
      `SELECT raw, thread_root, thread_parent, thread_depth, thread_broadcast FROM ${this.tables.events} WHERE id = $1`,
      [encodeText(id)],
    )
    const row = rows[0]
    return row === undefined ? undefined : { event: parse(row.raw), thread: threadOfRow(row) }
  }

  async versionsOf(address: string): Promise<NostrEvent[]> {
    const params = new Params()
    const { rows } = await this.#readers.query<{ raw: string }>(
      `SELECT e.raw FROM ${this.tables.events} e WHERE ${longTextIn('e.address', [address], params)}`,
      params.values,
    )
    return rows.map((row) => parse(row.raw))
  }

  async query(filter: Filter): Promise<NostrEvent[]> {
    return this.#parsed(await this.read({ type: 'filters', filters: [filter] }))
  }

  async threadReplies(query: ThreadQuery, conditions: Filter): Promise<NostrEvent[]> {
    return this.#parsed(await this.read({ type: 'thread', query, conditions }))
  }

  async topLevel(query: TopLevelQuery, conditions: Filter): Promise<NostrEvent[]> {
    return this.#parsed(await this.read({ type: 'top-level', query, conditions }))
  }

  async size(): Promise<number> {
    const { rows } = await this.#readers.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${this.tables.events}`)
    return rows[0]?.n ?? 0
  }

  async lastCommit(): Promise<number> {
    const { rows } = await this.#readers.query<{ n: number }>(`SELECT n FROM ${this.tables.commits} WHERE id = 1`)
    const n = rows[0]?.n
    if (n === undefined) throw new Error('error: the commit counter row is missing')
    return n
  }

  /**
   * Fan-out rows after `after` (commit, pos) up to commit `through`, at most `limit`, with
   * the commit up to which rows were pruned, both on one snapshot.
   */
  async readLive(after: { commit: number; pos: number }, through: number, limit: number): Promise<{ prunedThrough: number; rows: LiveRow[] }> {
    const t = this.tables
    const { rows } = await this.#readers.query<{ through: number } & (LiveRow | { commit: null; pos: null; origin: null; raw: null })>(
      `SELECT p.through, l.commit, l.pos, l.origin, l.raw FROM ${t.livePruned} p LEFT JOIN LATERAL (` +
        `SELECT commit, pos, origin, raw FROM ${t.live} WHERE (commit, pos) > ($1::int8, $2::int4) AND commit <= $3::int8 ` +
        'ORDER BY commit, pos LIMIT $4) l ON true WHERE p.id = 1 ORDER BY l.commit, l.pos',
      [after.commit, after.pos, through, limit],
    )
    const prunedThrough = rows[0]?.through ?? 0
    const live: LiveRow[] = []
    for (const row of rows) if (row.commit !== null) live.push({ commit: row.commit, pos: row.pos, origin: row.origin, raw: row.raw })
    return { prunedThrough, rows: live }
  }

  /** Removes fan-out rows older than `retentionMs` (whole commits) and records how far. */
  async pruneLive(retentionMs: number): Promise<void> {
    const t = this.tables
    await this.#writer.query(
      `WITH cut AS (SELECT max(commit) AS through FROM ${t.live} WHERE at < now() - make_interval(secs => $1::float8 / 1000)), ` +
        `gone AS (DELETE FROM ${t.live} l USING cut WHERE l.commit <= cut.through) ` +
        `UPDATE ${t.livePruned} p SET through = greatest(p.through, cut.through) FROM cut WHERE p.id = 1 AND cut.through IS NOT NULL`,
      [retentionMs],
    )
  }

  async close(): Promise<void> {
    await Promise.all([this.#writer.end(), this.#readers.end()])
  }

  #parsed(answer: StoredAnswer): NostrEvent[] {
    return answer.events.map((stored) => parse(stored.json))
  }

  /** The inner SELECT (id, created_at, raw) of a read and its order; null when it selects nothing. */
  #readSql(query: StoredQuery, params: Params): { sql: string; order: string } | null {
    const t = this.tables
    switch (query.type) {
      case 'filters': {
        const live = query.filters.filter((filter) => filter.limit !== 0)
        if (live.length === 0) return null
        const one = (filter: Filter, columns: string) =>
          `SELECT ${columns} FROM ${t.events} e WHERE ${compileFilter(filter, t, params)} ORDER BY ${prefixed('e', NewestFirst)}${limitClause(filter.limit, params)}`
        const [only] = live
        if (live.length === 1 && only !== undefined) return { sql: one(only, 'e.id, e.created_at, e.raw'), order: NewestFirst }
        // Each filter limited on its own, then the union (NIP-01).
        const union = live.map((filter) => `(${one(filter, 'e.seq')})`).join(' UNION ')
        return { sql: `SELECT e.id, e.created_at, e.raw FROM ${t.events} e WHERE e.seq IN (${union})`, order: NewestFirst }
      }
      case 'thread': {
        const { root, depthLimit, limit } = query.query
        if (limit <= 0 || depthLimit < 1) return null
        const where = `e.thread_root = ${params.add(encodeText(root))} AND e.thread_depth BETWEEN 1 AND ${params.add(depthLimit, '::int8')}`
        const sql =
          `SELECT e.id, e.created_at, e.raw FROM ${t.events} e WHERE ${where} AND ${compileFilter(query.conditions, t, params)} ` +
          `ORDER BY ${prefixed('e', OldestFirst)}${limitClause(limit, params)}`
        return { sql, order: OldestFirst }
      }
      case 'top-level': {
        const { channel, limit } = query.query
        if (limit <= 0) return null
        const where = compileFilter({ ...query.conditions, '#h': [channel] }, t, params)
        const sql =
          `SELECT e.id, e.created_at, e.raw FROM ${t.events} e WHERE ${where} AND ${TopLevelClause} ` +
          `ORDER BY ${prefixed('e', NewestFirst)}${limitClause(limit, params)}`
        return { sql, order: NewestFirst }
      }
    }
  }

  /** What the batch needs, in one statement (one snapshot), after the locks. */
  async #load(client: pg.PoolClient, needs: BatchNeeds): Promise<BatchSnapshot> {
    const t = this.tables
    const params = new Params()
    const parts = [
      `SELECT 'i' AS k, e.raw, e.thread_root, e.thread_parent, e.thread_depth, e.thread_broadcast FROM ${t.events} e ` +
        `WHERE e.id = ANY(${params.add(needs.ids.map(encodeText), '::text[]')})`,
    ]
    if (needs.removed) {
      parts.push(
        `SELECT 'r', json_build_object('id', r.id, 'pubkey', r.pubkey)::text, NULL, NULL, NULL, NULL FROM ${t.removed} r ` +
          `WHERE r.id = ANY(${params.add(needs.ids.map(encodeText), '::text[]')})`,
      )
    }
    if (needs.addresses.length > 0) {
      parts.push(`SELECT 'a', e.raw, NULL, NULL, NULL, NULL FROM ${t.events} e WHERE ${longTextIn('e.address', needs.addresses, params)}`)
    }
    const refs: { pubkey: string[]; name: string[]; value: string[]; key: string[] } = { pubkey: [], name: [], value: [], key: [] }
    for (const { pubkey, ids, addresses } of needs.deletionRefs) {
      for (const [name, values] of [['e', ids], ['a', addresses]] as const) {
        for (const value of values) {
          const encoded = encodeText(value)
          refs.pubkey.push(encodeText(pubkey))
          refs.name.push(name)
          refs.value.push(encoded)
          refs.key.push(keyOf(encoded))
        }
      }
    }
    if (refs.value.length > 0) {
      // Tag values compared as stored, as a `#e` / `#a` filter would (the other backends do the same).
      parts.push(
        `SELECT 'd', e.raw, NULL, NULL, NULL, NULL FROM unnest(${params.add(refs.pubkey, '::text[]')}, ${params.add(refs.name, '::text[]')}, ` +
          `${params.add(refs.value, '::text[]')}, ${params.add(refs.key, '::text[]')}) AS r(pubkey, name, value, key) ` +
          `JOIN ${t.tags} g ON g.name = r.name AND left(g.value, ${KeyChars}) = r.key AND g.value = r.value ` +
          `JOIN ${t.events} e ON e.seq = g.seq AND e.pubkey = r.pubkey AND e.kind = ${DeletionKind}`,
      )
    }
    const { rows } = await client.query<LoadRow>(parts.join(' UNION ALL '), params.values)
    const events = new Map<string, ThreadedEvent>()
    const versions = new Map<string, NostrEvent[]>()
    const deletions = new Map<string, NostrEvent>()
    const removed = new Map<string, string>()
    for (const row of rows) {
      if (row.k === 'r') {
        const { id, pubkey } = JSON.parse(row.raw) as { id: string; pubkey: string }
        removed.set(id, pubkey)
        continue
      }
      const event = parse(row.raw)
      if (row.k === 'i') events.set(event.id, { event, thread: threadOfRow(row) })
      else if (row.k === 'd') deletions.set(event.id, event)
      else {
        const address = addressOf(event) as string
        const list = versions.get(address)
        if (list === undefined) versions.set(address, [event])
        else list.push(event)
      }
    }
    return { events, versions, deletions: [...deletions.values()], removed }
  }

  /**
   * The effects' net result: every id removed at some point is deleted first, then every
   * id whose last effect is an insert is inserted (an event inserted and superseded in the
   * same batch is thus never written), and every removal to keep (origin mode) is recorded,
   * those of events inserted and removed in the batch included.
   */
  async #apply(client: pg.PoolClient, effects: readonly BatchEffect[]): Promise<void> {
    const removed = new Set<string>()
    const kept = new Map<string, string>()
    const last = new Map<string, { event: NostrEvent; thread: ThreadMeta | null } | null>()
    for (const effect of effects) {
      if (effect.type === 'remove') {
        removed.add(effect.event.id)
        if (effect.keep) kept.set(effect.event.id, effect.event.pubkey)
        last.set(effect.event.id, null)
      } else last.set(effect.event.id, { event: effect.event, thread: effect.thread })
    }
    if (kept.size > 0) {
      // One statement: the removals and their record.
      await client.query(
        `${removeStatement(this.tables)}, k AS (INSERT INTO ${this.tables.removed} (id, pubkey) SELECT * FROM unnest($2::text[], $3::text[]) ON CONFLICT (id) DO NOTHING) SELECT 1`,
        [[...removed].map(encodeText), [...kept.keys()].map(encodeText), [...kept.values()].map(encodeText)],
      )
    } else if (removed.size > 0) await client.query(`${removeStatement(this.tables)} SELECT 1`, [[...removed].map(encodeText)])
    const inserts = [...last.values()].filter((entry) => entry !== null)
    if (inserts.length > 0) await client.query(this.#insertSql, insertParams(inserts))
  }

  /** Counts the commit, records its fan-out events and notifies the other instances; returns the commit number. */
  async #finish(client: pg.PoolClient, fanOut: string[]): Promise<number> {
    const t = this.tables
    const { rows } = await client.query<{ commit: number }>(
      `WITH c AS (UPDATE ${t.commits} SET n = n + 1 WHERE id = 1 RETURNING n), ` +
        `f AS (INSERT INTO ${t.live} (commit, pos, origin, raw) SELECT c.n, g.pos, $1, g.raw FROM c, unnest($2::text[]) WITH ORDINALITY AS g(raw, pos)) ` +
        'SELECT c.n AS commit, pg_notify($3, c.n::text || $4) FROM c',
      [this.origin, fanOut, t.channelName, notifyTail(this.origin, fanOut)],
    )
    const commit = rows[0]?.commit
    if (commit === undefined) throw new Error('error: the commit counter row is missing')
    return commit
  }
}

/**
 * The NOTIFY payload after the commit number: ` ORIGIN`, then ` [EVENTS]` (the batch's
 * fan-out events as a JSON array) when the whole payload stays under MaxNotifyPayloadBytes.
 * Listeners fetch the events of a notification without them from relay_live.
 */
export function notifyTail(origin: string, fanOut: readonly string[]): string {
  const head = ` ${origin}`
  if (fanOut.length === 0) return head
  const withEvents = `${head} [${fanOut.join(',')}]`
  // 20 bytes for the commit number in front.
  return Buffer.byteLength(withEvents) + 20 < MaxNotifyPayloadBytes ? withEvents : head
}

const prefixed = (alias: string, order: string) =>
  order
    .split(', ')
    .map((term) => `${alias}.${term}`)
    .join(', ')

function removeStatement(t: Tables): string {
  return `WITH d AS (DELETE FROM ${t.events} WHERE id = ANY($1::text[]) RETURNING seq), g AS (DELETE FROM ${t.tags} x USING d WHERE x.seq = d.seq)`
}

function insertStatement(t: Tables, ignoreStored: boolean): string {
  return (
    `WITH ins AS (INSERT INTO ${t.events} (id, pubkey, created_at, kind, address, channel, raw, thread_root, thread_parent, thread_depth, thread_broadcast) ` +
    'SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int4[], $11::bool[]) ' +
    `${ignoreStored ? 'ON CONFLICT (id) DO NOTHING ' : ''}RETURNING seq, id), ` +
    `g AS (INSERT INTO ${t.tags} (seq, name, value) SELECT ins.seq, x.name, x.value FROM unnest($12::text[], $13::text[], $14::text[]) AS x(id, name, value) JOIN ins ON ins.id = x.id) ` +
    'SELECT count(*)::int8 AS n FROM ins'
  )
}

function insertParams(rows: ReadonlyArray<{ event: NostrEvent; thread: ThreadMeta | null }>): unknown[] {
  const columns: unknown[][] = Array.from({ length: 14 }, () => [])
  const push = (i: number, value: unknown) => (columns[i] as unknown[]).push(value)
  for (const { event, thread } of rows) {
    const id = encodeText(event.id)
    const address = addressOf(event)
    const channel = channelOf(event)
    push(0, id)
    push(1, encodeText(event.pubkey))
    push(2, event.created_at)
    push(3, event.kind)
    push(4, address === null ? null : encodeText(address))
    push(5, channel === null ? null : encodeText(channel))
    push(6, JSON.stringify(event))
    push(7, thread === null ? null : encodeText(thread.root))
    push(8, thread?.parent == null ? null : encodeText(thread.parent))
    push(9, thread?.depth ?? null)
    push(10, thread === null ? null : thread.broadcast)
    for (const tag of event.tags) {
      const [name, value] = tag
      // Tags a filter can match: a single-character name with a value (spec/model tagConditions).
      if (name === undefined || name.length !== 1 || value === undefined) continue
      push(11, id)
      push(12, encodeText(name))
      push(13, encodeText(value))
    }
  }
  return columns
}
