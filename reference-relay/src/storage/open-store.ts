import type { EventStore } from './event-store.ts'
import { MemoryStore } from './memory-store.ts'
import { SqliteStore } from './sqlite-store.ts'

/** null → in-memory backend; a path → SQLite file. */
export function openStore(db: string | null): EventStore {
  return db === null ? new MemoryStore() : new SqliteStore(db)
}
