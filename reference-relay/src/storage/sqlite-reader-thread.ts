/**
 * A SQLite reader thread: a connection that only reads (WAL: it sees committed batches and
 * never blocks the writer), answering REQ, COUNT and the HTTP bridge's reads, each on one
 * snapshot whose commit number it reports.
 */

import { serveJobs, threadData } from '../threads/serve.ts'
import type { StoredAnswer } from './event-store.ts'
import type { ReadJob, SqliteThreadData } from './sqlite-threads.ts'
import { SqliteStore } from './sqlite-store.ts'

const { path } = threadData<SqliteThreadData>()
// Opened at the first job, once the writer thread has created or migrated the file.
let opened: SqliteStore | undefined

serveJobs<ReadJob, StoredAnswer | number>(
  (job) => {
    const store = (opened ??= new SqliteStore(path, { readOnly: true }))
    switch (job.type) {
      case 'read':
        return store.snapshot(() => ({ commit: store.lastCommit(), events: store.read(job.query) }))
      case 'count':
        return store.count(job.filters)
    }
  },
  null,
  () => opened?.close(),
)
