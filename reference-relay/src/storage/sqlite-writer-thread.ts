/**
 * The SQLite writer thread: owns the one write connection (and its WAL checkpointer) and
 * writes each batch it is sent in one transaction, decided by storage/batch.ts. The main
 * thread never waits on the disk; it gets the decisions once the commit is durable.
 */

import { serveJobs, threadData } from '../threads/serve.ts'
import { writeBatchSync } from './batch.ts'
import type { CommittedBatch } from './event-store.ts'
import type { SqliteThreadData, WriteJob } from './sqlite-threads.ts'
import { SqliteStore } from './sqlite-store.ts'
import { NamedWriteRules } from './write-rules.ts'

const { path, checkpointer, rules: rulesName } = threadData<SqliteThreadData>()
const rules = NamedWriteRules[rulesName]
const store = new SqliteStore(path, { checkpointer: new URL(checkpointer) })
try {
  store.settleRules(rulesName, path)
} catch (error) {
  store.close()
  throw error
}

serveJobs<WriteJob, CommittedBatch>(
  (job) => {
    const { commit, decisions } = writeBatchSync(store, job.events, rules)
    return { commit, decisions }
  },
  { commit: store.lastCommit() },
  () => store.close(),
)
