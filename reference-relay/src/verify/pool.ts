/**
 * A Verifier that checks ids and BIP-340 signatures in a pool of worker threads, off the
 * event loop. Each batch is cut into slices spread over the least-loaded workers; verdicts
 * come back in batch order. A worker that dies (crash, out of memory, terminate) is
 * replaced and its unfinished slices are sent again, once; a slice that kills two workers
 * fails its batch with an error instead of taking the pool down.
 */

import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { serializeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Verifier } from '../verifier.ts'
import type { BackendPreference, PoolMessage, VerifyJob, WorkerReply, WorkerSettings } from './protocol.ts'

export interface PoolOptions {
  /** Worker threads; default: the number of cores. */
  size?: number
  backend?: BackendPreference
  /**
   * Also check that each id is the sha256 of the event's NIP-01 serialization (default
   * true), so a verdict means what Verifier promises. False trusts the ids.
   */
  checkIds?: boolean
  /** How long a worker may take to load its backend. */
  startTimeoutMs?: number
}

export interface BackendReport {
  /** Implementation the workers run, e.g. `bcrypto/libsecp256k1`. */
  backend: string
  native: boolean
  /** Why the fastest backend is not running, or null when it is. */
  fallbackReason: string | null
}

/** Slices below this size are not worth a message to another thread. */
const MinSlice = 16
const WorkerUrl = new URL('./worker.js', import.meta.url)

interface SliceJob {
  job: VerifyJob
  count: number
  attempts: number
  resolve(verdicts: Uint8Array): void
  reject(error: Error): void
}

interface Slot {
  index: number
  worker: Worker
  ready: boolean
  /** Jobs posted to this worker and not answered yet. */
  inFlight: Map<number, SliceJob>
  /** Jobs held back until the worker says it is ready. */
  held: SliceJob[]
  /** Events in flight or held: the load balancing measure. */
  load: number
}

export class WorkerPoolVerifier implements Verifier {
  readonly name: string
  readonly report: BackendReport
  readonly size: number
  readonly #settings: WorkerSettings
  readonly #checkIds: boolean
  readonly #slots: Slot[]
  #nextJob = 1
  #closed = false
  #restarts = 0

  private constructor(slots: Slot[], report: BackendReport, settings: WorkerSettings, checkIds: boolean) {
    this.#slots = slots
    this.#settings = settings
    this.#checkIds = checkIds
    this.report = report
    this.size = slots.length
    this.name = `${report.backend} in ${slots.length} worker thread${slots.length === 1 ? '' : 's'}`
    for (const slot of slots) this.#watch(slot)
  }

  /** Starts the workers and waits until each has loaded its backend. */
  static async start(options: PoolOptions = {}): Promise<WorkerPoolVerifier> {
    const size = Math.max(1, options.size ?? availableParallelism())
    const settings: WorkerSettings = { backend: options.backend ?? 'auto' }
    const timeout = options.startTimeoutMs ?? 20_000
    const started = await Promise.allSettled(Array.from({ length: size }, () => spawnReady(settings, timeout)))
    const failure = started.find((result) => result.status === 'rejected')
    if (failure !== undefined) {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? stopWorker(result.value.worker) : undefined)))
      throw failure.reason as Error
    }
    const workers = started.map((result) => (result as PromiseFulfilledResult<Spawned>).value)
    const first = (workers[0] as Spawned).ready
    const report: BackendReport = { backend: first.backend, native: first.native, fallbackReason: first.fallbackReason }
    const slots = workers.map(({ worker }, index): Slot => ({ index, worker, ready: true, inFlight: new Map(), held: [], load: 0 }))
    return new WorkerPoolVerifier(slots, report, settings, options.checkIds ?? true)
  }

  async verify(events: readonly NostrEvent[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('verifier pool is closed')
    if (events.length === 0) return []
    const slices = Math.max(1, Math.min(this.#slots.length, Math.floor(events.length / MinSlice)))
    const per = Math.ceil(events.length / slices)
    const parts: Array<Promise<Uint8Array>> = []
    for (let start = 0; start < events.length; start += per) {
      parts.push(this.#submit(events.slice(start, start + per)))
    }
    const verdicts = await Promise.all(parts)
    const result: boolean[] = []
    for (const part of verdicts) for (const v of part) result.push(v === 1)
    return result
  }

  /** Workers restarted after dying since the pool started. */
  get restarts(): number {
    return this.#restarts
  }

  /**
   * Makes one worker exit with a failure code once the slices already sent to it are
   * answered, the way a crash between jobs looks to the pool: it replaces the worker and
   * re-sends what the worker held. Tests use this to prove recovery.
   */
  crashWorker(index: number): void {
    const slot = this.#slots[index]
    if (slot === undefined) throw new Error(`no worker ${index}`)
    const message: PoolMessage = { type: 'exit', code: 1 }
    slot.worker.postMessage(message)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const error = new Error('verifier pool closed')
    for (const slot of this.#slots) {
      for (const job of [...slot.inFlight.values(), ...slot.held]) job.reject(error)
      slot.inFlight.clear()
      slot.held = []
    }
    await Promise.all(this.#slots.map((slot) => stopWorker(slot.worker)))
  }

  #submit(events: readonly NostrEvent[]): Promise<Uint8Array> {
    let keys = ''
    for (const event of events) keys += event.id + event.sig + event.pubkey
    const serialized = this.#checkIds ? events.map(preimage) : null
    const job: VerifyJob = { type: 'verify', job: this.#nextJob++, keys, serialized }
    return new Promise((resolve, reject) => {
      this.#dispatch({ job, count: events.length, attempts: 0, resolve, reject })
    })
  }

  #dispatch(slice: SliceJob): void {
    let best = this.#slots[0] as Slot
    for (const slot of this.#slots) if (slot.load < best.load) best = slot
    best.load += slice.count
    slice.attempts += 1
    if (best.ready) this.#post(best, slice)
    else best.held.push(slice)
  }

  #post(slot: Slot, slice: SliceJob): void {
    slot.inFlight.set(slice.job.job, slice)
    slot.worker.postMessage(slice.job)
  }

  #watch(slot: Slot): void {
    const { worker } = slot
    worker.unref()
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        slot.ready = true
        for (const slice of slot.held.splice(0)) this.#post(slot, slice)
        return
      }
      const slice = slot.inFlight.get(reply.job)
      if (slice === undefined) return
      slot.inFlight.delete(reply.job)
      slot.load -= slice.count
      slice.resolve(reply.verdicts)
    })
    // 'error' (an uncaught exception in the worker) is always followed by 'exit'.
    worker.on('error', () => {})
    worker.on('exit', () => {
      if (this.#closed || slot.worker !== worker) return
      this.#replace(slot)
    })
  }

  /** Puts a fresh worker in a dead one's slot and re-sends what the dead one had. */
  #replace(slot: Slot): void {
    this.#restarts += 1
    const orphans = [...slot.inFlight.values(), ...slot.held]
    slot.inFlight.clear()
    slot.held = []
    slot.load = 0
    slot.ready = false
    slot.worker = new Worker(WorkerUrl, { workerData: this.#settings })
    this.#watch(slot)
    for (const slice of orphans) {
      if (slice.attempts >= 2) {
        slice.reject(new Error('a verifier worker died twice on this batch'))
        continue
      }
      this.#dispatch(slice)
    }
  }
}

/** Asks a worker to exit between jobs; terminates it only if it does not within 5 s. */
function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), 5_000)
    worker.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    const message: PoolMessage = { type: 'exit', code: 0 }
    worker.postMessage(message)
  })
}

interface Spawned {
  worker: Worker
  ready: Extract<WorkerReply, { type: 'ready' }>
}

function spawnReady(settings: WorkerSettings, timeoutMs: number): Promise<Spawned> {
  const worker = new Worker(WorkerUrl, { workerData: settings })
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => fail(new Error(`verifier worker failed to start: ${error.message}`))
    const onExit = (code: number) => fail(new Error(`verifier worker exited with code ${code} while starting`))
    const onMessage = (reply: WorkerReply) => {
      settle()
      if (reply.type !== 'ready') return reject(new Error('verifier worker answered before it was ready'))
      resolve({ worker, ready: reply })
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
    const timer = setTimeout(() => fail(new Error(`verifier worker did not start within ${timeoutMs} ms`)), timeoutMs)
    worker.on('error', onError).on('exit', onExit).on('message', onMessage)
  })
}

/** The NIP-01 id preimage; an event nostr-tools refuses to serialize gets one that cannot match. */
function preimage(event: NostrEvent): string {
  try {
    return serializeEvent(event)
  } catch {
    return ''
  }
}
