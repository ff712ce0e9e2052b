/**
 * The retention store: a SQLite file holding, per address (kind, pubkey, d_tag), the head
 * as the raw signed event; local NIP-09 tombstones; the pending-sync queue; and the env
 * vars that stay on this machine. Latest wins by spec/model's compareVersions (equal
 * created_at: lowest id), so arrival order never matters. Every event read back is
 * re-verified (id, signature, envelope) before it is returned.
 */

import Database from 'better-sqlite3'
import { deletionTargets, isDeletedBy } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { addressOf, compareVersions, dTagOf, formatAddress } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { touchPrivateFile } from './home.ts'
import { checkPersonaEvent, checkSignedEvent, parseStoredEvent } from './verify.ts'

export type PutResult =
  | { status: 'stored'; replaced: string | null }
  | { status: 'stale'; message: string }
  | { status: 'deleted'; message: string }
  | { status: 'invalid'; message: string }

export type DeletionPutResult =
  | { status: 'stored'; removed: number }
  | { status: 'stale'; message: string }
  | { status: 'invalid'; message: string }

export type PersonaRead =
  | { status: 'present'; event: NostrEvent }
  | { status: 'deleted'; deletion: NostrEvent }
  | { status: 'missing' }
  | { status: 'corrupt'; message: string }

export type SyncState = 'pending' | 'failed'

export interface PendingEntry {
  seq: number
  event: NostrEvent
  address: string
  enqueuedAt: number
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  state: SyncState
}

export interface CorruptEntry {
  where: 'events' | 'tombstones' | 'pending_sync'
  key: string
  message: string
}

/** Seconds to wait before the next attempt after `attempts` failures: 5 s doubling, capped at 1 h. */
export function retryDelaySeconds(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20))
  return Math.min(5 * 2 ** exponent, 3600)
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  kind INTEGER NOT NULL,
  pubkey TEXT NOT NULL,
  d_tag TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  raw TEXT NOT NULL,
  PRIMARY KEY (kind, pubkey, d_tag)
);
CREATE TABLE IF NOT EXISTS tombstones (
  kind INTEGER NOT NULL,
  pubkey TEXT NOT NULL,
  d_tag TEXT NOT NULL,
  deletion_id TEXT NOT NULL,
  deleted_at INTEGER NOT NULL,
  raw TEXT NOT NULL,
  PRIMARY KEY (kind, pubkey, d_tag)
);
CREATE TABLE IF NOT EXISTS pending_sync (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL,
  raw TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed'))
);
CREATE TABLE IF NOT EXISTS persona_env (
  pubkey TEXT NOT NULL,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (pubkey, slug, name)
);
`

const SchemaVersion = '1'

interface EventRow {
  id: string
  created_at: number
  raw: string
}

interface TombstoneRow {
  deletion_id: string
  deleted_at: number
  raw: string
}

interface PendingRow {
  seq: number
  address: string
  raw: string
  enqueued_at: number
  attempts: number
  next_attempt_at: number
  last_error: string | null
  state: SyncState
}

export interface RetentionStore {
  readonly path: string
  /** Runs `fn` in one transaction: all of its writes land or none do. */
  transaction<T>(fn: () => T): T
  putPersona(event: NostrEvent): PutResult
  putDeletion(event: NostrEvent): DeletionPutResult
  readPersona(pubkey: string, slug: string): PersonaRead
  /** Verified heads of one author (or of every author), slug order; corrupt rows are skipped and reported. */
  listPersonas(pubkey?: string): { events: NostrEvent[]; corrupt: CorruptEntry[] }
  /** True when the address has a head or a tombstone: the slug has history here. */
  hasAddress(pubkey: string, slug: string): boolean
  /** The greatest created_at known for the address, head or deletion; undefined when none. */
  lastTimestampOf(pubkey: string, slug: string): number | undefined
  enqueueSync(event: NostrEvent, now: number): void
  /** Pending (not failed) entries in queue order; with `dueAt`, only those whose next attempt has come. */
  listPendingSync(options?: { dueAt?: number; includeFailed?: boolean }): { entries: PendingEntry[]; corrupt: CorruptEntry[] }
  countPendingSync(): { pending: number; failed: number }
  pendingAddresses(): Set<string>
  markSyncDone(seq: number): void
  markSyncRetry(seq: number, error: string, now: number): void
  markSyncFailed(seq: number, error: string): void
  /** Counts an attempt that never reached the relay; the next-attempt time is left alone. */
  markSyncUnreachable(seq: number, error: string): void
  /** Swaps the queued event (a re-stamped version) keeping the entry's place in the queue. */
  replacePendingEvent(seq: number, event: NostrEvent): void
  dropPendingFor(address: string): number
  setPersonaEnv(pubkey: string, slug: string, env: Record<string, string>): void
  readPersonaEnv(pubkey: string, slug: string): Record<string, string>
  close(): void
}

export function personaAddress(pubkey: string, slug: string): string {
  return formatAddress(PersonaKind, pubkey, slug)
}

export function openRetentionStore(path: string): RetentionStore {
  if (path !== ':memory:') touchPrivateFile(path)
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.exec(schema)
  const version = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).get()
  if (version === undefined) {
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(SchemaVersion)
  } else if (version.value !== SchemaVersion) {
    db.close()
    throw new Error(`error: store ${path} has schema version ${version.value}, this client reads ${SchemaVersion}`)
  }

  const selectHead = db.prepare<[number, string, string], EventRow>(
    'SELECT id, created_at, raw FROM events WHERE kind = ? AND pubkey = ? AND d_tag = ?',
  )
  const upsertHead = db.prepare(
    `INSERT INTO events (kind, pubkey, d_tag, id, created_at, raw) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, pubkey, d_tag) DO UPDATE SET id = excluded.id, created_at = excluded.created_at, raw = excluded.raw`,
  )
  const deleteHead = db.prepare('DELETE FROM events WHERE kind = ? AND pubkey = ? AND d_tag = ?')
  const deleteHeadById = db.prepare('DELETE FROM events WHERE id = ? AND pubkey = ?')
  const selectTombstone = db.prepare<[number, string, string], TombstoneRow>(
    'SELECT deletion_id, deleted_at, raw FROM tombstones WHERE kind = ? AND pubkey = ? AND d_tag = ?',
  )
  const upsertTombstone = db.prepare(
    `INSERT INTO tombstones (kind, pubkey, d_tag, deletion_id, deleted_at, raw) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, pubkey, d_tag) DO UPDATE SET deletion_id = excluded.deletion_id, deleted_at = excluded.deleted_at, raw = excluded.raw`,
  )
  const selectPending = db.prepare<[], PendingRow>(
    'SELECT seq, address, raw, enqueued_at, attempts, next_attempt_at, last_error, state FROM pending_sync ORDER BY seq',
  )

  function readTombstone(kind: number, pubkey: string, slug: string): TombstoneRow | undefined {
    return selectTombstone.get(kind, pubkey, slug)
  }

  const store: RetentionStore = {
    path,

    transaction<T>(fn: () => T): T {
      return db.transaction(fn)()
    },

    putPersona(event) {
      const checked = checkPersonaEvent(event)
      if (!checked.ok) return { status: 'invalid', message: checked.message }
      event = checked.event
      const slug = dTagOf(event)
      return db.transaction((): PutResult => {
        const tombstone = readTombstone(event.kind, event.pubkey, slug)
        if (tombstone !== undefined && event.created_at <= tombstone.deleted_at) {
          return {
            status: 'deleted',
            message: formatReason('blocked', `${slug} was deleted at ${tombstone.deleted_at}; a new version needs a later created_at`),
          }
        }
        const current = selectHead.get(event.kind, event.pubkey, slug)
        if (current !== undefined && compareVersions(event, current) >= 0) {
          const same = current.id === event.id
          return {
            status: 'stale',
            message: formatReason('duplicate', same ? 'already have this event' : `have a newer version of ${slug} (${current.id})`),
          }
        }
        upsertHead.run(event.kind, event.pubkey, slug, event.id, event.created_at, JSON.stringify(event))
        return { status: 'stored', replaced: current?.id ?? null }
      })()
    },

    putDeletion(event) {
      const checked = checkSignedEvent(event)
      if (!checked.ok) return { status: 'invalid', message: checked.message }
      event = checked.event
      if (event.kind !== DeletionKind) return { status: 'invalid', message: `invalid: expected kind ${DeletionKind}, got ${event.kind}` }
      return db.transaction((): DeletionPutResult => {
        const targets = deletionTargets(event)
        let removed = 0
        let recorded = 0
        for (const target of targets.addresses) {
          if (target.pubkey !== event.pubkey) continue
          const existing = readTombstone(target.kind, target.pubkey, target.d)
          const newer =
            existing === undefined ||
            compareVersions({ id: event.id, created_at: event.created_at }, { id: existing.deletion_id, created_at: existing.deleted_at }) < 0
          if (newer) {
            upsertTombstone.run(target.kind, target.pubkey, target.d, event.id, event.created_at, JSON.stringify(event))
            recorded += 1
          }
          const head = selectHead.get(target.kind, target.pubkey, target.d)
          if (head !== undefined) {
            const headEvent = JSON.parse(head.raw) as NostrEvent
            if (isDeletedBy(headEvent, event)) {
              deleteHead.run(target.kind, target.pubkey, target.d)
              removed += 1
            }
          }
        }
        for (const id of targets.ids) removed += deleteHeadById.run(id, event.pubkey).changes
        if (recorded === 0 && removed === 0) {
          return { status: 'stale', message: formatReason('duplicate', 'deletion already applied or superseded') }
        }
        return { status: 'stored', removed }
      })()
    },

    readPersona(pubkey, slug) {
      const row = selectHead.get(PersonaKind, pubkey, slug)
      if (row !== undefined) {
        const checked = parseStoredEvent(row.raw, checkPersonaEvent)
        if (!checked.ok) return { status: 'corrupt', message: `error: stored head ${row.id} of ${slug} failed verification (${checked.message})` }
        return { status: 'present', event: checked.event }
      }
      const tombstone = readTombstone(PersonaKind, pubkey, slug)
      if (tombstone !== undefined) {
        const checked = parseStoredEvent(tombstone.raw, checkSignedEvent)
        if (!checked.ok) return { status: 'corrupt', message: `error: stored deletion of ${slug} failed verification (${checked.message})` }
        return { status: 'deleted', deletion: checked.event }
      }
      return { status: 'missing' }
    },

    listPersonas(pubkey) {
      const rows =
        pubkey === undefined
          ? db.prepare<[number], EventRow & { d_tag: string }>('SELECT id, created_at, raw, d_tag FROM events WHERE kind = ? ORDER BY pubkey, d_tag').all(PersonaKind)
          : db
              .prepare<[number, string], EventRow & { d_tag: string }>('SELECT id, created_at, raw, d_tag FROM events WHERE kind = ? AND pubkey = ? ORDER BY d_tag')
              .all(PersonaKind, pubkey)
      const events: NostrEvent[] = []
      const corrupt: CorruptEntry[] = []
      for (const row of rows) {
        const checked = parseStoredEvent(row.raw, checkPersonaEvent)
        if (checked.ok) events.push(checked.event)
        else corrupt.push({ where: 'events', key: row.d_tag, message: checked.message })
      }
      return { events, corrupt }
    },

    hasAddress(pubkey, slug) {
      return selectHead.get(PersonaKind, pubkey, slug) !== undefined || readTombstone(PersonaKind, pubkey, slug) !== undefined
    },

    lastTimestampOf(pubkey, slug) {
      const head = selectHead.get(PersonaKind, pubkey, slug)
      const tombstone = readTombstone(PersonaKind, pubkey, slug)
      const times = [head?.created_at, tombstone?.deleted_at].filter((t): t is number => t !== undefined)
      return times.length === 0 ? undefined : Math.max(...times)
    },

    enqueueSync(event, now) {
      const address = syncAddressOf(event)
      db.transaction(() => {
        // A new write for an address supersedes whatever was queued for it, refused entries included.
        db.prepare('DELETE FROM pending_sync WHERE address = ?').run(address)
        db.prepare(
          `INSERT INTO pending_sync (event_id, address, raw, enqueued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (event_id) DO NOTHING`,
        ).run(event.id, address, JSON.stringify(event), now, now)
      })()
    },

    listPendingSync(options = {}) {
      const entries: PendingEntry[] = []
      const corrupt: CorruptEntry[] = []
      for (const row of selectPending.all()) {
        if (row.state === 'failed' && !options.includeFailed) continue
        if (options.dueAt !== undefined && row.state === 'pending' && row.next_attempt_at > options.dueAt) continue
        const checked = parseStoredEvent(row.raw, checkSignedEvent)
        if (!checked.ok) {
          corrupt.push({ where: 'pending_sync', key: String(row.seq), message: checked.message })
          continue
        }
        entries.push({
          seq: row.seq,
          event: checked.event,
          address: row.address,
          enqueuedAt: row.enqueued_at,
          attempts: row.attempts,
          nextAttemptAt: row.next_attempt_at,
          lastError: row.last_error,
          state: row.state,
        })
      }
      return { entries, corrupt }
    },

    countPendingSync() {
      const rows = db.prepare<[], { state: SyncState; n: number }>('SELECT state, COUNT(*) AS n FROM pending_sync GROUP BY state').all()
      return {
        pending: rows.find((r) => r.state === 'pending')?.n ?? 0,
        failed: rows.find((r) => r.state === 'failed')?.n ?? 0,
      }
    },

    pendingAddresses() {
      const rows = db.prepare<[], { address: string }>(`SELECT DISTINCT address FROM pending_sync`).all()
      return new Set(rows.map((r) => r.address))
    },

    markSyncDone(seq) {
      db.prepare('DELETE FROM pending_sync WHERE seq = ?').run(seq)
    },

    markSyncRetry(seq, error, now) {
      const row = db.prepare<[number], { attempts: number }>('SELECT attempts FROM pending_sync WHERE seq = ?').get(seq)
      if (row === undefined) return
      const attempts = row.attempts + 1
      db.prepare('UPDATE pending_sync SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?').run(
        attempts,
        now + retryDelaySeconds(attempts),
        error,
        seq,
      )
    },

    markSyncFailed(seq, error) {
      db.prepare(`UPDATE pending_sync SET attempts = attempts + 1, last_error = ?, state = 'failed' WHERE seq = ?`).run(error, seq)
    },

    markSyncUnreachable(seq, error) {
      db.prepare('UPDATE pending_sync SET attempts = attempts + 1, last_error = ? WHERE seq = ?').run(error, seq)
    },

    replacePendingEvent(seq, event) {
      db.prepare('UPDATE pending_sync SET event_id = ?, raw = ? WHERE seq = ?').run(event.id, JSON.stringify(event), seq)
    },

    dropPendingFor(address) {
      return db.prepare('DELETE FROM pending_sync WHERE address = ?').run(address).changes
    },

    setPersonaEnv(pubkey, slug, env) {
      db.transaction(() => {
        db.prepare('DELETE FROM persona_env WHERE pubkey = ? AND slug = ?').run(pubkey, slug)
        const insert = db.prepare('INSERT INTO persona_env (pubkey, slug, name, value) VALUES (?, ?, ?, ?)')
        for (const [name, value] of Object.entries(env)) insert.run(pubkey, slug, name, value)
      })()
    },

    readPersonaEnv(pubkey, slug) {
      const rows = db
        .prepare<[string, string], { name: string; value: string }>('SELECT name, value FROM persona_env WHERE pubkey = ? AND slug = ? ORDER BY name')
        .all(pubkey, slug)
      return Object.fromEntries(rows.map((r) => [r.name, r.value]))
    },

    close() {
      db.close()
    },
  }
  return store
}

/** The queue groups entries by the address they write: a persona's own, or the one a deletion names. */
export function syncAddressOf(event: NostrEvent): string {
  const address = addressOf(event)
  if (address !== null) return address
  if (event.kind === DeletionKind) {
    const target = deletionTargets(event).addresses[0]
    if (target !== undefined) return formatAddress(target.kind, target.pubkey, target.d)
  }
  return `event:${event.id}`
}
