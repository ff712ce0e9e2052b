/**
 * The writer stage: group commit. Events wait in its inbox while a batch is being
 * committed; when the commit is done, everything that arrived meanwhile (bounded by count
 * and bytes) goes to storage as the next batch, one transaction. A store may take more than
 * one batch at a time (`depth`; SQLite: the next batch is committed while the last one's
 * WAL sync runs); batches are still answered in the order they were sent. OK goes out only once the
 * commit is durable, then accepted events are fanned out with the batch's commit number. A failed
 * batch fails every event of it with `error:`. The decisions themselves are storage's
 * (storage/batch.ts); with SQLite they are taken in the writer thread, so the main thread
 * never waits on the disk.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import type { Inbox, MonitorMsg, WriterMsg } from './messages.ts'
import type { BatchWriter, CommittedBatch } from './storage/event-store.ts'

export interface WriterLimits {
  maxBatchEvents: number
  maxBatchBytes: number
}

/** How often (at most) the batch sizes reached are logged while events are written. */
const StatsWindowMs = 10_000

export class Writer implements Inbox<WriterMsg> {
  readonly #store: BatchWriter
  readonly #monitor: Inbox<MonitorMsg>
  readonly #limits: WriterLimits
  readonly #log: (line: string) => void
  #queue: WriterMsg[] = []
  /** Batches sent to storage and not yet answered (at most the store's `depth`). */
  #writing = 0
  #scheduled = false
  #idle: Array<() => void> = []
  #batches = 0
  #events = 0
  /** Batches since `#window.since`, for the log line: group commit works when they are large. */
  #window = { since: performance.now(), batches: 0, events: 0, largest: 0 }

  constructor(deps: { store: BatchWriter; monitor: Inbox<MonitorMsg>; limits: WriterLimits; log: (line: string) => void }) {
    this.#store = deps.store
    this.#monitor = deps.monitor
    this.#limits = deps.limits
    this.#log = deps.log
  }

  post(msg: WriterMsg): void {
    this.#queue.push(msg)
    // The first event after a pause waits for the rest of this turn of the event loop, so
    // the events verified together are written together.
    if (!this.#full && !this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        this.#next()
      })
    }
  }

  /** Events waiting for the next batch. */
  get queued(): number {
    return this.#queue.length
  }

  /** Batches and events committed (or failed) since start: their ratio is the mean batch size. */
  get stats(): { batches: number; events: number } {
    return { batches: this.#batches, events: this.#events }
  }

  /** Resolves once every event posted so far is committed and answered. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#writing === 0 && !this.#scheduled) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  get #full(): boolean {
    return this.#writing >= (this.#store.depth ?? 1)
  }

  #next(): void {
    if (this.#full) return
    if (this.#queue.length === 0) {
      if (this.#writing === 0) for (const resolve of this.#idle.splice(0)) resolve()
      return
    }
    const batch = this.#take()
    this.#writing += 1
    this.#batches += 1
    this.#events += batch.length
    this.#count(batch.length)
    this.#store
      .writeBatch(batch.map((msg) => msg.event))
      .then(
        (committed) => this.#answer(batch, committed),
        (error: unknown) => this.#fail(batch, error),
      )
      .catch((error: unknown) => this.#log(`writer: ${(error as Error).stack ?? String(error)}`))
      .finally(() => {
        this.#writing -= 1
        this.#next()
      })
  }

  #count(size: number): void {
    const now = performance.now()
    const window = this.#window
    // A window starts with its first batch: idle time before it is not counted.
    if (window.batches === 0) window.since = now
    window.batches += 1
    window.events += size
    window.largest = Math.max(window.largest, size)
    if (now - window.since < StatsWindowMs) return
    const seconds = (now - window.since) / 1000
    this.#log(
      `writer: ${window.events} events in ${window.batches} batches in ${seconds.toFixed(1)} s ` +
        `(mean ${(window.events / window.batches).toFixed(1)}, largest ${window.largest})`,
    )
    this.#window = { since: now, batches: 0, events: 0, largest: 0 }
  }

  /** The oldest events, up to the batch bounds (at least one). */
  #take(): WriterMsg[] {
    const { maxBatchEvents, maxBatchBytes } = this.#limits
    let count = 0
    let bytes = 0
    for (const msg of this.#queue) {
      if (count > 0 && (count >= maxBatchEvents || bytes + msg.bytes > maxBatchBytes)) break
      count += 1
      bytes += msg.bytes
    }
    return this.#queue.splice(0, count)
  }

  #answer(batch: WriterMsg[], committed: CommittedBatch): void {
    batch.forEach((msg, i) => {
      const decision = committed.decisions[i]
      if (decision === undefined) {
        msg.reply({ id: msg.event.id, accepted: false, message: formatReason('error', 'could not save event: no decision from storage') })
        return
      }
      msg.reply({ id: msg.event.id, accepted: decision.accepted, message: decision.message })
      if (decision.fanOut) this.#publish(msg.event, committed.commit)
    })
  }

  #publish(event: NostrEvent, commit: number): void {
    this.#monitor.post({ type: 'publish', event, commit })
  }

  #fail(batch: WriterMsg[], error: unknown): void {
    const text = error instanceof Error ? error.message : String(error)
    this.#log(`writer: batch of ${batch.length} failed: ${text}`)
    const reason = formatReason('error', `could not save event: ${text}`)
    for (const msg of batch) msg.reply({ id: msg.event.id, accepted: false, message: reason })
  }
}
