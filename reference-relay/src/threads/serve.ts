/**
 * The worker side of threads/protocol.ts for TypeScript workers: answers jobs one at a time,
 * in order, each with `done` or `failed`, and exits between jobs when asked.
 */

import { parentPort, workerData } from 'node:worker_threads'
import type { PoolToWorker, WorkerToPool } from './protocol.ts'

/** The data the worker was started with (threads/bundle.ts). */
export function threadData<D>(): D {
  return workerData as D
}

export function serveJobs<J, R>(handle: (job: J) => R | Promise<R>, info: unknown, onExit: () => void = () => {}): void {
  const port = parentPort
  if (port === null) throw new Error('serveJobs runs in a worker thread only')
  const post = (message: WorkerToPool<R>) => port.postMessage(message)
  let queue = Promise.resolve()
  port.on('message', (message: PoolToWorker<J>) => {
    if (message.type === 'exit') {
      queue = queue.then(() => {
        onExit()
        process.exit(message.code)
      })
      return
    }
    queue = queue.then(async () => {
      try {
        post({ type: 'done', id: message.id, result: await handle(message.job) })
      } catch (error) {
        post({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) })
      }
    })
  })
  post({ type: 'ready', info })
}

/**
 * Like serveJobs, for a handler whose effects become final only once `settle` has run after
 * it (the SQLite writer: a commit is durable once the WAL is synced). Each job is handled at
 * once, in arrival order, while an earlier settle may still be running; its answer waits
 * for the first settle that begins after it, so one settle covers every job handled while
 * the previous one ran. Answers go out in arrival order. When a settle fails, the jobs it
 * was to cover fail with its error.
 */
export function serveSettledJobs<J, R>(
  handle: (job: J) => R,
  settle: () => Promise<void>,
  info: unknown,
  onExit: () => void = () => {},
): void {
  const port = parentPort
  if (port === null) throw new Error('serveSettledJobs runs in a worker thread only')
  const post = (message: WorkerToPool<R>) => port.postMessage(message)
  let handled: Array<WorkerToPool<R>> = []
  let settling = false
  let exitCode: number | null = null
  const exit = (code: number) => {
    onExit()
    process.exit(code)
  }
  const settleAll = async () => {
    settling = true
    while (handled.length > 0) {
      const answers = handled
      handled = []
      try {
        await settle()
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        for (const answer of answers) post(answer.type === 'done' ? { type: 'failed', id: answer.id, message } : answer)
        continue
      }
      for (const answer of answers) post(answer)
    }
    settling = false
    if (exitCode !== null) exit(exitCode)
  }
  port.on('message', (message: PoolToWorker<J>) => {
    if (message.type === 'exit') {
      if (settling) exitCode = message.code
      else exit(message.code)
      return
    }
    try {
      handled.push({ type: 'done', id: message.id, result: handle(message.job) })
    } catch (error) {
      handled.push({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) })
    }
    if (!settling) void settleAll()
  })
  post({ type: 'ready', info })
}
