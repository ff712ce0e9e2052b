/**
 * A pool of worker threads that answer jobs (threads/protocol.ts): the one mechanism behind
 * the verifier pool, the SQLite reader pool and the SQLite writer thread.
 *
 * - A job goes to the ready worker with the least work (by weight) in flight.
 * - A job not answered within `jobTimeoutMs` fails with an error; its worker is taken out
 *   of service (asked to exit between jobs, and terminated when `terminateHung` allows) and
 *   replaced.
 * - A worker that dies is replaced after a delay that doubles with each death in a row
 *   (`restartDelayMs`), so a worker that cannot start does not spin; its unanswered jobs
 *   are sent once more to another worker when `retryOnExit` (idempotent jobs only), else
 *   they fail.
 * - Workers never keep the process alive (unref).
 */

import { Worker } from 'node:worker_threads'
import type { PoolToWorker, WorkerToPool } from './protocol.ts'

export interface WorkerPoolOptions {
  /** Names the pool in errors and log lines (`reader thread`, `verifier thread`). */
  name: string
  size: number
  /** Starts one worker thread (script and workerData are the caller's). */
  spawn(): Worker
  /** 0: no limit. */
  jobTimeoutMs: number
  retryOnExit: boolean
  /** Whether a worker that overran a job may be terminated (never when a native library aborts on teardown). */
  terminateHung: boolean
  /** How long a worker may take to say it is ready. */
  startTimeoutMs: number
  restartDelayMs?: { initial: number; max: number }
  log?: (line: string) => void
}

interface Pending<R> {
  message: PoolToWorker<unknown> & { type: 'job' }
  weight: number
  attempts: number
  resolve(result: R): void
  reject(error: Error): void
  timer: NodeJS.Timeout | undefined
}

interface Slot<R> {
  index: number
  worker: Worker | null
  ready: boolean
  inFlight: Map<number, Pending<R>>
  load: number
  /** Deaths in a row without a job answered in between. */
  deaths: number
  restart: NodeJS.Timeout | undefined
}

const DefaultRestart = { initial: 100, max: 10_000 }
/** How long a worker taken out of service may finish its job before it is terminated. */
const HungGraceMs = 1_000

export class WorkerPool<J, R> {
  readonly name: string
  /** What the first worker said when it became ready. */
  readonly info: unknown
  readonly #options: WorkerPoolOptions
  readonly #slots: Array<Slot<R>>
  /** Jobs waiting for a ready worker (every worker restarting). */
  #waiting: Array<Pending<R>> = []
  #nextId = 1
  #closed = false
  #restarts = 0

  private constructor(options: WorkerPoolOptions, workers: Worker[], ready: boolean, info: unknown) {
    this.#options = options
    this.name = options.name
    this.info = info
    this.#slots = workers.map((worker, index) => ({ index, worker, ready, inFlight: new Map(), load: 0, deaths: 0, restart: undefined }))
    for (const slot of this.#slots) this.#watch(slot, slot.worker as Worker)
  }

  /**
   * Starts the workers without waiting for them: jobs wait until a worker is ready, and a
   * worker that fails to start is replaced like one that died (with the backoff delay).
   */
  static launch<J, R>(options: WorkerPoolOptions): WorkerPool<J, R> {
    const workers = Array.from({ length: Math.max(1, options.size) }, () => options.spawn())
    return new WorkerPool<J, R>(options, workers, false, undefined)
  }

  /** Starts every worker and waits until each is ready; fails (and stops them) if one does not start. */
  static async start<J, R>(options: WorkerPoolOptions): Promise<WorkerPool<J, R>> {
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, options.size) }, () => spawnReady(options)))
    const failure = started.find((result) => result.status === 'rejected')
    if (failure !== undefined) {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? stopWorker(result.value.worker) : undefined)))
      throw failure.reason as Error
    }
    const ready = started.map((result) => (result as PromiseFulfilledResult<Spawned>).value)
    return new WorkerPool<J, R>(
      options,
      ready.map((r) => r.worker),
      true,
      ready[0]?.info,
    )
  }

  get size(): number {
    return this.#slots.length
  }

  /** Workers replaced since the pool started. */
  get restarts(): number {
    return this.#restarts
  }

  /** Jobs sent and not answered yet, plus jobs waiting for a worker. */
  get pending(): number {
    let n = this.#waiting.length
    for (const slot of this.#slots) n += slot.inFlight.size
    return n
  }

  run(job: J, weight = 1): Promise<R> {
    if (this.#closed) return Promise.reject(new Error(`${this.name} pool is closed`))
    return new Promise<R>((resolve, reject) => {
      const pending: Pending<R> = {
        message: { type: 'job', id: this.#nextId++, job },
        weight,
        attempts: 0,
        resolve,
        reject,
        timer: undefined,
      }
      this.#dispatch(pending)
    })
  }

  /** Asks one worker to exit with `code` once the jobs sent to it before are answered (tests: a crash between jobs). */
  requestExit(index: number, code: number): void {
    const worker = this.#slots[index]?.worker
    if (worker === null || worker === undefined) throw new Error(`${this.name} ${index} is not running`)
    const message: PoolToWorker<J> = { type: 'exit', code }
    worker.postMessage(message)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const error = new Error(`${this.name} pool closed`)
    for (const pending of this.#waiting) pending.reject(error)
    this.#waiting = []
    const stopping: Array<Promise<void>> = []
    for (const slot of this.#slots) {
      if (slot.restart !== undefined) clearTimeout(slot.restart)
      for (const pending of slot.inFlight.values()) {
        clearTimeout(pending.timer)
        pending.reject(error)
      }
      slot.inFlight.clear()
      if (slot.worker !== null) stopping.push(stopWorker(slot.worker))
      slot.worker = null
      slot.ready = false
    }
    await Promise.all(stopping)
  }

  #dispatch(pending: Pending<R>): void {
    let best: Slot<R> | undefined
    for (const slot of this.#slots) if (slot.ready && (best === undefined || slot.load < best.load)) best = slot
    if (best === undefined) this.#waiting.push(pending)
    else this.#post(best, pending)
  }

  #post(slot: Slot<R>, pending: Pending<R>): void {
    slot.inFlight.set(pending.message.id, pending)
    slot.load += pending.weight
    pending.attempts += 1
    const timeout = this.#options.jobTimeoutMs
    if (timeout > 0) pending.timer = setTimeout(() => this.#overran(slot, pending), timeout).unref()
    ;(slot.worker as Worker).postMessage(pending.message)
  }

  #watch(slot: Slot<R>, worker: Worker): void {
    worker.unref()
    worker.on('message', (reply: WorkerToPool<R>) => {
      if (slot.worker !== worker) return
      if (reply.type === 'ready') {
        slot.ready = true
        const waiting = this.#waiting
        this.#waiting = []
        for (const pending of waiting) this.#dispatch(pending)
        return
      }
      const pending = slot.inFlight.get(reply.id)
      if (pending === undefined) return
      slot.inFlight.delete(reply.id)
      slot.load -= pending.weight
      slot.deaths = 0
      clearTimeout(pending.timer)
      if (reply.type === 'done') pending.resolve(reply.result)
      else pending.reject(new Error(reply.message))
    })
    // 'error' (an uncaught exception in the worker) is always followed by 'exit'.
    worker.on('error', (error) => this.#options.log?.(`${this.name} ${slot.index}: ${error.message}`))
    worker.on('exit', (code) => {
      if (this.#closed || slot.worker !== worker) return
      this.#replace(slot, `exited with code ${code}`)
    })
  }

  /** A job overran its deadline: it fails, and its worker (presumably stuck) is replaced. */
  #overran(slot: Slot<R>, pending: Pending<R>): void {
    if (slot.inFlight.get(pending.message.id) !== pending) return
    slot.inFlight.delete(pending.message.id)
    slot.load -= pending.weight
    pending.reject(new Error(`${this.name}: no answer within ${this.#options.jobTimeoutMs} ms`))
    const worker = slot.worker
    if (worker !== null) {
      const exit: PoolToWorker<J> = { type: 'exit', code: 0 }
      worker.postMessage(exit)
      if (this.#options.terminateHung) setTimeout(() => void worker.terminate(), HungGraceMs).unref()
    }
    this.#replace(slot, `overran a job (${this.#options.jobTimeoutMs} ms)`)
  }

  /** Takes a slot's worker out of service, hands on or fails its jobs, and starts another after the backoff delay. */
  #replace(slot: Slot<R>, why: string): void {
    this.#restarts += 1
    slot.deaths += 1
    slot.worker = null
    slot.ready = false
    slot.load = 0
    const orphans = [...slot.inFlight.values()]
    slot.inFlight.clear()
    for (const pending of orphans) {
      clearTimeout(pending.timer)
      if (this.#options.retryOnExit && pending.attempts < 2) this.#dispatch(pending)
      else pending.reject(new Error(`${this.name} ${slot.index} ${why}`))
    }
    const { initial, max } = this.#options.restartDelayMs ?? DefaultRestart
    const delay = Math.min(max, initial * 2 ** (slot.deaths - 1))
    this.#options.log?.(`${this.name} ${slot.index} ${why}; starting another in ${delay} ms`)
    slot.restart = setTimeout(() => {
      slot.restart = undefined
      if (this.#closed) return
      const worker = this.#options.spawn()
      slot.worker = worker
      this.#watch(slot, worker)
    }, delay)
    slot.restart.unref()
  }
}

interface Spawned {
  worker: Worker
  info: unknown
}

function spawnReady(options: WorkerPoolOptions): Promise<Spawned> {
  const worker = options.spawn()
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => fail(new Error(`${options.name} failed to start: ${error.message}`, { cause: error }))
    const onExit = (code: number) => fail(new Error(`${options.name} exited with code ${code} while starting`))
    const onMessage = (reply: WorkerToPool<unknown>) => {
      settle()
      if (reply.type !== 'ready') return reject(new Error(`${options.name} answered before it was ready`))
      resolve({ worker, info: reply.info })
    }
    // Remove only our listeners: Worker keeps internal ones of its own.
    const settle = () => {
      clearTimeout(timer)
      worker.off('error', onError).off('exit', onExit).off('message', onMessage)
    }
    const fail = (error: Error) => {
      settle()
      void worker.terminate()
      reject(error)
    }
    const timer = setTimeout(() => fail(new Error(`${options.name} did not start within ${options.startTimeoutMs} ms`)), options.startTimeoutMs)
    worker.on('error', onError).on('exit', onExit).on('message', onMessage)
  })
}

/** Asks a worker to exit between jobs; terminates it only if it has not within 5 s. */
function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    // terminate() also settles for a worker that is already gone (whose 'exit' came before).
    const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 5_000)
    worker.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    const message: PoolToWorker<never> = { type: 'exit', code: 0 }
    worker.postMessage(message)
  })
}
