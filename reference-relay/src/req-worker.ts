/**
 * REQ and COUNT: the stored part of each, read from storage (with SQLite on the reader
 * threads, so a slow query never holds up the event loop). Each filter is clamped to
 * max_limit; the answer is the union newest first (storage's `filters` read). A REQ's
 * subscription is handed to the monitor when the REQ arrives and its stored events when
 * they are read; the monitor sends them, EOSE, then live events (see monitor.ts).
 *
 * Bounded: a connection may have `maxQueriesPerConnection` reads waiting (the relay as a
 * whole is bounded by storage/read-gate.ts); beyond it the REQ or COUNT is CLOSED with
 * `rate-limited:`.
 */

import type { Filter } from '../../spec/model/filter.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import type { ConnId, Inbox, MonitorMsg, OutboundMsg, ReqWorkerMsg } from './messages.ts'
import type { EventReader } from './storage/event-store.ts'
import { ReadsBusyError } from './storage/read-gate.ts'
import type { Wire } from './wire.ts'

export interface ReqLimits {
  maxLimit: number
  maxQueriesPerConnection: number
}

/** NIP-01 / NIP-11: each filter's `limit` clamped to max_limit, which is also the default. */
export function clampFilters(filters: readonly Filter[], maxLimit: number): Filter[] {
  return filters.map((filter) => ({ ...filter, limit: Math.min(filter.limit ?? maxLimit, maxLimit) }))
}

export class ReqWorker implements Inbox<ReqWorkerMsg> {
  readonly #reader: EventReader
  readonly #outbox: Inbox<OutboundMsg>
  readonly #monitor: Inbox<MonitorMsg>
  readonly #wire: Wire
  readonly #limits: ReqLimits
  readonly #log: (line: string) => void
  readonly #inFlight = new Map<ConnId, number>()
  #nextToken = 1

  constructor(deps: {
    reader: EventReader
    outbox: Inbox<OutboundMsg>
    monitor: Inbox<MonitorMsg>
    wire: Wire
    limits: ReqLimits
    log: (line: string) => void
  }) {
    this.#reader = deps.reader
    this.#outbox = deps.outbox
    this.#monitor = deps.monitor
    this.#wire = deps.wire
    this.#limits = deps.limits
    this.#log = deps.log
  }

  post(msg: ReqWorkerMsg): void {
    const { conn, subId } = msg
    const refusal = this.#admit(conn)
    if (refusal !== null) {
      // A refused REQ replaces nothing: the subscription it would have replaced ends too.
      if (msg.type === 'req') this.#monitor.post({ type: 'unsubscribe', conn, subId })
      this.#outbox.post({ type: 'send', conn, frames: [this.#wire.closed(subId, refusal)] })
      return
    }
    const done = () => this.#release(conn)
    if (msg.type === 'count') {
      this.#reader
        .count(msg.filters)
        .then(
          (count) => this.#outbox.post({ type: 'send', conn, frames: [this.#wire.count(subId, count)] }),
          (error: unknown) => this.#outbox.post({ type: 'send', conn, frames: [this.#wire.closed(subId, this.#readFailure(error))] }),
        )
        .finally(done)
      return
    }
    const token = this.#nextToken++
    this.#monitor.post({ type: 'subscribe', conn, subId, filters: msg.filters, token })
    this.#reader
      .read({ type: 'filters', filters: clampFilters(msg.filters, this.#limits.maxLimit) })
      .then(
        (answer) => {
          const frames = answer.events.map((event) => this.#wire.storedEvent(subId, event.json))
          this.#monitor.post({ type: 'answered', conn, subId, token, commit: answer.commit, frames })
        },
        (error: unknown) => this.#monitor.post({ type: 'failed', conn, subId, token, message: this.#readFailure(error) }),
      )
      .finally(done)
  }

  #admit(conn: ConnId): string | null {
    const mine = this.#inFlight.get(conn) ?? 0
    const max = this.#limits.maxQueriesPerConnection
    if (mine >= max) return formatReason('rate-limited', `too many REQ/COUNT waiting for stored events on this connection (max ${max})`)
    this.#inFlight.set(conn, mine + 1)
    return null
  }

  #release(conn: ConnId): void {
    const left = (this.#inFlight.get(conn) ?? 1) - 1
    if (left === 0) this.#inFlight.delete(conn)
    else this.#inFlight.set(conn, left)
  }

  #readFailure(error: unknown): string {
    if (error instanceof ReadsBusyError) return error.message
    const text = error instanceof Error ? error.message : String(error)
    this.#log(`req-worker: read failed: ${text}`)
    return formatReason('error', `could not read stored events: ${text}`)
  }
}
