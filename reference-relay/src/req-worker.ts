/** Initial queries of REQ and COUNT: stored events newest first, then EOSE. */

import type { NostrEvent } from '../../spec/model/event.ts'
import { compareForQuery, type Filter, matchFilter } from '../../spec/model/filter.ts'
import type { Limits } from './config.ts'
import type { FaultSet } from './faults.ts'
import type { FaultState } from './fault-state.ts'
import type { Inbox, MonitorMsg, OutboundMsg, ReqWorkerMsg } from './messages.ts'
import type { EventStore } from './storage/event-store.ts'
import type { Wire } from './wire.ts'

export class ReqWorker implements Inbox<ReqWorkerMsg> {
  readonly #store: EventStore
  readonly #outbox: Inbox<OutboundMsg>
  readonly #monitor: Inbox<MonitorMsg>
  readonly #wire: Wire
  readonly #limits: Limits
  readonly #faults: FaultSet
  readonly #faultState: FaultState

  constructor(deps: {
    store: EventStore
    outbox: Inbox<OutboundMsg>
    monitor: Inbox<MonitorMsg>
    wire: Wire
    limits: Limits
    faults: FaultSet
    faultState: FaultState
  }) {
    this.#store = deps.store
    this.#outbox = deps.outbox
    this.#monitor = deps.monitor
    this.#wire = deps.wire
    this.#limits = deps.limits
    this.#faults = deps.faults
    this.#faultState = deps.faultState
  }

  post(msg: ReqWorkerMsg): void {
    const { conn, subId, filters } = msg
    if (msg.type === 'count') {
      this.#outbox.post({ type: 'send', conn, frames: [this.#wire.count(subId, this.count(filters))] })
      return
    }
    const frames = this.query(filters).map((event) => this.#wire.event(subId, event))
    if (!this.#faults.has('req-no-eose')) frames.push(this.#wire.eose(subId))
    this.#outbox.post({ type: 'send', conn, frames })
    // Synchronous with the query: no event can slip between the stored results and live ones.
    this.#monitor.post({ type: 'subscribe', conn, subId, filters })
  }

  /** NIP-45: distinct events matching any filter; `limit` does not apply. */
  count(filters: readonly Filter[]): number {
    const count = this.#store.count(filters)
    return this.#faults.has('count-off-by-one') ? count + 1 : count
  }

  /** Each filter matched and limited on its own, results OR'ed without duplicates (NIP-01). */
  query(filters: readonly Filter[]): NostrEvent[] {
    const chosen = new Map<string, NostrEvent>()
    for (const filter of filters) {
      for (const event of this.#queryOne(filter)) chosen.set(event.id, event)
    }
    const results = [...chosen.values()].sort(compareForQuery)
    if (this.#faults.has('query-oldest-first')) results.reverse()
    return results
  }

  #queryOne(filter: Filter): NostrEvent[] {
    const max = this.#limits.maxLimit
    let limit = Math.min(filter.limit ?? max, max)
    if (this.#faults.has('filter-limit-ignored')) limit = max
    let effective: Filter = { ...filter, limit }
    if (this.#faults.size === 0) return this.#store.query(effective)

    if (this.#faults.has('filter-until-exclusive') && effective.until !== undefined) {
      effective = { ...effective, until: effective.until - 1 }
    }
    const results = this.#store.query(effective)
    if (this.#faults.has('replace-superseded-by-id') && effective.ids !== undefined) {
      for (const event of this.#faultState.superseded.values()) {
        if (matchFilter(effective, event)) results.push(event)
      }
    }
    return results
  }
}
