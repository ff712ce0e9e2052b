/**
 * A worker for threads/serve.test.ts: serveSettledJobs with a slow settle that counts, in
 * shared memory, the settles begun and finished, and jobs that report how many had begun
 * when they were handled.
 */

import { serveSettledJobs, threadData } from '../src/threads/serve.ts'

export interface SettledJob {
  value: number
  fail?: boolean
}

export interface SettledResult {
  value: number
  /** Settles begun when the job was handled. */
  begunAtHandle: number
}

const { counters, failSettle } = threadData<{ counters: SharedArrayBuffer; failSettle: number }>()
/** [0]: settles begun, [1]: settles finished. */
const counts = new Int32Array(counters)

serveSettledJobs<SettledJob, SettledResult>(
  (job) => {
    if (job.fail === true) throw new Error(`failed: ${job.value}`)
    return { value: job.value, begunAtHandle: Atomics.load(counts, 0) }
  },
  async () => {
    const n = Atomics.add(counts, 0, 1) + 1
    await new Promise((resolve) => setTimeout(resolve, 30))
    Atomics.add(counts, 1, 1)
    if (n === failSettle) throw new Error(`settle ${n} failed`)
  },
  { started: true },
)
