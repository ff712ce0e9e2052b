/**
 * Live subscriptions indexed for fan-out. Each filter is filed under its most selective
 * condition (ids, then authors, then one tag condition, then kinds; filters with none of
 * these go to a short list checked for every event), so publishing an event looks at the
 * filters that can possibly match it instead of scanning every subscription. The index
 * only narrows: every candidate is still judged by the caller's matcher (spec/model).
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import { type Filter, tagConditions } from '../../spec/model/filter.ts'

type Matcher = (filter: Filter, event: NostrEvent) => boolean

interface Entry<S> {
  sub: S
  filter: Filter
}

/** Where an entry was filed, so removal does not search. */
type Placement<S> = [bucket: Map<string | number, Set<Entry<S>>>, key: string | number, entry: Entry<S>] | [rest: Set<Entry<S>>, entry: Entry<S>]

export class SubscriptionIndex<S> {
  readonly #byId = new Map<string | number, Set<Entry<S>>>()
  readonly #byAuthor = new Map<string | number, Set<Entry<S>>>()
  /** Keyed `name + '\0' + value` (tag names in filters are single characters). */
  readonly #byTag = new Map<string | number, Set<Entry<S>>>()
  readonly #byKind = new Map<string | number, Set<Entry<S>>>()
  /** Filters with no indexable condition (for example `{}` or only since/until). */
  readonly #rest = new Set<Entry<S>>()
  readonly #placements = new Map<S, Array<Placement<S>>>()

  /** Subscriptions held. */
  get size(): number {
    return this.#placements.size
  }

  /** Adds a subscription (replacing one held under the same key). */
  add(sub: S, filters: readonly Filter[]): void {
    this.remove(sub)
    const placements: Array<Placement<S>> = []
    for (const filter of filters) {
      const entry: Entry<S> = { sub, filter }
      const file = (bucket: Map<string | number, Set<Entry<S>>>, keys: ReadonlyArray<string | number>) => {
        // An empty list matches nothing: filed nowhere, never a candidate.
        for (const key of new Set(keys)) {
          let set = bucket.get(key)
          if (set === undefined) bucket.set(key, (set = new Set()))
          set.add(entry)
          placements.push([bucket, key, entry])
        }
      }
      if (filter.ids !== undefined) file(this.#byId, filter.ids)
      else if (filter.authors !== undefined) file(this.#byAuthor, filter.authors)
      else {
        const tags = tagConditions(filter)
        const narrowest = tags.reduce<[string, string[]] | undefined>(
          (best, tag) => (best === undefined || tag[1].length < best[1].length ? tag : best),
          undefined,
        )
        if (narrowest !== undefined) {
          const [name, values] = narrowest
          file(this.#byTag, values.map((value) => `${name}\0${value}`))
        } else if (filter.kinds !== undefined) file(this.#byKind, filter.kinds)
        else {
          this.#rest.add(entry)
          placements.push([this.#rest, entry])
        }
      }
    }
    this.#placements.set(sub, placements)
  }

  remove(sub: S): void {
    const placements = this.#placements.get(sub)
    if (placements === undefined) return
    for (const placement of placements) {
      if (placement.length === 2) {
        placement[0].delete(placement[1])
        continue
      }
      const [bucket, key, entry] = placement
      const set = bucket.get(key)
      if (set === undefined) continue
      set.delete(entry)
      if (set.size === 0) bucket.delete(key)
    }
    this.#placements.delete(sub)
  }

  has(sub: S): boolean {
    return this.#placements.has(sub)
  }

  /** Every subscription with at least one filter that `match` accepts for `event`, once each. */
  matches(event: NostrEvent, match: Matcher): S[] {
    const matched = new Set<S>()
    const consider = (entries: Set<Entry<S>> | undefined) => {
      if (entries === undefined) return
      for (const entry of entries) {
        if (!matched.has(entry.sub) && match(entry.filter, event)) matched.add(entry.sub)
      }
    }
    consider(this.#byId.get(event.id))
    consider(this.#byAuthor.get(event.pubkey))
    consider(this.#byKind.get(event.kind))
    if (this.#byTag.size > 0) {
      for (const tag of event.tags) {
        const [name, value] = tag
        if (name !== undefined && name.length === 1 && value !== undefined) consider(this.#byTag.get(`${name}\0${value}`))
      }
    }
    consider(this.#rest)
    return [...matched]
  }
}
