import type { RelayStore } from './event-store.ts'
import { MemoryBackend } from './memory-backend.ts'
import { SqliteBackend } from './sqlite-backend.ts'

export interface OpenStoreOptions {
  log: (line: string) => void
  /** Reader threads of the SQLite backend (default: the number of cores, at least 2). */
  readers?: number
}

/** null → in-memory backend; a path → SQLite file with a writer thread and reader threads. */
export async function openStore(db: string | null, options: OpenStoreOptions): Promise<RelayStore> {
  if (db === null) return new MemoryBackend()
  return SqliteBackend.open(db, { log: options.log, ...(options.readers === undefined ? {} : { readers: options.readers }) })
}
