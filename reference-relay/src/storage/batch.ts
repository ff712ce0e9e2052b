/**
 * How a batch of writes is decided, once, for every backend. Per batch a backend, inside
 * one write transaction,
 *
 *   1. loads what the batch can touch, as `batchNeeds` lists it: the stored copies of the
 *      batch's ids, of deletion targets and of reply parents; every version at the batch's
 *      addresses and at deletion targets; the authors' stored deletions naming the batch's
 *      ids or addresses; under rules that keep removed events (origin mode), the store's
 *      record of those ids among the removed ones;
 *   2. lets `decideBatch` (pure) decide every event in order, each one seeing the effects of
 *      the events before it in the same batch;
 *   3. applies the effects (inserts and removals) and commits.
 *
 * `writeBatchSync` is that sequence for the synchronous stores (SQLite in its writer thread,
 * memory on the main thread); an asynchronous backend (PostgreSQL) runs the same three
 * steps with awaits inside its own transaction, taking its locks before it loads.
 */

import { deletionTargets } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { addressOf, formatAddress, selectHead } from '../../../spec/model/head.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import type { ThreadedEvent, ThreadMeta } from '../../../spec/model/thread-query.ts'
import type { CommittedBatch, EventStore } from './event-store.ts'
import { type HeldEvent, SpecWriteRules, type WriteRules } from './write-rules.ts'

/**
 * What became of one event: `stored`; `duplicate` (this id is held); `stale` (a newer or
 * tie-winning version holds its address); `blocked` (a deletion of its author covers it);
 * `refused` (a deletion naming another author's events, a thread placement refusal).
 */
export type Verdict = 'stored' | 'duplicate' | 'stale' | 'blocked' | 'refused'

export interface Decision {
  verdict: Verdict
  /** The OK flag: duplicates and stale versions are answered `true` with a `duplicate:` text. */
  accepted: boolean
  message: string
  /** Fan the event out to live subscribers once the batch is committed. */
  fanOut: boolean
}

export type BatchEffect =
  | { type: 'insert'; event: NostrEvent; thread: ThreadMeta | null }
  /** `keep`: the store remembers the removed event's id and author (WriteRules.keepsRemoved). */
  | { type: 'remove'; event: NostrEvent; cause: 'superseded' | 'deleted'; keep: boolean }

export interface BatchPlan {
  /** One per event of the batch, in order. */
  decisions: Decision[]
  /** In the order they must be applied. */
  effects: BatchEffect[]
}

/** What a backend loads before deciding a batch. */
export interface BatchNeeds {
  /** Ids whose stored copy (with thread facts) the decisions may read. */
  ids: string[]
  /** Addresses (`kind:pubkey:d`) whose stored versions the decisions may read. */
  addresses: string[]
  /**
   * Stored deletions (kind 5) the decisions may need: per author, those with an `e` tag
   * naming one of `ids` or an `a` tag naming one of `addresses`.
   */
  deletionRefs: Array<{ pubkey: string; ids: string[]; addresses: string[] }>
  /** Also load which of `ids` the store removed and remembers (rules that keep removed events). */
  removed: boolean
}

/** What the store holds of the batch's needs, as loaded inside the write transaction. */
export interface BatchSnapshot {
  /** The stored ones among `needs.ids`. */
  events: ReadonlyMap<string, ThreadedEvent>
  /** Stored versions at each of `needs.addresses` (absent: none). */
  versions: ReadonlyMap<string, readonly NostrEvent[]>
  /** Stored deletions matching `needs.deletionRefs` (more are harmless). */
  deletions: readonly NostrEvent[]
  /** With `needs.removed`: the removed events among `needs.ids` the store remembers, id → author. */
  removed?: ReadonlyMap<string, string>
}

export { AlreadyHave, DeletedByAuthor, staleText } from './write-rules.ts'

/** Decides and applies one batch on a synchronous store, in one transaction of its own. */
export function writeBatchSync(store: EventStore, events: readonly NostrEvent[], rules: WriteRules = SpecWriteRules): CommittedBatch & BatchPlan {
  return store.transaction(() => {
    const needs = batchNeeds(events, rules)
    const plan = decideBatch(events, needs, store.loadBatch(needs), rules)
    store.applyBatch(plan.effects)
    return { commit: store.lastCommit(), ...plan }
  })
}

export function batchNeeds(events: readonly NostrEvent[], rules: Pick<WriteRules, 'keepsRemoved'> = SpecWriteRules): BatchNeeds {
  const ids = new Set<string>()
  const addresses = new Set<string>()
  const refs = new Map<string, { ids: Set<string>; addresses: Set<string> }>()
  for (const event of events) {
    ids.add(event.id)
    if (event.kind === DeletionKind) {
      const targets = deletionTargets(event)
      for (const id of targets.ids) ids.add(id)
      for (const target of targets.addresses) addresses.add(formatAddress(target.kind, target.pubkey, target.d))
      continue
    }
    const address = addressOf(event)
    if (address !== null) addresses.add(address)
    // Every marked e id, as written and lower-cased: the parent of any NIP-10 reading the rules use.
    for (const id of markedIds(event.tags)) ids.add(id)
    let mine = refs.get(event.pubkey)
    if (mine === undefined) refs.set(event.pubkey, (mine = { ids: new Set(), addresses: new Set() }))
    mine.ids.add(event.id)
    if (address !== null) mine.addresses.add(address)
  }
  return {
    ids: [...ids],
    addresses: [...addresses],
    deletionRefs: [...refs].map(([pubkey, mine]) => ({ pubkey, ids: [...mine.ids], addresses: [...mine.addresses] })),
    removed: rules.keepsRemoved,
  }
}

function markedIds(tags: readonly string[][]): string[] {
  const ids: string[] = []
  for (const tag of tags) {
    if (tag[0] !== 'e' || typeof tag[1] !== 'string' || (tag[3] !== 'root' && tag[3] !== 'reply')) continue
    ids.push(tag[1], tag[1].toLowerCase())
  }
  return ids
}

/** Decides every event of a batch in order against the snapshot and the batch's own effects. */
export function decideBatch(
  events: readonly NostrEvent[],
  needs: BatchNeeds,
  snapshot: BatchSnapshot,
  rules: WriteRules = SpecWriteRules,
): BatchPlan {
  const view = new BatchView(needs, snapshot, rules.keepsRemoved)
  const decisions = events.map((event) => decide(event, view, rules))
  return { decisions, effects: view.effects }
}

const Stored: Decision = { verdict: 'stored', accepted: true, message: '', fanOut: true }

function decide(event: NostrEvent, view: BatchView, rules: WriteRules): Decision {
  if (view.has(event.id)) return { verdict: 'duplicate', accepted: true, message: rules.answers.alreadyHave, fanOut: false }
  if (event.kind === DeletionKind) return applyDeletion(event, view, rules)
  if (view.deletions.some((deletion) => rules.blocks(deletion, event))) {
    return { verdict: 'blocked', ...rules.answers.deletedResend, fanOut: false }
  }
  const placement = rules.place(event, (id) => view.threaded(id))
  if (!placement.ok) return { verdict: 'refused', accepted: false, message: placement.message, fanOut: false }
  const address = addressOf(event)
  if (address === null) {
    view.insert(event, placement.thread)
    return Stored
  }
  const versions = view.versionsOf(address)
  const head = selectHead(versions)
  if (head !== undefined && !rules.supersedes(event, head)) {
    return { verdict: 'stale', accepted: true, message: rules.answers.stale(event, head), fanOut: false }
  }
  view.insert(event, placement.thread)
  for (const old of versions) view.remove(old, 'superseded')
  return Stored
}

function applyDeletion(deletion: NostrEvent, view: BatchView, rules: WriteRules): Decision {
  const targets = deletionTargets(deletion)
  const stored = targets.ids.map((id) => view.threaded(id)?.event).filter((event) => event !== undefined)
  const held: HeldEvent[] = [...stored, ...targets.ids.map((id) => view.removedHeld(id)).filter((event) => event !== undefined)]
  const authority = rules.checkDeletionTargets(deletion, held)
  if (!authority.ok) return { verdict: 'refused', accepted: false, message: authority.message, fanOut: false }
  view.insert(deletion, null)
  // A removed target stays removed: the deletion is stored and removes nothing more.
  for (const target of stored) if (rules.removes(deletion, target)) view.remove(target, 'deleted')
  for (const target of targets.addresses) {
    for (const version of view.versionsOf(formatAddress(target.kind, target.pubkey, target.d))) {
      if (rules.removes(deletion, version)) view.remove(version, 'deleted')
    }
  }
  return Stored
}

/**
 * The store as the batch sees it: the snapshot plus the batch's own inserts and removals.
 * Reading anything the batch did not declare in its needs throws, so a backend that loads
 * too little fails loudly instead of deciding on a partial view.
 */
class BatchView {
  readonly effects: BatchEffect[] = []
  /** Deletions the decisions consult: the loaded ones, then those of this batch. */
  readonly deletions: NostrEvent[]
  /** Every needed id: its stored copy, or null when it is not (or no longer) stored. */
  readonly #events = new Map<string, ThreadedEvent | null>()
  readonly #versions = new Map<string, Map<string, NostrEvent>>()
  /** With rules that keep removed events: every needed id the store removed and remembers, id → author. */
  readonly #removed = new Map<string, string>()
  readonly #keep: boolean

  constructor(needs: BatchNeeds, snapshot: BatchSnapshot, keepsRemoved: boolean) {
    if (keepsRemoved && !needs.removed) throw new Error('batch view: the rules keep removed events, but they were not loaded')
    this.#keep = keepsRemoved
    for (const id of needs.ids) this.#events.set(id, snapshot.events.get(id) ?? null)
    if (keepsRemoved) for (const [id, pubkey] of snapshot.removed ?? []) this.#removed.set(id, pubkey)
    for (const address of needs.addresses) {
      this.#versions.set(address, new Map((snapshot.versions.get(address) ?? []).map((event) => [event.id, event])))
    }
    this.deletions = [...snapshot.deletions]
  }

  /** Stored, or removed and remembered (rules that keep removed events). */
  has(id: string): boolean {
    return this.threaded(id) !== undefined || this.#removed.has(id)
  }

  /** A removed event the store remembers, as the deletion checks see it. */
  removedHeld(id: string): HeldEvent | undefined {
    const pubkey = this.#removed.get(id)
    return pubkey === undefined ? undefined : { id, pubkey }
  }

  threaded(id: string): ThreadedEvent | undefined {
    const entry = this.#events.get(id)
    if (entry === undefined) throw new Error(`batch view: id ${id} was not loaded`)
    return entry ?? undefined
  }

  versionsOf(address: string): NostrEvent[] {
    const versions = this.#versions.get(address)
    if (versions === undefined) throw new Error(`batch view: address ${address} was not loaded`)
    return [...versions.values()]
  }

  insert(event: NostrEvent, thread: ThreadMeta | null): void {
    this.#events.set(event.id, { event, thread })
    const address = addressOf(event)
    if (address !== null) this.#versions.get(address)?.set(event.id, event)
    if (event.kind === DeletionKind) this.deletions.push(event)
    this.effects.push({ type: 'insert', event, thread })
  }

  /** Removes a stored event; an event already gone is left alone. */
  remove(event: NostrEvent, cause: 'superseded' | 'deleted'): void {
    if (this.#events.get(event.id) === null) return
    this.#events.set(event.id, null)
    const address = addressOf(event)
    // A deletion's `e` target may sit at an address no event of the batch needs: no one reads it.
    if (address !== null) this.#versions.get(address)?.delete(event.id)
    if (this.#keep) this.#removed.set(event.id, event.pubkey)
    this.effects.push({ type: 'remove', event, cause, keep: this.#keep })
  }
}
