/**
 * SQLite backend (better-sqlite3, WAL, synchronous=FULL so a commit survives a crash of the
 * process and of the machine). Filters compile to one SELECT each with the exact semantics
 * of spec/model's matchFilterInScope: single-letter tags are indexed in `tags`, and `#h`
 * also checks the `channel` column that channelOf computed at insert (global-only kinds
 * have none, so they never answer channel reads).
 */

import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { type Filter, tagConditions } from '../../../spec/model/filter.ts'
import { addressOf } from '../../../spec/model/head.ts'
import { channelOf } from '../../../spec/model/scope.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { EventStore } from './event-store.ts'

/** 2: thread columns (version 1 files are migrated in place; their rows have no thread facts). */
const SchemaVersion = 2

const Schema = `
CREATE TABLE IF NOT EXISTS events (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  pubkey     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  address    TEXT,
  channel    TEXT,
  raw        TEXT NOT NULL,
  thread_root      TEXT,
  thread_parent    TEXT,
  thread_depth     INTEGER,
  thread_broadcast INTEGER
);
CREATE INDEX IF NOT EXISTS events_created ON events (created_at DESC, id);
CREATE INDEX IF NOT EXISTS events_pubkey ON events (pubkey, created_at DESC, id);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, created_at DESC, id);
CREATE INDEX IF NOT EXISTS events_pubkey_kind ON events (pubkey, kind, created_at DESC, id);
CREATE INDEX IF NOT EXISTS events_address ON events (address) WHERE address IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_channel ON events (channel, created_at DESC, id) WHERE channel IS NOT NULL;
CREATE TABLE IF NOT EXISTS tags (
  seq   INTEGER NOT NULL,
  name  TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_lookup ON tags (name, value, seq);
CREATE INDEX IF NOT EXISTS tags_seq ON tags (seq);
`

/** Added by schema version 2; ALTER TABLE adds them to version 1 files. */
const ThreadColumns = [
  ['thread_root', 'TEXT'],
  ['thread_parent', 'TEXT'],
  ['thread_depth', 'INTEGER'],
  ['thread_broadcast', 'INTEGER'],
] as const

const ThreadIndex = `
CREATE INDEX IF NOT EXISTS events_thread ON events (thread_root, thread_depth, created_at, id) WHERE thread_root IS NOT NULL;
`

/** Top-level (spec/model isTopLevel): no thread facts, a root, or a depth-1 broadcast reply. */
const TopLevelClause = '(e.thread_depth IS NULL OR e.thread_depth = 0 OR (e.thread_depth = 1 AND e.thread_broadcast = 1))'

interface ThreadRow {
  raw: string
  thread_root: string | null
  thread_parent: string | null
  thread_depth: number | null
  thread_broadcast: number | null
}

function threadOfRow(row: ThreadRow): ThreadMeta | null {
  if (row.thread_root === null || row.thread_depth === null) return null
  return { root: row.thread_root, parent: row.thread_parent, depth: row.thread_depth, broadcast: row.thread_broadcast === 1 }
}

/** Tags a filter can match: single-character name with a value (see tagConditions). */
function indexedTags(event: NostrEvent): Array<[string, string]> {
  const rows: Array<[string, string]> = []
  for (const tag of event.tags) {
    const [name, value] = tag
    if (name !== undefined && name.length === 1 && value !== undefined) rows.push([name, value])
  }
  return rows
}

interface Compiled {
  where: string
  params: unknown[]
}

/** WHERE clause of one filter; list conditions bind one JSON array each (no parameter blow-up). */
function compileFilter(filter: Filter): Compiled {
  const clauses: string[] = []
  const params: unknown[] = []
  // One value (the common case: a read by address, a deletion lookup) is a plain `=` the
  // planner can use an index for; other lists bind one JSON array (no parameter blow-up).
  const list = (column: string, values: readonly unknown[]) => {
    if (values.length === 1) {
      clauses.push(`${column} = ?`)
      params.push(values[0])
      return
    }
    clauses.push(`${column} IN (SELECT value FROM json_each(?))`)
    params.push(JSON.stringify(values))
  }
  if (filter.ids) list('e.id', filter.ids)
  if (filter.authors) list('e.pubkey', filter.authors)
  if (filter.kinds) list('e.kind', filter.kinds)
  if (filter.since !== undefined) {
    clauses.push('e.created_at >= ?')
    params.push(filter.since)
  }
  if (filter.until !== undefined) {
    clauses.push('e.created_at <= ?')
    params.push(filter.until)
  }
  for (const [name, values] of tagConditions(filter)) {
    if (values.length === 1) {
      clauses.push('EXISTS (SELECT 1 FROM tags t WHERE t.seq = e.seq AND t.name = ? AND t.value = ?)')
      params.push(name, values[0])
    } else {
      clauses.push('EXISTS (SELECT 1 FROM tags t WHERE t.seq = e.seq AND t.name = ? AND t.value IN (SELECT value FROM json_each(?)))')
      params.push(name, JSON.stringify(values))
    }
    if (name === 'h') list('e.channel', values)
  }
  return { where: clauses.length > 0 ? clauses.join(' AND ') : '1', params }
}

/** How often the checkpointer copies the WAL into the database file. */
const CheckpointIntervalMs = 200

interface Checkpointer {
  worker: Worker
  /** Set to 1 by the worker once its connection is closed. */
  closed: Int32Array
  alive: boolean
}

function startCheckpointer(path: string): Checkpointer {
  const closed = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { path, intervalMs: CheckpointIntervalMs, closed: closed.buffer },
  })
  // It must never keep the process alive, nor take it down: SQLite's own crash safety
  // covers a checkpoint cut short.
  worker.unref()
  worker.on('error', () => {})
  const checkpointer: Checkpointer = { worker, closed, alive: true }
  worker.on('exit', () => {
    checkpointer.alive = false
  })
  return checkpointer
}

/** Stops the checkpointer and waits (at most 5 s) until it has let go of the files. */
function stopCheckpointer(checkpointer: Checkpointer): void {
  if (!checkpointer.alive) return
  checkpointer.worker.postMessage({ type: 'stop' })
  Atomics.wait(checkpointer.closed, 0, 0, 5_000)
}

export class SqliteStore implements EventStore {
  readonly backend = 'sqlite'
  readonly #db: Database.Database
  readonly #statements = new Map<string, Database.Statement>()
  readonly #insertEvent: Database.Statement
  readonly #insertTag: Database.Statement
  readonly #selectById: Database.Statement<[string], { raw: string }>
  readonly #selectThreaded: Database.Statement<[string], ThreadRow>
  readonly #selectSeq: Database.Statement<[string], { seq: number }>
  readonly #selectAddress: Database.Statement<[string], { raw: string }>
  readonly #deleteEvent: Database.Statement
  readonly #deleteTags: Database.Statement
  readonly #count: Database.Statement<[], { n: number }>
  #checkpointer: Checkpointer | undefined

  constructor(path: string) {
    this.#db = new Database(path)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = FULL')
    this.#db.pragma('busy_timeout = 5000')
    const file = path !== '' && path !== ':memory:' && !path.startsWith('file::memory:')
    if (file) {
      // Checkpoints run beside the event loop (checkpoint-worker.js), not inside commits.
      this.#db.pragma('wal_autocheckpoint = 0')
      const checkpointer = startCheckpointer(path)
      this.#checkpointer = checkpointer
      checkpointer.worker.on('exit', () => {
        // Gone before close (it failed to open the file, say): SQLite checkpoints again.
        if (this.#checkpointer === checkpointer && this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000')
      })
    }
    const version = this.#db.pragma('user_version', { simple: true }) as number
    if (version > SchemaVersion) {
      this.#db.close()
      throw new Error(`error: ${path} has schema version ${version}, newer than this relay's ${SchemaVersion}`)
    }
    this.#db.exec(Schema)
    this.#migrate()
    this.#db.exec(ThreadIndex)
    this.#db.pragma(`user_version = ${SchemaVersion}`)
    this.#insertEvent = this.#db.prepare(
      'INSERT OR IGNORE INTO events (id, pubkey, created_at, kind, address, channel, raw, ' +
        'thread_root, thread_parent, thread_depth, thread_broadcast) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.#insertTag = this.#db.prepare('INSERT INTO tags (seq, name, value) VALUES (?, ?, ?)')
    this.#selectById = this.#db.prepare('SELECT raw FROM events WHERE id = ?')
    this.#selectThreaded = this.#db.prepare(
      'SELECT raw, thread_root, thread_parent, thread_depth, thread_broadcast FROM events WHERE id = ?',
    )
    this.#selectSeq = this.#db.prepare('SELECT seq FROM events WHERE id = ?')
    this.#selectAddress = this.#db.prepare('SELECT raw FROM events WHERE address = ?')
    this.#deleteEvent = this.#db.prepare('DELETE FROM events WHERE seq = ?')
    this.#deleteTags = this.#db.prepare('DELETE FROM tags WHERE seq = ?')
    this.#count = this.#db.prepare('SELECT COUNT(*) AS n FROM events')
  }

  transaction<T>(fn: () => T): T {
    // IMMEDIATE: take the write lock before the first read, so a transaction that reads
    // first never fails to upgrade (SQLITE_BUSY) while the checkpointer works; it waits
    // (busy_timeout) instead. better-sqlite3 turns a nested transaction into a savepoint.
    return this.#db.transaction(fn).immediate()
  }

  /**
   * Runs the statements of one insert or remove atomically: inside the writer's batch
   * transaction they simply join it (a failure fails the whole batch anyway), so no
   * savepoint per event; on their own they get a transaction of their own.
   */
  #atomic<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).immediate()
  }

  insert(event: NostrEvent, thread: ThreadMeta | null = null): boolean {
    return this.#atomic(() => {
      const result = this.#insertEvent.run(
        event.id,
        event.pubkey,
        event.created_at,
        event.kind,
        addressOf(event),
        channelOf(event),
        JSON.stringify(event),
        thread?.root ?? null,
        thread?.parent ?? null,
        thread?.depth ?? null,
        thread === null ? null : thread.broadcast ? 1 : 0,
      )
      if (result.changes === 0) return false
      for (const [name, value] of indexedTags(event)) this.#insertTag.run(result.lastInsertRowid, name, value)
      return true
    })
  }

  has(id: string): boolean {
    return this.#selectSeq.get(id) !== undefined
  }

  get(id: string): NostrEvent | undefined {
    const row = this.#selectById.get(id)
    return row === undefined ? undefined : (JSON.parse(row.raw) as NostrEvent)
  }

  getThreaded(id: string): ThreadedEvent | undefined {
    const row = this.#selectThreaded.get(id)
    return row === undefined ? undefined : { event: JSON.parse(row.raw) as NostrEvent, thread: threadOfRow(row) }
  }

  versionsOf(address: string): NostrEvent[] {
    return this.#selectAddress.all(address).map((row) => JSON.parse(row.raw) as NostrEvent)
  }

  remove(id: string): boolean {
    return this.#atomic(() => {
      const row = this.#selectSeq.get(id)
      if (row === undefined) return false
      this.#deleteTags.run(row.seq)
      this.#deleteEvent.run(row.seq)
      return true
    })
  }

  query(filter: Filter): NostrEvent[] {
    if (filter.limit === 0) return []
    const { where, params } = compileFilter(filter)
    const limit = filter.limit === undefined ? '' : ' LIMIT ?'
    if (filter.limit !== undefined) params.push(filter.limit)
    const sql = `SELECT e.raw FROM events e WHERE ${where} ORDER BY e.created_at DESC, e.id ASC${limit}`
    const rows = this.#prepare(sql).all(...params) as Array<{ raw: string }>
    return rows.map((row) => JSON.parse(row.raw) as NostrEvent)
  }

  threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[] {
    if (query.limit <= 0 || query.depthLimit < 1) return []
    const { where, params } = compileFilter(conditions)
    const sql =
      `SELECT e.raw FROM events e WHERE e.thread_root = ? AND e.thread_depth BETWEEN 1 AND ? AND ${where} ` +
      `ORDER BY e.created_at ASC, e.id ASC${Number.isFinite(query.limit) ? ' LIMIT ?' : ''}`
    const all = [query.root, query.depthLimit, ...params, ...(Number.isFinite(query.limit) ? [query.limit] : [])]
    return (this.#prepare(sql).all(...all) as Array<{ raw: string }>).map((row) => JSON.parse(row.raw) as NostrEvent)
  }

  topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[] {
    if (query.limit <= 0) return []
    const { where, params } = compileFilter({ ...conditions, '#h': [query.channel] })
    const sql =
      `SELECT e.raw FROM events e WHERE ${where} AND ${TopLevelClause} ` +
      `ORDER BY e.created_at DESC, e.id ASC${Number.isFinite(query.limit) ? ' LIMIT ?' : ''}`
    const all = [...params, ...(Number.isFinite(query.limit) ? [query.limit] : [])]
    return (this.#prepare(sql).all(...all) as Array<{ raw: string }>).map((row) => JSON.parse(row.raw) as NostrEvent)
  }

  count(filters: readonly Filter[]): number {
    if (filters.length === 0) return 0
    const parts = filters.map(compileFilter)
    const sql = `SELECT COUNT(*) AS n FROM (${parts.map((p) => `SELECT e.seq FROM events e WHERE ${p.where}`).join(' UNION ')})`
    const row = this.#prepare(sql).get(...parts.flatMap((p) => p.params)) as { n: number }
    return row.n
  }

  size(): number {
    return (this.#count.get() as { n: number }).n
  }

  close(): void {
    const checkpointer = this.#checkpointer
    this.#checkpointer = undefined
    if (checkpointer !== undefined) stopCheckpointer(checkpointer)
    // Closing the last connection checkpoints what is left and removes the WAL.
    if (this.#db.open) this.#db.close()
  }

  /** Brings a version 1 file up to version 2: thread columns, NULL for existing rows. */
  #migrate(): void {
    const columns = new Set((this.#db.pragma('table_info(events)') as Array<{ name: string }>).map((column) => column.name))
    for (const [name, type] of ThreadColumns) {
      if (!columns.has(name)) this.#db.exec(`ALTER TABLE events ADD COLUMN ${name} ${type}`)
    }
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      // Filters of one shape share a statement; the cache stays small in practice.
      if (this.#statements.size < 500) this.#statements.set(sql, statement)
    }
    return statement
  }
}
