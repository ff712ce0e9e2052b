// In-memory event store: regular events, the head of each replaceable or addressable
// address, and the remembered effect of NIP-09 deletions.
import { firstTagValue, type NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'
import { matches, newestFirst, type Filter } from './filter.ts'
import { addressKey, addressOf, deletionKind } from './kinds.ts'
import { deletionTargets } from './deletion.ts'

/** head: current version of an address; regular: any other stored event. */
type Role = 'head' | 'regular' | 'superseded' | 'stale'

interface Entry {
  readonly event: NostrEvent
  role: Role
}

export type Admission =
  | { readonly outcome: 'stored' }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'stale'; readonly text: string }
  | { readonly outcome: 'deleted'; readonly text: string }
  | { readonly outcome: 'full' }

/** Does `incoming` take the place of `current` at their address? */
export function supersedes(incoming: NostrEvent, current: NostrEvent, faults: Faults): boolean {
  if (faults.has('older-replaces')) return true
  if (incoming.created_at !== current.created_at) return incoming.created_at > current.created_at
  if (faults.has('tie-keeps-first')) return false
  if (faults.has('tie-keeps-last')) return true
  if (faults.has('tie-highest-id')) return incoming.id > current.id
  return incoming.id < current.id
}

export class MemoryStore {
  private readonly byId = new Map<string, Entry>()
  private readonly heads = new Map<string, string>()
  /** pubkey → ids of its stored events, so author-scoped reads do not scan everything. */
  private readonly byAuthor = new Map<string, Set<string>>()
  /** Deleted event id → pubkey of the deleter ('*' when any author counts). */
  private readonly deletedIds = new Map<string, string>()
  /** Address → greatest created_at of an `a` deletion naming it. */
  private readonly addressDeletedUpTo = new Map<string, number>()
  private readonly keepSuperseded: boolean

  constructor(
    private readonly faults: Faults,
    private readonly capacity: number,
  ) {
    this.keepSuperseded =
      faults.has('superseded-by-ids') || faults.has('superseded-returned') || faults.has('count-superseded')
  }

  get size(): number {
    return this.byId.size
  }

  authorOf(id: string): string | undefined {
    return this.byId.get(id)?.event.pubkey
  }

  /** Store a valid, non-ephemeral event if the rules let it in. */
  admit(event: NostrEvent): Admission {
    if (this.byId.has(event.id)) return { outcome: 'duplicate' }
    const deleted = this.deletionBlocking(event)
    if (deleted !== null) return { outcome: 'deleted', text: deleted }
    const address = addressOf(event, this.faults)
    if (address === null) return this.put(event, 'regular')
    const headId = this.heads.get(address)
    const head = headId === undefined ? undefined : this.byId.get(headId)
    if (head !== undefined && !supersedes(event, head.event, this.faults)) {
      const text =
        event.created_at === head.event.created_at
          ? 'the stored version has the same created_at and wins the tie'
          : 'a newer version of this address is stored'
      if (this.faults.has('stale-stored')) return this.put(event, 'stale')
      return { outcome: 'stale', text }
    }
    const admitted = this.put(event, 'head')
    if (admitted.outcome !== 'stored') return admitted
    if (head !== undefined) {
      if (this.keepSuperseded) head.role = 'superseded'
      else this.remove(head)
    }
    this.heads.set(address, event.id)
    return admitted
  }

  private put(event: NostrEvent, role: Role): Admission {
    if (this.byId.size >= this.capacity) return { outcome: 'full' }
    this.byId.set(event.id, { event, role })
    let mine = this.byAuthor.get(event.pubkey)
    if (mine === undefined) this.byAuthor.set(event.pubkey, (mine = new Set()))
    mine.add(event.id)
    return { outcome: 'stored' }
  }

  private deletionBlocking(event: NostrEvent): string | null {
    if (this.faults.has('forgets-deletions')) return null
    const deleter = this.deletedIds.get(event.id)
    if (deleter !== undefined && (deleter === '*' || deleter === event.pubkey)) return 'this event was deleted by its author'
    const address = addressOf(event, this.faults)
    if (address === null) return null
    const d = firstTagValue(event, 'd') ?? ''
    const marks = [this.addressDeletedUpTo.get(address), this.addressDeletedUpTo.get(`*:${event.pubkey}:${d}`)]
    for (const upTo of marks) {
      if (upTo === undefined) continue
      if (this.faults.has('resurrection-refused') || event.created_at <= upTo)
        return 'this address was deleted by its author at or after this version'
    }
    return null
  }

  /** Apply a NIP-09 deletion request (the request itself is admitted separately). */
  applyDeletion(request: NostrEvent): void {
    const targets = deletionTargets(request)
    if (!this.faults.has('e-deletion-ignored')) {
      for (const id of targets.ids) this.deleteById(id, request.pubkey)
    }
    const addresses = this.faults.has('deletion-first-a-only') ? targets.addresses.slice(0, 1) : targets.addresses
    for (const target of addresses) {
      if (target.pubkey !== request.pubkey && !this.faults.has('a-deletion-foreign-address')) continue
      this.deleteAddress(target.kind, target.pubkey, target.d, request.created_at)
    }
  }

  private deleteById(id: string, deleter: string): void {
    const anyAuthor = this.faults.has('e-deletion-foreign')
    const entry = this.byId.get(id)
    if (entry !== undefined && entry.event.kind !== deletionKind && (anyAuthor || entry.event.pubkey === deleter)) {
      this.remove(entry)
    }
    if (!this.faults.has('forgets-deletions')) this.deletedIds.set(id, anyAuthor ? '*' : deleter)
  }

  private deleteAddress(kind: number, pubkey: string, d: string, upTo: number): void {
    const kindBlind = this.faults.has('deletion-kind-confused')
    const byPrefix = this.faults.has('a-deletion-prefix')
    const allVersions = this.faults.has('a-deletion-deletes-newer')
    for (const entry of [...this.byId.values()]) {
      const event = entry.event
      if (event.pubkey !== pubkey) continue
      if (event.kind !== kind && !(kindBlind && event.kind >= 30000 && event.kind < 40000)) continue
      if (addressOf(event, this.faults) === null) continue
      const eventD = firstTagValue(event, 'd') ?? ''
      if (!(eventD === d || (byPrefix && eventD.startsWith(d)))) continue
      if (event.created_at <= upTo || allVersions) this.remove(entry)
    }
    if (this.faults.has('forgets-deletions')) return
    const key = kindBlind ? `*:${pubkey}:${d}` : addressKey(kind, pubkey, d, this.faults)
    this.addressDeletedUpTo.set(key, Math.max(upTo, this.addressDeletedUpTo.get(key) ?? 0))
  }

  private remove(entry: Entry): void {
    this.byId.delete(entry.event.id)
    const mine = this.byAuthor.get(entry.event.pubkey)
    mine?.delete(entry.event.id)
    if (mine?.size === 0) this.byAuthor.delete(entry.event.pubkey)
    if (entry.role !== 'head') return
    const address = addressOf(entry.event, this.faults)
    if (address !== null && this.heads.get(address) === entry.event.id) this.heads.delete(address)
  }

  /** Matches of any filter, each filter cut to its limit, newest first. */
  query(filters: readonly Filter[], limitOf: (filter: Filter) => number | undefined): NostrEvent[] {
    const order = newestFirst(this.faults)
    const found = new Map<string, NostrEvent>()
    for (const filter of filters) {
      const hits = this.matching(filter, 'read').sort(order)
      const limit = limitOf(filter)
      for (const event of limit === undefined ? hits : hits.slice(0, limit)) found.set(event.id, event)
    }
    return [...found.values()].sort(order)
  }

  count(filters: readonly Filter[], limitOf: (filter: Filter) => number | undefined): number {
    const order = newestFirst(this.faults)
    const found = new Set<string>()
    for (const filter of filters) {
      const hits = this.matching(filter, 'count')
      const limit = limitOf(filter)
      const kept = limit === undefined ? hits : hits.sort(order).slice(0, limit)
      for (const event of kept) found.add(event.id)
    }
    return found.size
  }

  /** Entries that may match: by id or author when the filter names them, else all. */
  private *candidates(filter: Filter): Iterable<Entry> {
    if (filter.ids !== undefined) {
      for (const id of new Set(filter.ids)) {
        const entry = this.byId.get(id)
        if (entry !== undefined) yield entry
      }
      return
    }
    const authorsApply = !(filter.kinds !== undefined && this.faults.has('authors-ignored-with-kinds'))
    if (filter.authors !== undefined && authorsApply) {
      for (const author of new Set(filter.authors)) {
        for (const id of this.byAuthor.get(author) ?? []) {
          const entry = this.byId.get(id)
          if (entry !== undefined) yield entry
        }
      }
      return
    }
    yield* this.byId.values()
  }

  private matching(filter: Filter, purpose: 'read' | 'count'): NostrEvent[] {
    const hits: NostrEvent[] = []
    for (const entry of this.candidates(filter)) {
      if (!this.visible(entry, filter, purpose)) continue
      if (matches(filter, entry.event, this.faults, 'stored')) hits.push(entry.event)
    }
    return hits
  }

  private visible(entry: Entry, filter: Filter, purpose: 'read' | 'count'): boolean {
    if (entry.role !== 'superseded') return true
    if (this.faults.has('superseded-returned')) return true
    if (this.faults.has('superseded-by-ids') && filter.ids !== undefined) return true
    return purpose === 'count' && this.faults.has('count-superseded')
  }
}
