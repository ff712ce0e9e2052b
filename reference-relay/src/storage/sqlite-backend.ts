/**
 * The SQLite backend as the relay's stages see it: a writer thread that owns the write
 * connection (one transaction per batch, OK only after its commit) and a pool of reader
 * threads on connections that only read (WAL readers see committed batches). The main
 * thread never waits on the disk.
 */

import { availableParallelism } from 'node:os'
import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import { bundleOf, startBundledWorker } from '../threads/bundle.ts'
import { WorkerPool } from '../threads/worker-pool.ts'
import type { BatchWriter, CommittedBatch, EventReader, RelayStore, StoredAnswer, StoredQuery } from './event-store.ts'
import { CheckpointerScript } from './sqlite-store.ts'
import type { ReadJob, SqliteThreadData, WriteJob } from './sqlite-threads.ts'
import type { WriteRulesName } from './write-rules.ts'

export interface SqliteBackendOptions {
  /** Reader threads; default the number of cores, at least 2. */
  readers?: number
  /** A read not answered within this fails (and its thread is replaced). */
  readTimeoutMs?: number
  /** The rules batches are decided by (default `spec`; origin mode: `origin`). */
  rules?: WriteRulesName
  /** Steps nicer the writer thread (and the checkpointer it starts) runs (threads/priority.js; default 0). */
  writerNice?: number
  log: (line: string) => void
}

const WriterModule = new URL('./sqlite-writer-thread.ts', import.meta.url)
const ReaderModule = new URL('./sqlite-reader-thread.ts', import.meta.url)

export class SqliteBackend implements RelayStore {
  readonly backend = 'sqlite'
  readonly writer: BatchWriter
  readonly reader: EventReader
  readonly #writer: WorkerPool<WriteJob, CommittedBatch>
  readonly #readers: WorkerPool<ReadJob, StoredAnswer | number>

  private constructor(writer: WorkerPool<WriteJob, CommittedBatch>, readers: WorkerPool<ReadJob, StoredAnswer | number>) {
    this.#writer = writer
    this.#readers = readers
    // Two batches: one waiting for its WAL sync, the next being decided and committed.
    this.writer = { writeBatch: (events: readonly NostrEvent[]) => writer.run({ events }, events.length), depth: 2 }
    this.reader = {
      read: (query: StoredQuery) => readers.run({ type: 'read', query }) as Promise<StoredAnswer>,
      count: (filters: readonly Filter[]) => readers.run({ type: 'count', filters }) as Promise<number>,
    }
  }

  /**
   * Starts the writer thread (it creates or migrates the file) and waits for it, so a file
   * it cannot open fails the start. The reader threads start next and are not waited for: a
   * read waits until a reader is up.
   */
  static async open(path: string, options: SqliteBackendOptions): Promise<SqliteBackend> {
    const data: SqliteThreadData = { path, checkpointer: CheckpointerScript().href, rules: options.rules ?? 'spec', writerNice: options.writerNice ?? 0 }
    const [writerBundle, readerBundle] = await Promise.all([bundleOf(WriterModule), bundleOf(ReaderModule)])
    const writer = await WorkerPool.start<WriteJob, CommittedBatch>({
      name: 'SQLite writer thread',
      size: 1,
      spawn: () => startBundledWorker(writerBundle, data),
      // A slow disk is slow, not stuck; a batch sent again after a crash could be answered twice.
      jobTimeoutMs: 0,
      retryOnExit: false,
      terminateHung: false,
      startTimeoutMs: 60_000,
      log: options.log,
    }).catch((error: unknown) => {
      // The writer's own refusal of the file (its schema, its mode) is the message to show.
      const cause = (error as Error).cause
      throw cause instanceof Error && cause.message.startsWith('error: ') ? cause : error
    })
    const readers = WorkerPool.launch<ReadJob, StoredAnswer | number>({
      name: 'SQLite reader thread',
      size: options.readers ?? Math.max(2, availableParallelism()),
      spawn: () => startBundledWorker(readerBundle, data),
      jobTimeoutMs: options.readTimeoutMs ?? 30_000,
      retryOnExit: true,
      terminateHung: true,
      startTimeoutMs: 60_000,
      log: options.log,
    })
    return new SqliteBackend(writer, readers)
  }

  /** Reader and writer threads replaced since start (a dying thread is restarted with backoff). */
  get restarts(): number {
    return this.#writer.restarts + this.#readers.restarts
  }

  async close(): Promise<void> {
    // Each thread finishes the jobs it was sent, then closes its connection.
    await Promise.all([this.#readers.close(), this.#writer.close()])
  }
}
