// Open subscriptions of every connection, and which of them a new event reaches.
import type { NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'
import { matches, type Filter } from './filter.ts'

export interface Subscriber {
  /** Unique per connection. */
  readonly serial: number
  deliver(subscriptionId: string, event: NostrEvent): void
}

export interface Subscription {
  readonly subscriber: Subscriber
  readonly id: string
  readonly filters: readonly Filter[]
  /** Live events still allowed (only under the live-limit defect); null = no cap. */
  liveBudget: number | null
}

export class SubscriptionRegistry {
  /** Keyed by connection and id, so ids are independent per connection. */
  private readonly entries = new Map<string, Subscription[]>()

  constructor(private readonly faults: Faults) {}

  private key(subscriber: Subscriber, id: string): string {
    return this.faults.has('subid-not-scoped') ? id : `${subscriber.serial}\u0000${id}`
  }

  /** A REQ with an id already open on this connection replaces that subscription. */
  open(subscription: Subscription): void {
    const key = this.key(subscription.subscriber, subscription.id)
    const existing = this.entries.get(key)
    if (existing !== undefined && this.faults.has('req-reuse-adds')) existing.push(subscription)
    else this.entries.set(key, [subscription])
  }

  close(subscriber: Subscriber, id: string): void {
    const key = this.key(subscriber, id)
    const list = this.entries.get(key)
    if (list === undefined) return
    const kept = list.filter((subscription) => subscription.subscriber !== subscriber)
    if (kept.length === 0) this.entries.delete(key)
    else this.entries.set(key, kept)
  }

  closeAll(subscriber: Subscriber): void {
    for (const [key, list] of this.entries) {
      const kept = list.filter((subscription) => subscription.subscriber !== subscriber)
      if (kept.length === 0) this.entries.delete(key)
      else if (kept.length !== list.length) this.entries.set(key, kept)
    }
  }

  isOpen(subscriber: Subscriber, id: string): boolean {
    return this.entries.get(this.key(subscriber, id))?.some((s) => s.subscriber === subscriber) ?? false
  }

  countFor(subscriber: Subscriber): number {
    let count = 0
    for (const list of this.entries.values()) {
      for (const subscription of list) if (subscription.subscriber === subscriber) count++
    }
    return count
  }

  /** Hand a new event to every subscription one of whose filters it matches. */
  deliver(event: NostrEvent): void {
    for (const list of [...this.entries.values()]) {
      for (const subscription of list) {
        if (!subscription.filters.some((filter) => matches(filter, event, this.faults, 'live'))) continue
        if (subscription.liveBudget !== null) {
          if (subscription.liveBudget <= 0) continue
          subscription.liveBudget--
        }
        subscription.subscriber.deliver(subscription.id, event)
      }
    }
  }
}
