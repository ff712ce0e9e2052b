/**
 * The retention store's one SQLite handle: file creation (0600), pragmas, the schema and
 * its version. Each concern (persona heads and deletions, the sync queue, local env vars)
 * owns its tables in its own module over this handle.
 */

import Database from 'better-sqlite3'
import { deletionTargets } from '../../../spec/model/deletion.ts'
import { formatAddress } from '../../../spec/model/head.ts'
import { PersonaKind } from '../../../spec/model/kinds.ts'
import { touchPrivateFile } from '../home.ts'

export type StoreDatabase = Database.Database

export const SchemaVersion = 2

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
CREATE TABLE IF NOT EXISTS deletions (
  id TEXT PRIMARY KEY,
  pubkey TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deletion_targets (
  deletion_id TEXT NOT NULL REFERENCES deletions (id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  PRIMARY KEY (deletion_id, target)
);
CREATE INDEX IF NOT EXISTS deletion_targets_by_target ON deletion_targets (target);
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

/** How a deletion target is keyed: a persona address, or `id:<hex>` for an `e` tag. */
export function addressTarget(pubkey: string, slug: string): string {
  return formatAddress(PersonaKind, pubkey, slug)
}

export function idTarget(id: string): string {
  return `id:${id}`
}

/** The targets a deletion is filed under: its own author's persona addresses and every `e` id. */
export function targetsOf(deletion: { pubkey: string; tags: string[][] }): string[] {
  const targets = deletionTargets(deletion)
  const keys = targets.addresses
    .filter((target) => target.kind === PersonaKind && target.pubkey === deletion.pubkey)
    .map((target) => addressTarget(target.pubkey, target.d))
  for (const id of targets.ids) keys.push(idTarget(id))
  return [...new Set(keys)]
}

/**
 * Version 1 kept one tombstone per address and removed heads a deletion covered. Version 2
 * keeps every deletion with its targets and leaves heads in place, so coverage is decided
 * when reading, by spec/model's rule. Tombstones become deletions; their rows are verified
 * again whenever they are read.
 */
function migrateFromVersion1(db: StoreDatabase): void {
  const rows = db.prepare<[], { deletion_id: string; pubkey: string; deleted_at: number; raw: string }>('SELECT deletion_id, pubkey, deleted_at, raw FROM tombstones').all()
  const insertDeletion = db.prepare('INSERT OR IGNORE INTO deletions (id, pubkey, created_at, raw) VALUES (?, ?, ?, ?)')
  const insertTarget = db.prepare('INSERT OR IGNORE INTO deletion_targets (deletion_id, target) VALUES (?, ?)')
  for (const row of rows) {
    insertDeletion.run(row.deletion_id, row.pubkey, row.deleted_at, row.raw)
    let tags: string[][] = []
    try {
      const parsed = JSON.parse(row.raw) as { tags?: unknown }
      if (Array.isArray(parsed.tags)) tags = parsed.tags as string[][]
    } catch {
      // an unreadable tombstone keeps no targets; reads report it as corrupt wherever it is found
    }
    for (const target of targetsOf({ pubkey: row.pubkey, tags })) insertTarget.run(row.deletion_id, target)
  }
  db.exec('DROP TABLE tombstones')
}

export function openStoreDatabase(path: string): StoreDatabase {
  if (path !== ':memory:') touchPrivateFile(path)
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
    db.pragma('foreign_keys = ON')
    db.transaction(() => {
      db.exec(schema)
      const version = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).get()
      if (version === undefined) {
        db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SchemaVersion))
      } else if (version.value === '1') {
        migrateFromVersion1(db)
        db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SchemaVersion))
      } else if (version.value !== String(SchemaVersion)) {
        throw new Error(`error: store ${path} has schema version ${version.value}, this client reads ${SchemaVersion}`)
      }
    })()
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
