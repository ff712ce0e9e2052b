/**
 * The PostgreSQL backend as the relay's stages see it: the store (pg-store.ts) for batches
 * and reads, and the live feed (pg-live.ts) that brings the other relay processes' events
 * to this one's subscribers. Several relay processes on one database act as one relay.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { BatchWriter, EventReader, LiveFeed, RelayStore } from './event-store.ts'
import { PgLiveFeed, type PgLiveFeedOptions } from './pg-live.ts'
import { PgStore, type PgStoreOptions, redactPgUrl } from './pg-store.ts'

export interface PgBackendOptions extends PgStoreOptions {
  log: (line: string) => void
  /** How long relay_live keeps each commit's fan-out for listeners that were away (default 120 s). */
  liveRetentionMs?: number
  feed?: Omit<PgLiveFeedOptions, 'log'>
}

export class PgBackend implements RelayStore {
  readonly backend: string
  readonly writer: BatchWriter
  readonly reader: EventReader
  readonly live: LiveFeed
  /** For tests and the bench. */
  readonly store: PgStore
  readonly feed: PgLiveFeed
  readonly #pruneTimer: NodeJS.Timeout

  private constructor(store: PgStore, feed: PgLiveFeed, options: PgBackendOptions) {
    this.store = store
    this.feed = feed
    this.live = feed
    this.backend = `postgres (${redactPgUrl(options.url)}, instance ${store.origin})`
    this.writer = { writeBatch: async (events: readonly NostrEvent[]) => {
      const { commit, decisions } = await store.writeBatch(events)
      return { commit, decisions }
    } }
    this.reader = { read: (query) => store.read(query), count: (filters) => store.count(filters) }
    const retention = options.liveRetentionMs ?? 120_000
    this.#pruneTimer = setInterval(() => {
      store.pruneLive(retention).catch((error: unknown) => options.log(`postgres: pruning relay_live failed: ${(error as Error).message}`))
    }, Math.min(30_000, Math.max(1_000, retention / 2)))
    this.#pruneTimer.unref()
  }

  /** Connects, creates or migrates the schema, and starts listening before it resolves. */
  static async open(options: PgBackendOptions): Promise<PgBackend> {
    const store = await PgStore.open(options)
    try {
      const feed = await PgLiveFeed.start(store, { ...options.feed, log: options.log })
      return new PgBackend(store, feed, options)
    } catch (error) {
      await store.close()
      throw new Error(`error: cannot listen on PostgreSQL ${redactPgUrl(options.url)}: ${(error as Error).message}`)
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#pruneTimer)
    await this.feed.close()
    await this.store.close()
  }
}
