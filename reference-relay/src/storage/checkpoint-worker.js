// WAL checkpointer for sqlite-store.ts, in its own thread with its own connection.
//
// Plain JavaScript: on Node 20 a worker thread does not inherit tsx's loader.
// A checkpoint copies committed pages from the WAL into the database file. Left to the
// writer's connection (SQLite's autocheckpoint), it runs inside a commit on the event loop
// and costs about a third of the write path; here it runs beside it. It changes nothing
// about durability: a commit is durable once it is in the WAL (synchronous=FULL).

import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const Database = createRequire(import.meta.url)('better-sqlite3')

// Shared with sqlite-store.ts: 0 starting, 1 open, 2 closed, 3 cancelled (the store closed
// before this thread opened its connection: it must not open one).
const state = new Int32Array(workerData.state)
if (Atomics.compareExchange(state, 0, 0, 1) !== 0) process.exit(0)

const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
db.pragma('synchronous = FULL')

// PASSIVE only: it never blocks the writer. Once a checkpoint has copied every frame, the
// writer's next commit starts the WAL over from its beginning, so the WAL stays small
// while checkpoints keep up.
let stopping = false
function checkpoint() {
  if (stopping) return
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    // A busy database or a closing one: try again at the next tick.
    parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  }
}

const timer = setInterval(checkpoint, workerData.intervalMs)

// Stop: close the connection, then tell the store (waiting on the shared state) that the
// files are no longer held.
parentPort.on('message', (msg) => {
  if (msg.type !== 'stop') return
  stopping = true
  clearInterval(timer)
  try {
    db.close()
  } finally {
    Atomics.store(state, 0, 2)
    Atomics.notify(state, 0)
    process.exit(0)
  }
})
