/**
 * The single writer: replacement, deletion and duplicate decisions against storage, in
 * batches. Each batch is one transaction; OK goes out only after it commits, and accepted
 * events are fanned out only then. A failed commit fails every event of the batch.
 */

import { checkDeletionTargetAuthors } from '../../spec/model/deletion-authority.ts'
import { deletionTargets, isDeletedBy } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { addressOf, formatAddress, selectHead, supersedes } from '../../spec/model/head.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { channelOf } from '../../spec/model/scope.ts'
import { placeChannelMessage, threadPositionOf, type ThreadPlacement } from '../../spec/model/thread-ingest.ts'
import { isBroadcast, placeReply, ThreadRefusals, threadRefs } from '../../spec/model/thread.ts'
import type { FaultSet } from './faults.ts'
import type { FaultState } from './fault-state.ts'
import type { EventOutcome, Inbox, Precheck, MonitorMsg, WriterMsg } from './messages.ts'
import type { EventStore } from './storage/event-store.ts'

/** What the writer decided for one event. */
interface Decision {
  accepted: boolean
  message: string
  /** Fan the event out to live subscribers after commit. */
  fanOut: boolean
}

const Stored: Decision = { accepted: true, message: '', fanOut: true }
const AlreadyHave = formatReason('duplicate', 'already have this event')
const DeletedByAuthor = formatReason('blocked', 'this event was deleted by its author')

function staleText(event: NostrEvent, head: NostrEvent): string {
  return formatReason(
    'duplicate',
    event.created_at === head.created_at
      ? 'a version with the same created_at and a lower id is already stored'
      : 'a newer version of this address is already stored',
  )
}

export class Writer implements Inbox<WriterMsg> {
  readonly #store: EventStore
  readonly #monitor: Inbox<MonitorMsg>
  readonly #faults: FaultSet
  readonly #faultState: FaultState
  readonly #log: (line: string) => void
  #queue: WriterMsg[] = []
  #scheduled = false
  #idle: Array<() => void> = []

  constructor(deps: {
    store: EventStore
    monitor: Inbox<MonitorMsg>
    faults: FaultSet
    faultState: FaultState
    log: (line: string) => void
  }) {
    this.#store = deps.store
    this.#monitor = deps.monitor
    this.#faults = deps.faults
    this.#faultState = deps.faultState
    this.#log = deps.log
  }

  post(msg: WriterMsg): void {
    this.#queue.push(msg)
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => this.flush())
    }
  }

  /** Writes everything queued so far in one transaction, then answers and fans out. */
  flush(): void {
    this.#scheduled = false
    const batch = this.#queue
    this.#queue = []
    if (batch.length > 0) this.#writeBatch(batch)
    if (this.#queue.length === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }

  /** Resolves once every event posted so far is committed and answered. */
  drain(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #writeBatch(batch: WriterMsg[]): void {
    let decisions: Decision[]
    try {
      decisions = this.#store.transaction(() => batch.map((msg) => this.#decide(msg.event)))
    } catch (error) {
      const reason = formatReason('error', `could not save event: ${(error as Error).message}`)
      this.#log(`writer: batch of ${batch.length} failed: ${(error as Error).message}`)
      for (const msg of batch) msg.reply({ id: msg.event.id, accepted: false, message: reason })
      return
    }
    batch.forEach((msg, i) => {
      const decision = decisions[i] as Decision
      const outcome: EventOutcome = { id: msg.event.id, accepted: decision.accepted, message: decision.message }
      msg.reply(outcome)
      if (decision.fanOut) this.#monitor.post({ type: 'publish', event: msg.event })
    })
  }

  /**
   * The answer this writer would give right now without storing anything, when the store
   * alone decides it: an id already stored (with the same signature, so the copy is the
   * stored event itself), or a version that loses against the current head of its address
   * (and is not covered by a deletion, which would block it instead). Null when only a
   * write can tell. Read-only. The ingester asks before signature verification, but only
   * while nothing else of the same author is in flight: only an author's own events
   * change what is stored under that author, so the answer is exactly the one the writer
   * would give later. Off while test faults are on.
   */
  precheck(event: NostrEvent): Precheck | null {
    if (this.#faults.size > 0) return null
    if (this.#store.has(event.id)) {
      if (this.#store.get(event.id)?.sig !== event.sig) return null
      return { outcome: { id: event.id, accepted: true, message: AlreadyHave }, needsVerification: false }
    }
    if (event.kind === DeletionKind) return null
    const address = addressOf(event)
    if (address === null) return null
    const head = selectHead(this.#store.versionsOf(address))
    if (head === undefined || supersedes(event, head)) return null
    if (this.#isDeleted(event)) {
      return { outcome: { id: event.id, accepted: false, message: DeletedByAuthor }, needsVerification: true }
    }
    return { outcome: { id: event.id, accepted: true, message: staleText(event, head) }, needsVerification: true }
  }

  /** Applies one event inside the batch transaction. */
  #decide(event: NostrEvent): Decision {
    const faults = this.#faults
    if (this.#store.has(event.id)) {
      return { accepted: !faults.has('duplicate-answered-false'), message: AlreadyHave, fanOut: false }
    }
    if (event.kind === DeletionKind) return this.#applyDeletion(event)
    if (this.#isDeleted(event)) return { accepted: false, message: DeletedByAuthor, fanOut: false }
    const placement = this.#place(event)
    if (!placement.ok) return { accepted: false, message: placement.message, fanOut: false }
    const address = addressOf(event)
    if (address === null) {
      this.#store.insert(event, placement.thread)
      return Stored
    }
    const versions = this.#store.versionsOf(address)
    const head = selectHead(versions)
    if (head !== undefined && !this.#wins(event, head)) {
      return {
        accepted: !faults.has('replace-stale-answered-false'),
        message: staleText(event, head),
        fanOut: faults.has('fanout-stale-versions'),
      }
    }
    this.#store.insert(event, placement.thread)
    for (const old of versions) this.#supersede(old, address)
    return Stored
  }

  /** NIP-10 thread placement of a channel message against what is stored (earlier events of this batch included). */
  #place(event: NostrEvent): ThreadPlacement {
    const placed = placeChannelMessage(event, (id) => this.#store.getThreaded(id))
    if (placed.ok || this.#faults.size === 0) return placed
    return this.#bendPlacement(event, placed)
  }

  /** The thread faults: each turns one refusal of the placement table into an acceptance. */
  #bendPlacement(event: NostrEvent, refusal: ThreadPlacement & { ok: false }): ThreadPlacement {
    const faults = this.#faults
    const refs = threadRefs(event.tags)
    if (refs === null) return refusal
    const broadcast = isBroadcast(event.tags)
    const accept = (root: string, depth: number): ThreadPlacement => ({
      ok: true,
      thread: { root, parent: refs.parent, depth, broadcast },
    })
    const parent = this.#store.getThreaded(refs.parent)
    if (parent === undefined) {
      return faults.has('thread-accept-missing-parent') ? accept(refs.claimedRoot ?? refs.parent, 1) : refusal
    }
    const position = threadPositionOf(parent)
    let channel = channelOf(event)
    let claimedRoot = refs.claimedRoot
    for (;;) {
      const placed = placeReply({ claimedRoot, parent: refs.parent }, channel, position)
      if (placed.ok) return accept(placed.root, placed.depth)
      if (placed.message === ThreadRefusals.otherChannel && faults.has('thread-accept-other-channel')) channel = position.channel
      else if (placed.message === ThreadRefusals.rootMismatch && faults.has('thread-accept-root-mismatch')) claimedRoot = null
      else if (placed.message === ThreadRefusals.tooDeep && faults.has('thread-no-depth-limit')) return accept(position.root, position.depth + 1)
      else return placed
    }
  }

  /** Whether `candidate` replaces the current head (spec: greater created_at, then lowest id). */
  #wins(candidate: NostrEvent, head: NostrEvent): boolean {
    const faults = this.#faults
    if (faults.size > 0) {
      if (faults.has('replace-older-wins')) return true
      if (candidate.created_at === head.created_at) {
        if (faults.has('replace-no-tie-break')) return true
        if (faults.has('replace-tie-break-highest-id')) return candidate.id > head.id
      }
    }
    return supersedes(candidate, head)
  }

  /** Superseded versions are removed, by id too. */
  #supersede(old: NostrEvent, address: string): void {
    const faults = this.#faults
    if (faults.has('replace-keep-superseded')) return
    this.#store.remove(old.id)
    if (faults.has('replace-superseded-by-id')) this.#faultState.superseded.set(old.id, old)
    if (faults.has('delete-e-superseded-removes-head')) this.#faultState.supersededAddress.set(old.id, address)
  }

  /**
   * Whether the author has any stored deletion, per author, filled lazily. `false` is exact
   * (kind 5 events reach storage only through this writer, which marks their author);
   * `true` only means "look". Spares two queries per event for authors who never deleted.
   */
  readonly #authorDeleted = new Map<string, boolean>()

  #mayHaveDeletions(pubkey: string): boolean {
    let known = this.#authorDeleted.get(pubkey)
    if (known === undefined) {
      if (this.#authorDeleted.size >= 100_000) this.#authorDeleted.clear()
      known = this.#store.count([{ kinds: [DeletionKind], authors: [pubkey] }]) > 0
      this.#authorDeleted.set(pubkey, known)
    }
    return known
  }

  /** True when a stored deletion of the same author removes this event (NIP-09 tombstone). */
  #isDeleted(event: NostrEvent): boolean {
    if (!this.#mayHaveDeletions(event.pubkey)) return false
    const deletions = this.#store.query({ kinds: [DeletionKind], authors: [event.pubkey], '#e': [event.id] })
    const address = addressOf(event)
    if (address !== null) {
      deletions.push(...this.#store.query({ kinds: [DeletionKind], authors: [event.pubkey], '#a': [address] }))
    }
    if (deletions.length === 0) return false
    // These defects let an `a` deletion cover every version, whatever its created_at.
    const ignoreTime = this.#faults.has('delete-a-ignores-created-at') || this.#faults.has('delete-no-resurrection')
    const probe = ignoreTime ? { ...event, created_at: 0 } : event
    return deletions.some((deletion) => isDeletedBy(probe, deletion))
  }

  #applyDeletion(deletion: NostrEvent): Decision {
    const targets = deletionTargets(deletion)
    const held = targets.ids.map((id) => this.#store.get(id)).filter((event) => event !== undefined)
    if (!this.#faults.has('delete-accept-foreign-author')) {
      const authority = checkDeletionTargetAuthors(deletion, held)
      if (!authority.ok) return { accepted: false, message: authority.message, fanOut: false }
    }
    this.#store.insert(deletion)
    this.#authorDeleted.set(deletion.pubkey, true)
    for (const target of held) {
      if (isDeletedBy(target, deletion)) this.#store.remove(target.id)
    }
    if (this.#faults.has('delete-e-superseded-removes-head')) {
      for (const id of targets.ids) {
        const address = this.#faultState.supersededAddress.get(id)
        if (address === undefined) continue
        for (const version of this.#store.versionsOf(address)) this.#store.remove(version.id)
      }
    }
    const ignoreTime = this.#faults.has('delete-a-ignores-created-at')
    for (const target of targets.addresses) {
      for (const version of this.#store.versionsOf(formatAddress(target.kind, target.pubkey, target.d))) {
        const probe = ignoreTime ? { ...version, created_at: 0 } : version
        if (isDeletedBy(probe, deletion)) this.#store.remove(version.id)
      }
    }
    return Stored
  }
}
