/**
 * Live subscriptions: which connection wants which filters, and fan-out of each new event
 * to every matching subscription (NIP-01 "live" events after EOSE). Subscriptions are
 * filed in a SubscriptionIndex by kind, author, tag or id, so an event is matched only
 * against the filters that could want it, never against every open subscription.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { matchFilterInScope } from '../../spec/model/scope.ts'
import { SubscriptionIndex } from './fanout-index.ts'
import type { FaultSet } from './faults.ts'
import type { ConnId, Inbox, MonitorMsg, OutboundMsg } from './messages.ts'
import type { Wire } from './wire.ts'

interface Subscription {
  conn: ConnId
  subId: string
}

export class Monitor implements Inbox<MonitorMsg> {
  readonly #subs = new Map<ConnId, Map<string, Subscription>>()
  readonly #index = new SubscriptionIndex<Subscription>()
  readonly #outbox: Inbox<OutboundMsg>
  readonly #wire: Wire
  readonly #match: (filter: Filter, event: NostrEvent) => boolean

  constructor(deps: { outbox: Inbox<OutboundMsg>; wire: Wire; faults: FaultSet }) {
    this.#outbox = deps.outbox
    this.#wire = deps.wire
    this.#match = matchFilterInScope
  }

  post(msg: MonitorMsg): void {
    switch (msg.type) {
      case 'subscribe': {
        let subs = this.#subs.get(msg.conn)
        if (subs === undefined) this.#subs.set(msg.conn, (subs = new Map()))
        const old = subs.get(msg.subId)
        if (old !== undefined) this.#index.remove(old)
        const sub: Subscription = { conn: msg.conn, subId: msg.subId }
        subs.set(msg.subId, sub)
        this.#index.add(sub, msg.filters)
        return
      }
      case 'unsubscribe': {
        const subs = this.#subs.get(msg.conn)
        const sub = subs?.get(msg.subId)
        if (sub === undefined) return
        this.#index.remove(sub)
        subs?.delete(msg.subId)
        return
      }
      case 'disconnect': {
        for (const sub of this.#subs.get(msg.conn)?.values() ?? []) this.#index.remove(sub)
        this.#subs.delete(msg.conn)
        return
      }
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

  /** Open subscriptions over all connections. */
  get size(): number {
    return this.#index.size
  }

  #publish(event: NostrEvent): void {
    const matched = this.#index.matches(event, this.#match)
    if (matched.length === 0) return
    // The event is encoded once; each frame only adds its subscription id.
    const frameFor = this.#wire.liveEvent(event)
    for (const sub of matched) {
      const frames = this.#outgoing.get(sub.conn)
      if (frames === undefined) this.#outgoing.set(sub.conn, [frameFor(sub.subId)])
      else frames.push(frameFor(sub.subId))
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true
      queueMicrotask(() => this.#flush())
    }
  }

  /**
   * Live frames wait until the current batch of publishes is done (a microtask: before any
   * new frame is read, so no CLOSE can slip in), then go out together, one write per
   * connection instead of one per event.
   */
  readonly #outgoing = new Map<ConnId, string[]>()
  #flushQueued = false

  #flush(): void {
    this.#flushQueued = false
    for (const [conn, frames] of this.#outgoing) {
      // Defensive: a connection gone meanwhile gets nothing.
      if (this.#subs.has(conn)) this.#outbox.post({ type: 'send', conn, frames })
    }
    this.#outgoing.clear()
  }
}
