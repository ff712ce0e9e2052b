/** In-memory backend for tests and quick runs: a scan per query, no durability. */

import type { NostrEvent } from '../../../spec/model/event.ts'
import { compareForQuery, type Filter } from '../../../spec/model/filter.ts'
import { addressOf } from '../../../spec/model/head.ts'
import { matchFilterInScope } from '../../../spec/model/scope.ts'
import { selectThreadReplies, selectTopLevel, type ThreadedEvent, type ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { EventStore } from './event-store.ts'

export class MemoryStore implements EventStore {
  readonly backend = 'memory'
  readonly #events = new Map<string, NostrEvent>()
  readonly #byAddress = new Map<string, Set<string>>()
  readonly #threads = new Map<string, ThreadMeta>()

  transaction<T>(fn: () => T): T {
    return fn()
  }

  insert(event: NostrEvent, thread: ThreadMeta | null = null): boolean {
    if (this.#events.has(event.id)) return false
    this.#events.set(event.id, event)
    if (thread !== null) this.#threads.set(event.id, thread)
    const address = addressOf(event)
    if (address !== null) {
      let ids = this.#byAddress.get(address)
      if (ids === undefined) this.#byAddress.set(address, (ids = new Set()))
      ids.add(event.id)
    }
    return true
  }

  has(id: string): boolean {
    return this.#events.has(id)
  }

  get(id: string): NostrEvent | undefined {
    return this.#events.get(id)
  }

  getThreaded(id: string): ThreadedEvent | undefined {
    const event = this.#events.get(id)
    return event === undefined ? undefined : { event, thread: this.#threads.get(id) ?? null }
  }

  versionsOf(address: string): NostrEvent[] {
    const ids = this.#byAddress.get(address)
    if (ids === undefined) return []
    return [...ids].map((id) => this.#events.get(id)).filter((event) => event !== undefined)
  }

  remove(id: string): boolean {
    const event = this.#events.get(id)
    if (event === undefined) return false
    this.#events.delete(id)
    this.#threads.delete(id)
    const address = addressOf(event)
    if (address !== null) {
      const ids = this.#byAddress.get(address)
      ids?.delete(id)
      if (ids?.size === 0) this.#byAddress.delete(address)
    }
    return true
  }

  query(filter: Filter): NostrEvent[] {
    if (filter.limit === 0) return []
    const matches = this.#matching(filter).sort(compareForQuery)
    return filter.limit === undefined ? matches : matches.slice(0, filter.limit)
  }

  threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[] {
    return selectThreadReplies(this.#threaded(), query, conditions)
  }

  topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[] {
    return selectTopLevel(this.#threaded(), query, conditions)
  }

  count(filters: readonly Filter[]): number {
    const ids = new Set<string>()
    for (const filter of filters) for (const event of this.#matching(filter)) ids.add(event.id)
    return ids.size
  }

  size(): number {
    return this.#events.size
  }

  close(): void {
    this.#events.clear()
    this.#byAddress.clear()
    this.#threads.clear()
  }

  *#threaded(): Generator<ThreadedEvent> {
    for (const event of this.#events.values()) yield { event, thread: this.#threads.get(event.id) ?? null }
  }

  #matching(filter: Filter): NostrEvent[] {
    const out: NostrEvent[] = []
    if (filter.ids) {
      for (const id of filter.ids) {
        const event = this.#events.get(id)
        if (event && matchFilterInScope(filter, event)) out.push(event)
      }
      return [...new Map(out.map((e) => [e.id, e])).values()]
    }
    for (const event of this.#events.values()) if (matchFilterInScope(filter, event)) out.push(event)
    return out
  }
}
