/**
 * The envelope every pooled worker thread speaks (threads/worker-pool.ts on the main side,
 * threads/serve.ts or a plain-JS equivalent in the worker). The job and result inside are
 * each pool's own.
 */

/** main → worker */
export type PoolToWorker<J> =
  | { type: 'job'; id: number; job: J }
  /** End the thread once the jobs sent before this one are answered (never inside a native call). */
  | { type: 'exit'; code: number }

/** worker → main */
export type WorkerToPool<R> =
  /** Sent once, when the worker can take jobs; `info` describes it (a backend name, say). */
  | { type: 'ready'; info: unknown }
  | { type: 'done'; id: number; result: R }
  /** The job threw; `message` says why. The worker goes on with the next job. */
  | { type: 'failed'; id: number; message: string }
