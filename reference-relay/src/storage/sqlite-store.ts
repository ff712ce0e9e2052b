/**
 * SQLite backend (better-sqlite3, WAL, synchronous=FULL so a commit survives a crash of the
 * process and of the machine; or, with deferSync, the caller syncs the WAL before it relies
 * on a commit, which is the same guarantee). Filters compile to one SELECT each with the exact semantics
 * of spec/model's matchFilterInScope: single-letter tags are indexed in `tags`, and `#h`
 * also checks the `channel` column that channelOf computed at insert (global-only kinds
 * have none, so they never answer channel reads).
 */

import { closeSync, fdatasync, fsync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { type Filter, tagConditions } from '../../../spec/model/filter.ts'
import { addressOf } from '../../../spec/model/head.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import { channelOf } from '../../../spec/model/scope.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { BatchEffect, BatchNeeds, BatchSnapshot } from './batch.ts'
import type { EventStore, StoredEvent, StoredQuery } from './event-store.ts'
import { unionNewestFirst } from './read.ts'
import { settleRules } from './rules-record.ts'
import type { WriteRulesName } from './write-rules.ts'

/**
 * 2: thread columns (version 1 files are migrated in place; their rows have no thread facts).
 * 3: the `commits` counter (added in place), which readers use to tell which batches a
 * snapshot includes.
 * 4: two indexes fewer (dropped in place): `events_pubkey`, whose reads the author-and-kind
 * index serves, and `events_address`, whose lookups go through the `d` tag in `tags`. Every index
 * costs each insert a page of its own in the commit (see StaleIndexes).
 * 5: the time-ordered indexes end at created_at (the row's seq is their last column), so
 * events of one second go in arrival order, next to each other, instead of at random
 * places by id; the id tiebreak is sorted per second when read (replaced in place).
 * 6: the `removed` table (created in place, empty): id and author of each event origin mode
 * removed (a superseded version, a deleted event), which its decisions still count as held
 * (WriteRules.keepsRemoved). The open mode never writes or reads it. Events an origin-mode
 * file lost before version 6 are gone; only those named by its stored `e` deletions are
 * recorded again when such a file is upgraded (see #recordLostRemovals).
 * 7: `tags` is a table without rowid keyed (name, value, seq), its own lookup index, with no
 * index by seq: one B-tree insert per tag instead of three (rebuilt in one transaction when
 * an older file is opened; see TagsColumns). Measured, the writer alone, 20,000 personas in
 * batches of 128: WAL 13,328 → 11,969 bytes and CPU −16 % per persona.
 * Any version: the `settings` table, recording the rule set the file's events were decided by
 * (storage/rules-record.ts), is created in place on any version by the writer; it has no
 * version of its own, since only the writer reads it.
 */
const SchemaVersion = 7

/** The tags table of schema 7. A removed event's rows are found from its stored JSON (indexedTags), not by seq. */
const TagsColumns = 'name TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, value, seq)'

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
CREATE INDEX IF NOT EXISTS events_by_time ON events (created_at DESC);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, created_at DESC);
CREATE INDEX IF NOT EXISTS events_by_author_kind ON events (pubkey, kind, created_at DESC);
CREATE INDEX IF NOT EXISTS events_channel ON events (channel, created_at DESC, id) WHERE channel IS NOT NULL;
CREATE TABLE IF NOT EXISTS tags (${TagsColumns}) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO commits (id, n) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS removed (
  id     TEXT PRIMARY KEY,
  pubkey TEXT NOT NULL
) WITHOUT ROWID;
`

/** Added by schema version 2; ALTER TABLE adds them to version 1 files. */
const ThreadColumns = [
  ['thread_root', 'TEXT'],
  ['thread_parent', 'TEXT'],
  ['thread_depth', 'INTEGER'],
  ['thread_broadcast', 'INTEGER'],
] as const

/**
 * Indexes of older versions, dropped by the writer. Inserts land at random places in most
 * indexes (ids, authors, addresses), so a batch of N events dirties about N pages of every
 * index, and with synchronous=FULL each of those pages is written and synced in the commit:
 * on this relay's disks the commit's bytes, not its CPU, bound durable ingest.
 */
const StaleIndexes = ['events_pubkey', 'events_address', 'events_created', 'events_kind', 'events_pubkey_kind']

const ThreadIndex = `
CREATE INDEX IF NOT EXISTS events_thread ON events (thread_root, thread_depth, created_at, id) WHERE thread_root IS NOT NULL;
`

/** Top-level (spec/model isTopLevel): no thread facts, a root, or a depth-1 broadcast reply. */
const TopLevelClause = '(e.thread_depth IS NULL OR e.thread_depth = 0 OR (e.thread_depth = 1 AND e.thread_broadcast = 1))'

interface StoredRow {
  id: string
  created_at: number
  raw: string
}

const storedOfRow = (row: StoredRow): StoredEvent => ({ id: row.id, created_at: row.created_at, json: row.raw })

interface ThreadRow {
  raw: string
  thread_root: string | null
  thread_parent: string | null
  thread_depth: number | null
  thread_broadcast: number | null
}

const parseRow = (row: { raw: string }) => JSON.parse(row.raw) as NostrEvent

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

/**
 * Tags whose values identify something (a `d` identifier, an event id, an address): a lookup
 * by one of them finds a handful of rows, so it drives the query.
 */
const IdentifierTags: ReadonlySet<string> = new Set(['d', 'e', 'a'])

/**
 * WHERE clause of one filter; list conditions bind one JSON array each (no parameter blow-up).
 * A filter naming an identifier tag (a read by address: kinds, authors, `#d`) is answered
 * from the tags index; its other conditions are written with a unary `+`, which keeps SQLite
 * from driving the query with their indexes instead (it would walk every event of the
 * author and probe the tags of each). The meaning is the same either way.
 */
function compileFilter(filter: Filter): Compiled {
  const clauses: string[] = []
  const params: unknown[] = []
  const tags = tagConditions(filter)
  const driver = filter.ids === undefined ? tags.find(([name]) => IdentifierTags.has(name)) : undefined
  const column = (name: string) => (driver === undefined ? name : `+${name}`)
  // One value (the common case: a read by address, a deletion lookup) is a plain `=` the
  // planner can use an index for; other lists bind one JSON array (no parameter blow-up).
  const oneOf = (values: readonly unknown[]) => {
    if (values.length === 1) {
      params.push(values[0])
      return '= ?'
    }
    params.push(JSON.stringify(values))
    return 'IN (SELECT value FROM json_each(?))'
  }
  if (driver !== undefined) {
    params.push(driver[0])
    clauses.push(`e.seq IN (SELECT t.seq FROM tags t WHERE t.name = ? AND t.value ${oneOf(driver[1])})`)
  }
  if (filter.ids) clauses.push(`e.id ${oneOf(filter.ids)}`)
  if (filter.authors) clauses.push(`${column('e.pubkey')} ${oneOf(filter.authors)}`)
  if (filter.kinds) clauses.push(`${column('e.kind')} ${oneOf(filter.kinds)}`)
  if (filter.since !== undefined) {
    clauses.push(`${column('e.created_at')} >= ?`)
    params.push(filter.since)
  }
  if (filter.until !== undefined) {
    clauses.push(`${column('e.created_at')} <= ?`)
    params.push(filter.until)
  }
  for (const [name, values] of tags) {
    if (driver === undefined || name !== driver[0]) {
      params.push(name)
      clauses.push(`EXISTS (SELECT 1 FROM tags t WHERE t.seq = e.seq AND t.name = ? AND t.value ${oneOf(values)})`)
    }
    if (name === 'h') clauses.push(`${column('e.channel')} ${oneOf(values)}`)
  }
  return { where: clauses.length > 0 ? clauses.join(' AND ') : '1', params }
}

/** The write connection's page cache (the readers keep SQLite's default). */
const WriterCacheKiB = 64 * 1024

/** How often the checkpointer copies the WAL into the database file. */
const CheckpointIntervalMs = 200
/** How long after opening the store the checkpointer starts. */
const CheckpointerStartDelayMs = 1_000

/** The checkpointer's state, shared with checkpoint-worker.js (one Int32 both sides change atomically). */
const CheckpointerState = { starting: 0, open: 1, closed: 2, cancelled: 3 } as const

interface Checkpointer {
  worker: Worker
  state: Int32Array
  alive: boolean
}

function startCheckpointer(path: string, script: URL): Checkpointer {
  const state = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(script, {
    workerData: { path, intervalMs: CheckpointIntervalMs, state: state.buffer },
  })
  // It must never keep the process alive, nor take it down: SQLite's own crash safety
  // covers a checkpoint cut short.
  worker.unref()
  worker.on('error', () => {})
  const checkpointer: Checkpointer = { worker, state, alive: true }
  worker.on('exit', () => {
    checkpointer.alive = false
  })
  return checkpointer
}

/**
 * Stops the checkpointer and waits (at most 5 s) until it has let go of the files. One that
 * has not opened its connection yet is cancelled instead (a store opened and closed at once
 * does not wait for a thread to start).
 */
function stopCheckpointer(checkpointer: Checkpointer): void {
  if (!checkpointer.alive) return
  const { state } = checkpointer
  if (Atomics.compareExchange(state, 0, CheckpointerState.starting, CheckpointerState.cancelled) === CheckpointerState.starting) return
  checkpointer.worker.postMessage({ type: 'stop' })
  Atomics.wait(state, 0, CheckpointerState.open, 5_000)
}

export interface SqliteStoreOptions {
  /**
   * A reader's connection: writes are refused (`query_only`), and the schema must already
   * be there (the writer's connection creates and migrates it). Default false.
   */
  readOnly?: boolean
  /** Where checkpoint-worker.js is; default: beside this file (not resolvable from a bundle). */
  checkpointer?: URL
  /**
   * Commits are written to the WAL but not synced by SQLite (synchronous=NORMAL); the caller
   * makes them durable with `syncCommits()` before it tells anyone they are (the writer
   * thread: one sync covers every commit made while the previous sync ran, and the disk
   * works while the next batch is decided). Together that is synchronous=FULL: every commit
   * is synced before it is acknowledged. Default false: SQLite syncs each commit itself.
   * Only for a file given by plain path (anything else is synced by SQLite).
   */
  deferSync?: boolean
}

const fdatasyncAsync = promisify(fdatasync)
const fsyncAsync = promisify(fsync)

/** checkpoint-worker.js beside this module. */
export const CheckpointerScript = (): URL => new URL('./checkpoint-worker.js', import.meta.url)

export class SqliteStore implements EventStore {
  readonly backend = 'sqlite'
  readonly #db: Database.Database
  readonly #statements = new Map<string, Database.Statement>()
  readonly #insertEvent: Database.Statement
  readonly #insertTag: Database.Statement
  readonly #selectById: Database.Statement<[string], { raw: string }>
  readonly #selectThreaded: Database.Statement<[string], ThreadRow>
  readonly #selectSeq: Database.Statement<[string], { seq: number }>
  readonly #selectRemovable: Database.Statement<[string], { seq: number; raw: string }>
  readonly #selectAddressByD: Database.Statement<[string, string], { raw: string }>
  readonly #selectAddressByKind: Database.Statement<[string, number, string], { raw: string }>
  readonly #selectDeletionsNaming: Database.Statement<[string, string, string], { raw: string }>
  readonly #selectAnyDeletion: Database.Statement<[string], { one: number }>
  readonly #deleteEvent: Database.Statement
  readonly #deleteTag: Database.Statement
  readonly #insertRemoved: Database.Statement<[string, string]>
  readonly #selectRemoved: Database.Statement<[string], { pubkey: string }>
  readonly #count: Database.Statement<[], { n: number }>
  readonly #selectCommit: Database.Statement<[], { n: number }>
  readonly #bumpCommit: Database.Statement
  #checkpointer: Checkpointer | undefined
  #checkpointerStart: NodeJS.Timeout | undefined
  /** With deferSync: the WAL file's path and, once opened, its descriptor for syncCommits. */
  #wal: { path: string; fd: number | null } | null = null

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.#db = new Database(path)
    this.#db.pragma('busy_timeout = 5000')
    if (options.readOnly === true) {
      this.#db.pragma('query_only = ON')
      const version = this.#db.pragma('user_version', { simple: true }) as number
      if (version !== SchemaVersion) {
        this.#db.close()
        throw new Error(`error: ${path} has schema version ${version}; a reader needs ${SchemaVersion} (open the writer first)`)
      }
    } else {
      this.#db.pragma('journal_mode = WAL')
      const plainFile = path !== '' && path !== ':memory:' && !path.startsWith('file:')
      if (options.deferSync === true && plainFile) {
        this.#db.pragma('synchronous = NORMAL')
        this.#wal = { path: `${path}-wal`, fd: null }
      } else this.#db.pragma('synchronous = FULL')
      // A batch dirties a page per event in most indexes; with SQLite's default 2 MiB cache
      // those pages are read again from the file and spilled before the commit.
      this.#db.pragma(`cache_size = -${WriterCacheKiB}`)
      const file = path !== '' && path !== ':memory:' && !path.startsWith('file::memory:')
      if (file) {
        // Checkpoints run beside the writer (checkpoint-worker.js), not inside its commits. The
        // thread starts a moment after the store opens: a store closed sooner (a test) starts
        // none, and closing the last connection checkpoints what is left anyway.
        this.#db.pragma('wal_autocheckpoint = 0')
        const script = options.checkpointer ?? CheckpointerScript()
        this.#checkpointerStart = setTimeout(() => this.#startCheckpointer(path, script), CheckpointerStartDelayMs)
        this.#checkpointerStart.unref()
      }
      const version = this.#db.pragma('user_version', { simple: true }) as number
      if (version > SchemaVersion) {
        this.close()
        throw new Error(`error: ${path} has schema version ${version}, newer than this relay's ${SchemaVersion}`)
      }
      this.#db.exec(Schema)
      this.#migrate()
      this.#migrateTags()
      if (version > 0 && version < 6) this.#recordLostRemovals()
      for (const index of StaleIndexes) this.#db.exec(`DROP INDEX IF EXISTS ${index}`)
      this.#db.exec(ThreadIndex)
      this.#db.pragma(`user_version = ${SchemaVersion}`)
    }
    this.#insertEvent = this.#db.prepare(
      'INSERT OR IGNORE INTO events (id, pubkey, created_at, kind, address, channel, raw, ' +
        'thread_root, thread_parent, thread_depth, thread_broadcast) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    // OR IGNORE: an event may carry the same tag twice; one row answers every filter.
    this.#insertTag = this.#db.prepare('INSERT OR IGNORE INTO tags (seq, name, value) VALUES (?, ?, ?)')
    this.#selectById = this.#db.prepare('SELECT raw FROM events WHERE id = ?')
    this.#selectThreaded = this.#db.prepare(
      'SELECT raw, thread_root, thread_parent, thread_depth, thread_broadcast FROM events WHERE id = ?',
    )
    this.#selectSeq = this.#db.prepare('SELECT seq FROM events WHERE id = ?')
    this.#selectRemovable = this.#db.prepare('SELECT seq, raw FROM events WHERE id = ?')
    // An address `kind:pubkey:d` with a non-empty d is found through its d tag (the first
    // valued d tag is the address's, and every valued d tag is in `tags`); an empty d may
    // have no tag, so its versions are looked for among the author's events of that kind.
    this.#selectAddressByD = this.#db.prepare(
      "SELECT e.raw FROM tags t JOIN events e ON e.seq = t.seq WHERE t.name = 'd' AND t.value = ? AND e.address = ?",
    )
    this.#selectAddressByKind = this.#db.prepare('SELECT raw FROM events WHERE pubkey = ? AND kind = ? AND address = ?')
    this.#selectDeletionsNaming = this.#db.prepare(
      'SELECT e.raw FROM tags t JOIN events e ON e.seq = t.seq WHERE t.name = ? AND t.value = ? AND e.pubkey = ? AND e.kind = 5',
    )
    this.#selectAnyDeletion = this.#db.prepare('SELECT 1 AS one FROM events WHERE pubkey = ? AND kind = 5 LIMIT 1')
    this.#deleteEvent = this.#db.prepare('DELETE FROM events WHERE seq = ?')
    this.#deleteTag = this.#db.prepare('DELETE FROM tags WHERE name = ? AND value = ? AND seq = ?')
    this.#insertRemoved = this.#db.prepare('INSERT OR IGNORE INTO removed (id, pubkey) VALUES (?, ?)')
    this.#selectRemoved = this.#db.prepare('SELECT pubkey FROM removed WHERE id = ?')
    this.#count = this.#db.prepare('SELECT COUNT(*) AS n FROM events')
    this.#selectCommit = this.#db.prepare('SELECT n FROM commits WHERE id = 1')
    this.#bumpCommit = this.#db.prepare('UPDATE commits SET n = n + 1 WHERE id = 1')
  }

  transaction<T>(fn: () => T): T {
    // IMMEDIATE: take the write lock before the first read, so a transaction that reads
    // first never fails to upgrade (SQLITE_BUSY) while the checkpointer works; it waits
    // (busy_timeout) instead. better-sqlite3 turns a nested transaction into a savepoint.
    return this.#db.transaction(fn).immediate()
  }

  snapshot<T>(fn: () => T): T {
    // A deferred transaction: its first read fixes the snapshot every later read sees.
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).deferred()
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
      if (event.kind === DeletionKind) this.#authorDeleted.set(event.pubkey, true)
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
    // Stored addresses are `kind:pubkey:d` with a decimal kind and a hex pubkey, so for any
    // string equal to one, d is what follows the second colon.
    const first = address.indexOf(':')
    const second = first < 0 ? -1 : address.indexOf(':', first + 1)
    if (second < 0) return []
    const d = address.slice(second + 1)
    const rows =
      d === ''
        ? this.#selectAddressByKind.all(address.slice(first + 1, second), Number(address.slice(0, first)), address)
        : this.#selectAddressByD.all(d, address)
    return rows.map((row) => JSON.parse(row.raw) as NostrEvent)
  }

  remove(id: string): boolean {
    return this.#atomic(() => {
      const row = this.#selectRemovable.get(id)
      if (row === undefined) return false
      for (const [name, value] of indexedTags(JSON.parse(row.raw) as NostrEvent)) this.#deleteTag.run(name, value, row.seq)
      this.#deleteEvent.run(row.seq)
      return true
    })
  }

  query(filter: Filter): NostrEvent[] {
    return this.#queryRows(filter).map(parseRow)
  }

  threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[] {
    return this.#threadRows(query, conditions).map(parseRow)
  }

  topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[] {
    return this.#topLevelRows(query, conditions).map(parseRow)
  }

  read(query: StoredQuery): StoredEvent[] {
    switch (query.type) {
      case 'filters':
        return unionNewestFirst(query.filters.map((filter) => this.#queryRows(filter).map(storedOfRow)))
      case 'thread':
        return this.#threadRows(query.query, query.conditions).map(storedOfRow)
      case 'top-level':
        return this.#topLevelRows(query.query, query.conditions).map(storedOfRow)
    }
  }

  loadBatch(needs: BatchNeeds): BatchSnapshot {
    const events = new Map<string, ThreadedEvent>()
    for (const id of needs.ids) {
      const found = this.getThreaded(id)
      if (found !== undefined) events.set(id, found)
    }
    const versions = new Map(needs.addresses.map((address) => [address, this.versionsOf(address)]))
    const removed = new Map<string, string>()
    if (needs.removed) {
      for (const id of needs.ids) {
        const row = this.#selectRemoved.get(id)
        if (row !== undefined) removed.set(id, row.pubkey)
      }
    }
    const deletions = new Map<string, NostrEvent>()
    for (const { pubkey, ids, addresses } of needs.deletionRefs) {
      if (!this.#mayHaveDeletions(pubkey)) continue
      const probe = (name: string, value: string) => {
        for (const row of this.#selectDeletionsNaming.all(name, value, pubkey)) {
          const deletion = JSON.parse(row.raw) as NostrEvent
          deletions.set(deletion.id, deletion)
        }
      }
      for (const id of ids) probe('e', id)
      for (const address of addresses) probe('a', address)
    }
    return { events, versions, deletions: [...deletions.values()], removed }
  }

  applyBatch(effects: readonly BatchEffect[]): void {
    this.#atomic(() => {
      for (const effect of effects) {
        if (effect.type === 'insert') this.insert(effect.event, effect.thread)
        else {
          this.remove(effect.event.id)
          if (effect.keep) this.#insertRemoved.run(effect.event.id, effect.event.pubkey)
        }
      }
      this.#bumpCommit.run()
    })
  }

  /**
   * With deferSync: makes every commit made so far durable (fdatasync of the WAL, as
   * synchronous=FULL does at each commit). The first call also syncs the directory, so the
   * WAL file's own entry survives a crash. Without deferSync SQLite has done it already.
   */
  async syncCommits(): Promise<void> {
    const wal = this.#wal
    if (wal === null) return
    if (wal.fd === null) {
      const dir = openSync(dirname(wal.path), 'r')
      try {
        await fsyncAsync(dir)
      } finally {
        closeSync(dir)
      }
      wal.fd = openSync(wal.path, 'r')
    }
    await fdatasyncAsync(wal.fd)
  }

  lastCommit(): number {
    return (this.#selectCommit.get() as { n: number }).n
  }

  #queryRows(filter: Filter): StoredRow[] {
    if (filter.limit === 0) return []
    const { where, params } = compileFilter(filter)
    const limit = filter.limit === undefined ? '' : ' LIMIT ?'
    if (filter.limit !== undefined) params.push(filter.limit)
    const sql = `SELECT e.id, e.created_at, e.raw FROM events e WHERE ${where} ORDER BY e.created_at DESC, e.id ASC${limit}`
    return this.#prepare(sql).all(...params) as StoredRow[]
  }

  #threadRows(query: ThreadQuery, conditions: Filter): StoredRow[] {
    if (query.limit <= 0 || query.depthLimit < 1) return []
    const { where, params } = compileFilter(conditions)
    const sql =
      `SELECT e.id, e.created_at, e.raw FROM events e WHERE e.thread_root = ? AND e.thread_depth BETWEEN 1 AND ? AND ${where} ` +
      `ORDER BY e.created_at ASC, e.id ASC${Number.isFinite(query.limit) ? ' LIMIT ?' : ''}`
    const all = [query.root, query.depthLimit, ...params, ...(Number.isFinite(query.limit) ? [query.limit] : [])]
    return this.#prepare(sql).all(...all) as StoredRow[]
  }

  #topLevelRows(query: TopLevelQuery, conditions: Filter): StoredRow[] {
    if (query.limit <= 0) return []
    const { where, params } = compileFilter({ ...conditions, '#h': [query.channel] })
    const sql =
      `SELECT e.id, e.created_at, e.raw FROM events e WHERE ${where} AND ${TopLevelClause} ` +
      `ORDER BY e.created_at DESC, e.id ASC${Number.isFinite(query.limit) ? ' LIMIT ?' : ''}`
    const all = [...params, ...(Number.isFinite(query.limit) ? [query.limit] : [])]
    return this.#prepare(sql).all(...all) as StoredRow[]
  }

  /**
   * Whether the author has any stored deletion, per author, filled lazily. `false` is exact
   * on the writer's connection (kind 5 events reach the file only through it, and insert
   * marks their author); `true` only means "look". Spares the deletion probes of authors
   * who never deleted.
   */
  readonly #authorDeleted = new Map<string, boolean>()

  #mayHaveDeletions(pubkey: string): boolean {
    let known = this.#authorDeleted.get(pubkey)
    if (known === undefined) {
      if (this.#authorDeleted.size >= 100_000) this.#authorDeleted.clear()
      known = this.#selectAnyDeletion.get(pubkey) !== undefined
      this.#authorDeleted.set(pubkey, known)
    }
    return known
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
    clearTimeout(this.#checkpointerStart)
    const checkpointer = this.#checkpointer
    this.#checkpointer = undefined
    if (checkpointer !== undefined) stopCheckpointer(checkpointer)
    if (this.#wal?.fd != null) closeSync(this.#wal.fd)
    this.#wal = null
    // Closing the last connection checkpoints what is left and removes the WAL.
    if (this.#db.open) this.#db.close()
  }

  #startCheckpointer(path: string, script: URL): void {
    if (!this.#db.open) return
    const checkpointer = startCheckpointer(path, script)
    this.#checkpointer = checkpointer
    checkpointer.worker.on('exit', () => {
      // Gone before close (it failed to open the file, say): SQLite checkpoints again.
      if (this.#checkpointer === checkpointer && this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000')
    })
  }

  /**
   * Records the rule set the writer decides by, or throws `error:` when the file's events were
   * decided by the other one (storage/rules-record.ts). On the writer's connection only.
   */
  settleRules(wanted: WriteRulesName, label: string): void {
    this.#atomic(() => {
      const row = this.#db.prepare("SELECT value FROM settings WHERE name = 'rules'").get() as { value: string } | undefined
      const hasEvents = this.#db.prepare('SELECT 1 FROM events LIMIT 1').get() !== undefined
      const settled = settleRules(row?.value ?? null, hasEvents, wanted, label)
      if (!settled.ok) throw new Error(settled.message)
      if (row?.value !== settled.record) this.#db.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('rules', ?)").run(settled.record)
    })
  }

  /**
   * Upgrading an origin-mode file written before version 6: the events it removed are gone,
   * but each `e` target of its stored deletions was held by the deletion's author (origin
   * mode refuses any other) and, when no longer stored, was removed: those are recorded.
   * Superseded versions and versions an `a` deletion removed cannot be recovered.
   */
  #recordLostRemovals(): void {
    const row = this.#db.prepare("SELECT value FROM settings WHERE name = 'rules'").get() as { value: string } | undefined
    if (row?.value !== 'origin') return
    this.#db.exec(
      "INSERT OR IGNORE INTO removed (id, pubkey) SELECT DISTINCT lower(t.value), e.pubkey FROM tags t JOIN events e ON e.seq = t.seq " +
        "WHERE t.name = 'e' AND e.kind = 5 AND length(t.value) = 64 AND NOT glob('*[^0-9a-fA-F]*', t.value) " +
        'AND NOT EXISTS (SELECT 1 FROM events x WHERE x.id = lower(t.value))',
    )
  }

  /** Brings the tags of a file before version 7 into the table without rowid (one transaction). */
  #migrateTags(): void {
    const row = this.#db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tags'").get() as { sql: string } | undefined
    if (row === undefined || /WITHOUT\s+ROWID/i.test(row.sql)) return
    this.#db.transaction(() => {
      this.#db.exec(`CREATE TABLE tags_v7 (${TagsColumns}) WITHOUT ROWID`)
      this.#db.exec('INSERT OR IGNORE INTO tags_v7 (name, value, seq) SELECT name, value, seq FROM tags')
      this.#db.exec('DROP TABLE tags')
      this.#db.exec('ALTER TABLE tags_v7 RENAME TO tags')
    })()
  }

  /** Brings a version 1 file up to date: thread columns, NULL for existing rows (the commits table comes with Schema). */
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
