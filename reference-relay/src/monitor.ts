/**
 * Live subscriptions: which connection wants which filters, and fan-out of each new event
 * to every matching subscription (NIP-01 "live" events after EOSE).
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, matchFilter } from '../../spec/model/filter.ts'
import { matchFilterInScope } from '../../spec/model/scope.ts'
import type { FaultSet } from './faults.ts'
import type { ConnId, Inbox, MonitorMsg, OutboundMsg } from './messages.ts'
import type { Wire } from './wire.ts'

export class Monitor implements Inbox<MonitorMsg> {
  readonly #subs = new Map<ConnId, Map<string, Filter[]>>()
  readonly #outbox: Inbox<OutboundMsg>
  readonly #wire: Wire
  readonly #match: (filter: Filter, event: NostrEvent) => boolean

  constructor(deps: { outbox: Inbox<OutboundMsg>; wire: Wire; faults: FaultSet }) {
    this.#outbox = deps.outbox
    this.#wire = deps.wire
    this.#match = deps.faults.has('scope-persona-h-tag-scopes') ? matchFilter : matchFilterInScope
  }

  post(msg: MonitorMsg): void {
    switch (msg.type) {
      case 'subscribe': {
        let subs = this.#subs.get(msg.conn)
        if (subs === undefined) this.#subs.set(msg.conn, (subs = new Map()))
        subs.set(msg.subId, msg.filters)
        return
      }
      case 'unsubscribe':
        this.#subs.get(msg.conn)?.delete(msg.subId)
        return
      case 'disconnect':
        this.#subs.delete(msg.conn)
        return
      case 'publish':
        this.#publish(msg.event)
        return
    }
  }

  has(conn: ConnId, subId: string): boolean {
    return this.#subs.get(conn)?.has(subId) ?? false
  }

  subscriptionCount(conn: ConnId): number {
    return this.#subs.get(conn)?.size ?? 0
  }

  #publish(event: NostrEvent): void {
    for (const [conn, subs] of this.#subs) {
      let frames: string[] | undefined
      for (const [subId, filters] of subs) {
        if (!filters.some((filter) => this.#match(filter, event))) continue
        ;(frames ??= []).push(this.#wire.event(subId, event))
      }
      if (frames) this.#outbox.post({ type: 'send', conn, frames })
    }
  }
}
