/**
 * A Verifier that checks ids and BIP-340 signatures in a pool of worker threads, off the
 * event loop (threads/worker-pool.ts). Each batch is cut into slices spread over the
 * least-loaded workers; verdicts come back in batch order. A slice not answered within the
 * job timeout fails its batch with an error and its worker is replaced; a worker that dies
 * is replaced (with a growing delay when it keeps dying) and its unfinished slices are sent
 * again, once; a slice that kills two workers fails its batch instead of taking the pool down.
 */

import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { serializeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { WorkerPool } from '../threads/worker-pool.ts'
import type { Verifier } from '../verifier.ts'
import type { BackendPreference, Verdicts, VerifierInfo, VerifyJob, WorkerSettings } from './protocol.ts'

export interface PoolOptions {
  /** Worker threads; default: the number of cores. */
  size?: number
  backend?: BackendPreference
  /**
   * Also check that each id is the sha256 of the event's NIP-01 serialization (default
   * true), so a verdict means what Verifier promises. False trusts the ids.
   */
  checkIds?: boolean
  /** Steps nicer the worker threads run than the thread that starts them (threads/priority.js; default 0). */
  nice?: number
  /** How long a worker may take to load its backend. */
  startTimeoutMs?: number
  /** A slice not answered within this fails its batch (default 10 s). */
  jobTimeoutMs?: number
  log?: (line: string) => void
}

export type BackendReport = VerifierInfo

/** Slices below this size are not worth a message to another thread. */
const MinSlice = 16
const WorkerUrl = new URL('./worker.js', import.meta.url)

export class WorkerPoolVerifier implements Verifier {
  readonly name: string
  readonly report: BackendReport
  readonly size: number
  readonly #pool: WorkerPool<VerifyJob, Verdicts>
  readonly #checkIds: boolean
  #closed = false

  private constructor(pool: WorkerPool<VerifyJob, Verdicts>, checkIds: boolean) {
    this.#pool = pool
    this.#checkIds = checkIds
    this.report = pool.info as BackendReport
    this.size = pool.size
    this.name = `${this.report.backend} in ${pool.size} worker thread${pool.size === 1 ? '' : 's'}`
  }

  /** Starts the workers and waits until each has loaded its backend. */
  static async start(options: PoolOptions = {}): Promise<WorkerPoolVerifier> {
    const settings: WorkerSettings = { backend: options.backend ?? 'auto', nice: options.nice ?? 0 }
    const pool = await WorkerPool.start<VerifyJob, Verdicts>({
      name: 'verifier thread',
      size: Math.max(1, options.size ?? availableParallelism()),
      spawn: () => new Worker(WorkerUrl, { workerData: settings }),
      jobTimeoutMs: options.jobTimeoutMs ?? 10_000,
      retryOnExit: true,
      // bcrypto aborts the process when a thread is torn down inside one of its calls.
      terminateHung: false,
      startTimeoutMs: options.startTimeoutMs ?? 20_000,
      ...(options.log === undefined ? {} : { log: options.log }),
    })
    return new WorkerPoolVerifier(pool, options.checkIds ?? true)
  }

  async verify(events: readonly NostrEvent[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('verifier pool is closed')
    if (events.length === 0) return []
    const slices = Math.max(1, Math.min(this.size, Math.floor(events.length / MinSlice)))
    const per = Math.ceil(events.length / slices)
    const parts: Array<Promise<Verdicts>> = []
    for (let start = 0; start < events.length; start += per) parts.push(this.#submit(events.slice(start, start + per)))
    const verdicts = await Promise.all(parts)
    const result: boolean[] = []
    for (const part of verdicts) for (const v of part) result.push(v === 1)
    return result
  }

  /** Workers replaced since the pool started. */
  get restarts(): number {
    return this.#pool.restarts
  }

  /**
   * Makes one worker exit with a failure code once the slices already sent to it are
   * answered, the way a crash between jobs looks to the pool: it replaces the worker and
   * re-sends what the worker held. Tests use this to prove recovery.
   */
  crashWorker(index: number): void {
    this.#pool.requestExit(index, 1)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool.close()
  }

  #submit(events: readonly NostrEvent[]): Promise<Verdicts> {
    let keys = ''
    for (const event of events) keys += event.id + event.sig + event.pubkey
    const serialized = this.#checkIds ? events.map(preimage) : null
    return this.#pool.run({ keys, serialized }, events.length)
  }
}

/** The NIP-01 id preimage; an event nostr-tools refuses to serialize gets one that cannot match. */
function preimage(event: NostrEvent): string {
  try {
    return serializeEvent(event)
  } catch {
    return ''
  }
}
