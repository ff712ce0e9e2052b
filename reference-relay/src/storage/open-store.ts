import type { EventStore } from './event-store.ts'
import { MemoryStore } from './memory-store.ts'

/** null → in-memory backend; a path → SQLite file. */
export function openStore(db: string | null): EventStore {
  if (db === null) return new MemoryStore()
  throw new Error('error: SQLite backend not built yet')
}
