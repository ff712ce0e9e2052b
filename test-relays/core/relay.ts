// The relay's shared state: settings, store, subscriptions and the stored-query path.
import type { NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'
import type { Filter } from './filter.ts'
import { enforcedLimits, type EnforcedLimits } from './limits.ts'
import { voice, type Voice } from './reasons.ts'
import { storeCapacity, type Settings } from './settings.ts'
import { MemoryStore } from './store.ts'
import { SubscriptionRegistry } from './subscriptions.ts'

export interface CoreConfig {
  readonly settings: Settings
  readonly faults: Faults
  /** Pubkeys allowed to act after AUTH; null = any authenticated key. */
  readonly authKeys: ReadonlySet<string> | null
}

const readCacheEntries = 256

export class Relay {
  readonly settings: Settings
  readonly faults: Faults
  readonly authKeys: ReadonlySet<string> | null
  readonly limits: EnforcedLimits
  readonly voice: Voice
  readonly store: MemoryStore
  readonly subscriptions: SubscriptionRegistry
  private readonly readCache = new Map<string, { readonly at: number; readonly events: readonly NostrEvent[] }>()

  constructor(config: CoreConfig) {
    this.settings = config.settings
    this.faults = config.faults
    this.authKeys = config.authKeys
    this.limits = enforcedLimits(config.settings, config.faults)
    this.voice = voice(config.settings, config.faults)
    this.store = new MemoryStore(config.faults, storeCapacity)
    this.subscriptions = new SubscriptionRegistry(config.faults)
  }

  nowSeconds(): number {
    return Math.floor(Date.now() / 1000)
  }

  /** The limit a stored query applies to one filter; undefined = none. */
  limitOf(filter: Filter): number | undefined {
    if (this.faults.has('limit-ignored')) return undefined
    const asked = filter.limit === 0 && this.faults.has('limit-zero-ignored') ? undefined : filter.limit
    return Math.min(asked ?? this.settings.defaultLimit, this.settings.maxLimit)
  }

  /** Stored events answering a REQ, from the read cache when that variation is on. */
  storedAnswer(filters: readonly Filter[]): readonly NostrEvent[] {
    if (this.settings.readCacheMs <= 0) return this.store.query(filters, (filter) => this.limitOf(filter))
    const key = JSON.stringify(filters)
    const cached = this.readCache.get(key)
    if (cached !== undefined && Date.now() - cached.at <= this.settings.readCacheMs) return cached.events
    const events = this.store.query(filters, (filter) => this.limitOf(filter))
    this.readCache.delete(key)
    this.readCache.set(key, { at: Date.now(), events })
    if (this.readCache.size > readCacheEntries) {
      const oldest = this.readCache.keys().next().value
      if (oldest !== undefined) this.readCache.delete(oldest)
    }
    return events
  }

  count(filters: readonly Filter[]): number {
    const limitOf = (filter: Filter): number | undefined =>
      this.settings.countAppliesLimit && filter.limit !== undefined ? Math.min(filter.limit, this.settings.maxLimit) : undefined
    return this.store.count(filters, limitOf)
  }

  fanout(event: NostrEvent): void {
    if (this.faults.has('no-live')) return
    this.subscriptions.deliver(event)
  }
}
