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
