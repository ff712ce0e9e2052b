/** In-memory backend for tests and quick runs: a scan per query, no durability. */

import type { NostrEvent } from '../../../spec/model/event.ts'
import { compareForQuery, type Filter } from '../../../spec/model/filter.ts'
import { addressOf } from '../../../spec/model/head.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import { matchFilterInScope } from '../../../spec/model/scope.ts'
import { selectThreadReplies, selectTopLevel, type ThreadedEvent, type ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { BatchEffect, BatchNeeds, BatchSnapshot } from './batch.ts'
import type { EventStore, StoredEvent, StoredQuery } from './event-store.ts'
import { storedEventOf, unionNewestFirst } from './read.ts'

interface Entry {
  event: NostrEvent
  thread: ThreadMeta | null
  /** The JSON text reads hand out, encoded once. */
  stored: StoredEvent
}

export class MemoryStore implements EventStore {
  readonly backend = 'memory'
  readonly #events = new Map<string, Entry>()
  readonly #byAddress = new Map<string, Set<string>>()
  /** Stored deletions per author. */
  readonly #deletions = new Map<string, Set<string>>()
  /** Removed events remembered (BatchEffect `keep`), id → author; never read back by queries. */
  readonly #removed = new Map<string, string>()
  #commit = 0

  transaction<T>(fn: () => T): T {
    return fn()
  }

  snapshot<T>(fn: () => T): T {
    return fn()
  }

  insert(event: NostrEvent, thread: ThreadMeta | null = null): boolean {
    if (this.#events.has(event.id)) return false
    this.#events.set(event.id, { event, thread, stored: storedEventOf(event) })
    const address = addressOf(event)
    if (address !== null) {
      let ids = this.#byAddress.get(address)
      if (ids === undefined) this.#byAddress.set(address, (ids = new Set()))
      ids.add(event.id)
    }
    if (event.kind === DeletionKind) {
      let ids = this.#deletions.get(event.pubkey)
      if (ids === undefined) this.#deletions.set(event.pubkey, (ids = new Set()))
      ids.add(event.id)
    }
    return true
  }

  has(id: string): boolean {
    return this.#events.has(id)
  }

  get(id: string): NostrEvent | undefined {
    return this.#events.get(id)?.event
  }

  getThreaded(id: string): ThreadedEvent | undefined {
    const entry = this.#events.get(id)
    return entry === undefined ? undefined : { event: entry.event, thread: entry.thread }
  }

  versionsOf(address: string): NostrEvent[] {
    const ids = this.#byAddress.get(address)
    if (ids === undefined) return []
    return [...ids].map((id) => this.#events.get(id)?.event).filter((event) => event !== undefined)
  }

  remove(id: string): boolean {
    const entry = this.#events.get(id)
    if (entry === undefined) return false
    const { event } = entry
    this.#events.delete(id)
    const address = addressOf(event)
    if (address !== null) {
      const ids = this.#byAddress.get(address)
      ids?.delete(id)
      if (ids?.size === 0) this.#byAddress.delete(address)
    }
    if (event.kind === DeletionKind) {
      const ids = this.#deletions.get(event.pubkey)
      ids?.delete(id)
      if (ids?.size === 0) this.#deletions.delete(event.pubkey)
    }
    return true
  }

  query(filter: Filter): NostrEvent[] {
    return this.#select(filter).map((entry) => entry.event)
  }

  threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[] {
    return selectThreadReplies(this.#threaded(), query, conditions)
  }

  topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[] {
    return selectTopLevel(this.#threaded(), query, conditions)
  }

  count(filters: readonly Filter[]): number {
    const ids = new Set<string>()
    for (const filter of filters) for (const entry of this.#matching(filter)) ids.add(entry.event.id)
    return ids.size
  }

  size(): number {
    return this.#events.size
  }

  loadBatch(needs: BatchNeeds): BatchSnapshot {
    const events = new Map<string, ThreadedEvent>()
    for (const id of needs.ids) {
      const found = this.getThreaded(id)
      if (found !== undefined) events.set(id, found)
    }
    const versions = new Map(needs.addresses.map((address) => [address, this.versionsOf(address)]))
    const removed = new Map<string, string>()
    if (needs.removed) {
      for (const id of needs.ids) {
        const pubkey = this.#removed.get(id)
        if (pubkey !== undefined) removed.set(id, pubkey)
      }
    }
    const deletions: NostrEvent[] = []
    for (const { pubkey, ids, addresses } of needs.deletionRefs) {
      const names = new Set([...ids.map((id) => `e:${id}`), ...addresses.map((address) => `a:${address}`)])
      for (const id of this.#deletions.get(pubkey) ?? []) {
        const deletion = this.#events.get(id)?.event
        if (deletion === undefined) continue
        // Tag values compared as stored, as a `#e` / `#a` filter would (the SQLite backend does the same).
        if (deletion.tags.some((tag) => names.has(`${tag[0]}:${tag[1]}`))) deletions.push(deletion)
      }
    }
    return { events, versions, deletions, removed }
  }

  applyBatch(effects: readonly BatchEffect[]): void {
    for (const effect of effects) {
      if (effect.type === 'insert') this.insert(effect.event, effect.thread)
      else this.applyRemoval(effect)
    }
    this.#commit += 1
  }

  /** One removal of a batch: the event goes; with `keep` its id and author are remembered. */
  protected applyRemoval(effect: BatchEffect & { type: 'remove' }): void {
    this.remove(effect.event.id)
    if (effect.keep) this.#removed.set(effect.event.id, effect.event.pubkey)
  }

  lastCommit(): number {
    return this.#commit
  }

  read(query: StoredQuery): StoredEvent[] {
    switch (query.type) {
      case 'filters':
        return unionNewestFirst(query.filters.map((filter) => this.#select(filter).map((entry) => entry.stored)))
      case 'thread':
        return this.#storedOf(this.threadReplies(query.query, query.conditions))
      case 'top-level':
        return this.#storedOf(this.topLevel(query.query, query.conditions))
    }
  }

  close(): void {
    this.#events.clear()
    this.#byAddress.clear()
    this.#deletions.clear()
    this.#removed.clear()
  }

  #storedOf(events: NostrEvent[]): StoredEvent[] {
    return events.map((event) => (this.#events.get(event.id) as Entry).stored)
  }

  /** One filter's answer: newest first, at most `limit`. */
  #select(filter: Filter): Entry[] {
    if (filter.limit === 0) return []
    const matches = this.#matching(filter).sort((a, b) => compareForQuery(a.event, b.event))
    return filter.limit === undefined ? matches : matches.slice(0, filter.limit)
  }

  *#threaded(): Generator<ThreadedEvent> {
    for (const entry of this.#events.values()) yield { event: entry.event, thread: entry.thread }
  }

  #matching(filter: Filter): Entry[] {
    const out: Entry[] = []
    if (filter.ids) {
      for (const id of new Set(filter.ids)) {
        const entry = this.#events.get(id)
        if (entry && matchFilterInScope(filter, entry.event)) out.push(entry)
      }
      return out
    }
    for (const entry of this.#events.values()) if (matchFilterInScope(filter, entry.event)) out.push(entry)
    return out
  }
}
