/**
 * Subscriptions: which connection wants which filters, the hand-over from stored to live
 * events, and fan-out of each new event to every matching subscription (NIP-01).
 *
 * A REQ's subscription is filed at once, while its stored events are still being read on a
 * reader thread. Live events that match it meanwhile are held, each with the commit that
 * stored it. When the stored answer arrives with the commit its snapshot includes, the
 * stored events go out, then EOSE, then the held events of later commits; from then on a
 * live event is sent only when its commit is after the snapshot. So an event is delivered
 * once: in the stored answer or live, never both, never neither.
 *
 * Subscriptions are filed in a SubscriptionIndex by kind, author, tag or id, so an event is
 * matched only against the filters that could want it.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { matchFilterInScope } from '../../spec/model/scope.ts'
import { SubscriptionIndex } from './fanout-index.ts'
import type { ConnId, Inbox, MonitorMsg, OutboundMsg } from './messages.ts'
import type { Wire } from './wire.ts'

interface HeldFrame {
  frame: string
  commit: number | null
}

interface Subscription {
  conn: ConnId
  subId: string
  /** The REQ this subscription belongs to. */
  token: number
  /** The commit its stored answer included; null while that answer is being read. */
  snapshot: number | null
  /** Live frames waiting for the stored answer. */
  held: HeldFrame[]
  heldBytes: number
}

export interface MonitorLimits {
  maxSubscriptions: number
  maxHeldLiveBytes: number
}

export class Monitor implements Inbox<MonitorMsg> {
  readonly #subs = new Map<ConnId, Map<string, Subscription>>()
  readonly #index = new SubscriptionIndex<Subscription>()
  readonly #outbox: Inbox<OutboundMsg>
  readonly #wire: Wire
  readonly #limits: MonitorLimits

  /** The CLOSED message of a REQ over the limit, when a mode fixes it (origin mode). */
  readonly #limitRefusal: string | undefined

  constructor(deps: { outbox: Inbox<OutboundMsg>; wire: Wire; limits: MonitorLimits; subscriptionLimitRefusal?: string }) {
    this.#outbox = deps.outbox
    this.#wire = deps.wire
    this.#limits = deps.limits
    this.#limitRefusal = deps.subscriptionLimitRefusal
  }

  post(msg: MonitorMsg): void {
    switch (msg.type) {
      case 'subscribe':
        this.#subscribe(msg.conn, msg.subId, msg.filters, msg.token)
        return
      case 'answered':
        this.#answered(msg.conn, msg.subId, msg.token, msg.commit, msg.frames)
        return
      case 'failed': {
        const sub = this.#current(msg.conn, msg.subId, msg.token)
        if (sub === undefined) return
        this.#end(sub)
        this.#send(msg.conn, [this.#wire.closed(msg.subId, msg.message)])
        return
      }
      case 'unsubscribe': {
        const sub = this.#subs.get(msg.conn)?.get(msg.subId)
        if (sub !== undefined) this.#end(sub)
        return
      }
      case 'disconnect':
        for (const sub of this.#subs.get(msg.conn)?.values() ?? []) this.#index.remove(sub)
        this.#subs.delete(msg.conn)
        this.#outgoing.delete(msg.conn)
        return
      case 'publish':
        this.#publish(msg.event, msg.commit)
        return
      case 'lost':
        for (const subs of [...this.#subs.values()]) {
          for (const sub of [...subs.values()]) {
            this.#end(sub)
            this.#send(sub.conn, [this.#wire.closed(sub.subId, msg.message)])
          }
        }
        return
    }
  }

  /** Open subscriptions over all connections. */
  get size(): number {
    return this.#index.size
  }

  #subscribe(conn: ConnId, subId: string, filters: Filter[], token: number): void {
    let subs = this.#subs.get(conn)
    if (subs === undefined) this.#subs.set(conn, (subs = new Map()))
    const old = subs.get(subId)
    if (old === undefined && subs.size >= this.#limits.maxSubscriptions) {
      const limit = this.#limits.maxSubscriptions
      const refusal = this.#limitRefusal ?? formatReason('rate-limited', `too many open subscriptions (max ${limit}); CLOSE one first`)
      this.#send(conn, [this.#wire.closed(subId, refusal)])
      return
    }
    if (old !== undefined) this.#index.remove(old)
    const sub: Subscription = { conn, subId, token, snapshot: null, held: [], heldBytes: 0 }
    subs.set(subId, sub)
    this.#index.add(sub, filters)
  }

  /** The stored events are read: they go out, then EOSE, then what was held of later commits. */
  #answered(conn: ConnId, subId: string, token: number, commit: number, frames: string[]): void {
    const sub = this.#current(conn, subId, token)
    if (sub === undefined) return // closed, replaced or gone meanwhile
    frames.push(this.#wire.eose(subId))
    for (const held of sub.held) if (held.commit === null || held.commit > commit) frames.push(held.frame)
    sub.snapshot = commit
    sub.held = []
    sub.heldBytes = 0
    this.#send(conn, frames)
  }

  #current(conn: ConnId, subId: string, token: number): Subscription | undefined {
    const sub = this.#subs.get(conn)?.get(subId)
    return sub?.token === token ? sub : undefined
  }

  #end(sub: Subscription): void {
    this.#index.remove(sub)
    this.#subs.get(sub.conn)?.delete(sub.subId)
  }

  #publish(event: NostrEvent, commit: number | null): void {
    const matched = this.#index.matches(event, matchFilterInScope)
    if (matched.length === 0) return
    // The event is encoded once; each frame only adds its subscription id.
    const frameFor = this.#wire.liveEvent(event)
    for (const sub of matched) {
      if (sub.snapshot === null) {
        this.#hold(sub, frameFor(sub.subId), commit)
        continue
      }
      // Already in the subscription's stored answer.
      if (commit !== null && commit <= sub.snapshot) continue
      const frames = this.#outgoing.get(sub.conn)
      if (frames === undefined) this.#outgoing.set(sub.conn, [frameFor(sub.subId)])
      else frames.push(frameFor(sub.subId))
    }
    if (!this.#flushQueued && this.#outgoing.size > 0) {
      this.#flushQueued = true
      queueMicrotask(() => this.#flush())
    }
  }

  #hold(sub: Subscription, frame: string, commit: number | null): void {
    sub.held.push({ frame, commit })
    sub.heldBytes += frame.length
    if (sub.heldBytes <= this.#limits.maxHeldLiveBytes) return
    this.#end(sub)
    const reason = formatReason('error', 'live events came faster than the stored events could be read; send the REQ again')
    this.#send(sub.conn, [this.#wire.closed(sub.subId, reason)])
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
    for (const [conn, frames] of this.#outgoing) this.#send(conn, frames)
    this.#outgoing.clear()
  }

  #send(conn: ConnId, frames: string[]): void {
    this.#outbox.post({ type: 'send', conn, frames })
  }
}
