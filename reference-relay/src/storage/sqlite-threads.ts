/** The jobs the SQLite writer thread and reader threads answer (storage/sqlite-backend.ts sends them). */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import type { StoredQuery } from './event-store.ts'
import type { WriteRulesName } from './write-rules.ts'

export interface SqliteThreadData {
  path: string
  /** URL of storage/checkpoint-worker.js (a bundled thread cannot resolve it itself). */
  checkpointer: string
  /** The rules the writer thread decides batches by (NamedWriteRules). */
  rules: WriteRulesName
  /** Steps nicer the writer thread runs; its checkpointer thread inherits the value. Readers ignore it. */
  writerNice: number
}

/** main → writer thread: one batch, one transaction. */
export interface WriteJob {
  events: readonly NostrEvent[]
}

/** main → reader thread */
export type ReadJob = { type: 'read'; query: StoredQuery } | { type: 'count'; filters: readonly Filter[] }
