import type { RelayStore } from './event-store.ts'
import { MemoryBackend } from './memory-backend.ts'
import { PgBackend } from './pg-backend.ts'
import { isPgUrl } from './pg-store.ts'
import { SqliteBackend } from './sqlite-backend.ts'
import { NamedWriteRules } from './write-rules.ts'

export interface OpenStoreOptions {
  log: (line: string) => void
  /** The origin relay's write rules (origin mode), on every backend. */
  origin?: boolean
  /** Reader threads of the SQLite backend (default: the number of cores, at least 2). */
  readers?: number
  /** Reader connections of the PostgreSQL backend (default 8). */
  pgPool?: number | null
  /** Steps nicer the SQLite writer and checkpointer threads run (RelayOptions.bulkThreadNice; default 0). */
  bulkThreadNice?: number
}

/**
 * null → in-memory backend; a `postgres://` URL → PostgreSQL (several relay processes may
 * share it); another string → SQLite file with a writer thread and reader threads.
 */
export async function openStore(db: string | null, options: OpenStoreOptions): Promise<RelayStore> {
  const rules = options.origin === true ? 'origin' : 'spec'
  if (db === null) return new MemoryBackend(NamedWriteRules[rules])
  if (isPgUrl(db)) {
    return PgBackend.open({ url: db, log: options.log, rules, ...(options.pgPool == null ? {} : { readers: options.pgPool }) })
  }
  return SqliteBackend.open(db, {
    log: options.log,
    rules,
    ...(options.readers === undefined ? {} : { readers: options.readers }),
    ...(options.bulkThreadNice === undefined ? {} : { writerNice: options.bulkThreadNice }),
  })
}

/** What the startup log says about the store (a PostgreSQL URL's password left out). */
export function storeLabel(store: RelayStore, db: string | null): string {
  return db === null || isPgUrl(db) ? store.backend : `${store.backend} (${db})`
}
