/**
 * The SQLite writer thread: owns the one write connection (and its WAL checkpointer) and
 * writes each batch it is sent in one transaction, decided by storage/batch.ts. The main
 * thread never waits on the disk; it gets the decisions once the commit is durable.
 *
 * A batch is committed as soon as it arrives, and answered once a sync of the WAL that
 * began after its commit has finished (SqliteStore deferSync). While one sync runs, the
 * next batch is decided and committed; the sync after it covers every batch committed
 * meanwhile. So the disk and the thread work side by side, and every answer still follows
 * a sync of its commit, as with synchronous=FULL.
 */

import { lowerThisThread } from '../threads/priority.js'
import { serveSettledJobs, threadData } from '../threads/serve.ts'
import { writeBatchSync } from './batch.ts'
import type { CommittedBatch } from './event-store.ts'
import type { SqliteThreadData, WriteJob } from './sqlite-threads.ts'
import { SqliteStore } from './sqlite-store.ts'
import { NamedWriteRules } from './write-rules.ts'

const { path, checkpointer, rules: rulesName, writerNice } = threadData<SqliteThreadData>()
// Before the store opens, so the checkpointer thread it starts inherits the value.
lowerThisThread(writerNice)
const rules = NamedWriteRules[rulesName]
const store = new SqliteStore(path, { checkpointer: new URL(checkpointer), deferSync: true })
try {
  store.settleRules(rulesName, path)
} catch (error) {
  store.close()
  throw error
}

serveSettledJobs<WriteJob, CommittedBatch>(
  (job) => {
    const { commit, decisions } = writeBatchSync(store, job.events, rules)
    return { commit, decisions }
  },
  () => store.syncCommits(),
  { commit: store.lastCommit() },
  () => store.close(),
)
