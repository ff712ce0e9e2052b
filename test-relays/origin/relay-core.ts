// What the doors share: storage, defects, the relay's own URL, the clock and live fan-out.
import type { DefectSet } from './defects.ts'
import type { Tombstones } from './deletion.ts'
import type { Filter } from './filter.ts'
import type { IngestContext } from './ingest.ts'
import type { Store, StoredEvent } from './store.ts'

export interface Deliverer {
  deliver(stored: StoredEvent): void
}

export class RelayCore {
  readonly tombstones: Tombstones = { byAddress: new Map() }
  readonly connections = new Set<Deliverer>()
  readonly ingestContext: IngestContext

  constructor(
    readonly store: Store,
    readonly defects: DefectSet,
    /** ws://host:port, as NIP-42 `relay` tags must name it. */
    readonly relayUrl: string,
  ) {
    this.ingestContext = {
      store,
      defects,
      tombstones: this.tombstones,
      now: () => this.now(),
      fanOut: (stored) => this.fanOut(stored),
    }
  }

  now(): number {
    return Math.floor(Date.now() / 1000)
  }

  /** http://host:port: the base NIP-98 `u` tags must name. */
  get httpUrl(): string {
    return this.relayUrl.trim().replace(/\/+$/, '').replace('wss://', 'https://').replace('ws://', 'http://')
  }

  fanOut(stored: StoredEvent): void {
    for (const c of this.connections) c.deliver(stored)
  }

  /** Filters as reads apply them, after the read gates have seen them as sent. */
  readFilters(filters: Filter[]): Filter[] {
    if (!this.defects.has('empty-kinds-match-all')) return filters
    return filters.map((f) => (f.kinds !== undefined && f.kinds.length === 0 ? { ...f, kinds: undefined } : f))
  }
}
