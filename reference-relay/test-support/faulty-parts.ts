/**
 * The test faults (faults.ts), built as replacements of the relay's parts (RelayParts in
 * src/relay.ts): faulty ingest rules, faulty write rules, a faulty store (what it keeps,
 * what it answers, how the writer's decisions come back), a faulty wire, verifier, outbox,
 * ingester door and HTTP bridge. Each defect sits where a real relay would have it; a relay
 * built without faults uses none of this. Only tests and the kill table import this file.
 */

import { checkOriginRelayRules, checkRelayRules, type RuleCheck } from '../../spec/model/acceptance.ts'
import { symmetricWindow } from '../../spec/model/clock.ts'
import { parsePersonaContent } from '../../spec/model/content.ts'
import { ForeignDeletionRefusal, deletionTargets, isDeletedBy } from '../../spec/model/deletion.ts'
import { valuedDTags } from '../../spec/model/envelope.ts'
import type { NostrEvent, Tag } from '../../spec/model/event.ts'
import { type Filter, matchFilter } from '../../spec/model/filter.ts'
import type { SkippableHttpAuthCheck } from '../../spec/model/http-auth.ts'
import { addressOf } from '../../spec/model/head.ts'
import { DeletionKind, isEphemeralKind, PersonaKind } from '../../spec/model/kinds.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { channelOf, matchFilterInScope, originChannelOf } from '../../spec/model/scope.ts'
import { checkSlug } from '../../spec/model/slug.ts'
import { utf8ByteLength } from '../../spec/model/bytes.ts'
import { originThreadPositionOf, threadPositionOf, type ThreadPlacement } from '../../spec/model/thread-ingest.ts'
import { selectTopLevel, type ThreadedEvent } from '../../spec/model/thread-query.ts'
import { isBroadcast, OriginThreadRefusals, originThreadRefs, placeReply, placeReplyOrigin, ThreadRefusals, threadRefs, type ThreadQuery, type TopLevelQuery } from '../../spec/model/thread.ts'
import type { RelayConfig } from '../src/config.ts'
import type { IngestPolicy } from '../src/ingest-policy.ts'
import type { RelayParts } from '../src/relay.ts'
import type { BatchEffect } from '../src/storage/batch.ts'
import type { EventReader, RelayStore, StoredAnswer, StoredQuery } from '../src/storage/event-store.ts'
import { MemoryBackend } from '../src/storage/memory-backend.ts'
import { MemoryStore } from '../src/storage/memory-store.ts'
import { storedEventOf, unionNewestFirst } from '../src/storage/read.ts'
import { OriginWriteRules, SpecWriteRules, type WriteRules } from '../src/storage/write-rules.ts'
import type { Wire } from '../src/wire.ts'
import type { FaultName, FaultSet } from './faults.ts'

/** The parts of a relay with exactly these defects (none: an empty object, the healthy relay). */
export function faultyParts(faults: FaultSet, config: RelayConfig): RelayParts {
  if (faults.size === 0) return {}
  const has = (name: FaultName) => faults.has(name)
  const parts: RelayParts = {
    // In origin mode the faults bend the origin's rules, as they bend spec/model's otherwise.
    policy: faultyPolicy(faults, config.skewSeconds, config.origin),
    openStore: async () => new FaultyStore(faults, config.limits.maxLimit, config.origin),
    wrapWire: (wire) => (has('reasons-without-prefix') ? wireWithoutPrefixes(wire) : wire),
    httpAuthSkips: authSkipsOf(faults),
  }
  if (has('signature-not-checked')) {
    parts.wrapVerifier = (verifier) => ({ name: verifier.name, verify: async (events) => events.map(() => true), close: () => verifier.close() })
  }
  if (has('req-no-eose')) {
    parts.wrapOutbox = (outbox) => ({
      post: (msg) => outbox.post(msg.type === 'send' ? { ...msg, frames: msg.frames.filter((frame) => !frame.startsWith('["EOSE",')) } : msg),
    })
  }
  if (has('close-ignored')) {
    parts.wrapIngester = (ingester) => ({ post: (msg) => (msg.type === 'frame' && isClose(msg.text) ? undefined : ingester.post(msg)) })
  }
  if (has('http-duplicate-refused')) {
    parts.wrapBridge = (backend) => ({
      ...backend,
      submitEvent: async (event, requester) => {
        const outcome = await backend.submitEvent(event, requester)
        return outcome.accepted && outcome.message.startsWith('duplicate:') ? { ...outcome, accepted: false } : outcome
      },
    })
  }
  return parts
}

/** A well-formed CLOSE (a malformed one still gets its NOTICE). */
function isClose(text: string): boolean {
  try {
    const message: unknown = JSON.parse(text)
    return Array.isArray(message) && message[0] === 'CLOSE' && message.length === 2 && typeof message[1] === 'string'
  } catch {
    return false
  }
}

function wireWithoutPrefixes(wire: Wire): Wire {
  const strip = (message: string) => {
    const prefix = reasonPrefixOf(message)
    return prefix === null ? message : message.slice(prefix.length + 2)
  }
  return {
    ...wire,
    ok: (id, accepted, message) => wire.ok(id, accepted, accepted ? message : strip(message)),
    closed: (subId, message) => wire.closed(subId, strip(message)),
    notice: (message) => wire.notice(strip(message)),
  }
}

/** The NIP-98 checks the `http-auth-*` faults leave out. */
function authSkipsOf(faults: FaultSet): Set<SkippableHttpAuthCheck> {
  const skips = new Set<SkippableHttpAuthCheck>()
  if (faults.has('http-auth-replay-accepted')) skips.add('replayed')
  if (faults.has('http-auth-url-unchecked')) skips.add('url')
  if (faults.has('http-auth-payload-unchecked')) skips.add('payload')
  if (faults.has('http-auth-window-unchecked')) skips.add('expired')
  return skips
}

// ---------------------------------------------------------------------------------------
// Ingest rules

function faultyPolicy(faults: FaultSet, skewSeconds: number, origin: boolean): IngestPolicy {
  const checkRules = origin ? checkOriginRelayRules : checkRelayRules
  let seconds = skewSeconds
  if (faults.has('nip11-skew-not-enforced')) seconds = skewSeconds * 2
  // Integer timestamps: a window one second narrower refuses exactly the boundary.
  if (faults.has('skew-boundary-exclusive')) seconds -= 1
  const window = symmetricWindow(seconds)
  if (faults.has('skew-no-future-check')) window.upper = Number.POSITIVE_INFINITY
  if (faults.has('skew-no-past-check')) window.lower = Number.POSITIVE_INFINITY
  return {
    check: (event, now) => bendRules(faults, event, checkRules(event, now, window), (tags) => checkRules({ ...event, tags }, now, window)),
    stores: (event) => !isEphemeralKind(event.kind),
  }
}

function bendRules(faults: FaultSet, event: NostrEvent, rules: RuleCheck, recheck: (tags: Tag[]) => RuleCheck): RuleCheck {
  if (event.kind === PersonaKind) {
    const dValues = valuedDTags(event.tags)
    const slug = dValues[0]
    if (!rules.ok && faults.has('envelope-accept-two-d-tags') && dValues.length === 2) {
      rules = recheck(event.tags.filter((tag) => tag[0] !== 'd' || tag[1] === slug))
    }
    if (!rules.ok && slug !== undefined && faults.has('slug-accept-uppercase') && slug !== slug.toLowerCase()) {
      const lowered = slug.toLowerCase()
      if (checkSlug(lowered).ok) rules = recheck(replaceD(event.tags, lowered))
    }
    if (!rules.ok && slug !== undefined && faults.has('slug-accept-65-bytes') && utf8ByteLength(slug) === 65) {
      const cut = slug.slice(0, 64)
      if (checkSlug(cut).ok) rules = recheck(replaceD(event.tags, cut))
    }
    if (rules.ok && slug !== undefined && faults.has('slug-refuse-64-bytes') && utf8ByteLength(slug) === 64) {
      return { ok: false, message: 'invalid: persona event `d` tag too long (64 chars, max 63)' }
    }
    if (rules.ok && faults.has('envelope-count-valueless-d')) {
      const valueless = event.tags.filter((tag) => tag[0] === 'd' && tag.length === 1).length
      if (valueless > 0) {
        return { ok: false, message: `invalid: persona event must have exactly one \`d\` tag (got ${dValues.length + valueless})` }
      }
    }
    if (rules.ok && faults.has('scope-refuse-persona-h-tag') && event.tags.some((tag) => tag[0] === 'h')) {
      return { ok: false, message: 'invalid: persona events must not carry an h tag' }
    }
    if (rules.ok && faults.has('content-validate-persona-json')) {
      const parsed = parsePersonaContent(event.content)
      if (!parsed.ok) return parsed
    }
  }
  if (!rules.ok && rules.message === ForeignDeletionRefusal && faults.has('delete-accept-foreign-author')) return { ok: true }
  return rules
}

function replaceD(tags: Tag[], slug: string): Tag[] {
  return tags.map((tag) => (tag[0] === 'd' && typeof tag[1] === 'string' ? ['d', slug, ...tag.slice(2)] : tag))
}

// ---------------------------------------------------------------------------------------
// Write rules

function faultyWriteRules(faults: FaultSet, origin: boolean): WriteRules {
  const base = origin ? OriginWriteRules : SpecWriteRules
  const undated = (event: NostrEvent) => ({ ...event, created_at: 0 })
  return {
    answers: base.answers,
    keepsRemoved: base.keepsRemoved,
    supersedes: (candidate, head) => {
      if (faults.has('replace-older-wins')) return true
      if (candidate.created_at === head.created_at) {
        if (faults.has('replace-no-tie-break')) return true
        if (faults.has('replace-tie-break-highest-id')) return candidate.id > head.id
      }
      return base.supersedes(candidate, head)
    },
    // These defects let an `a` deletion cover every version, whatever its created_at.
    blocks: (deletion, incoming) =>
      faults.has('delete-a-ignores-created-at') || faults.has('delete-no-resurrection')
        ? isDeletedBy(undated(incoming), deletion)
        : base.blocks(deletion, incoming),
    removes: (deletion, stored) =>
      faults.has('delete-a-ignores-created-at') ? isDeletedBy(undated(stored), deletion) : base.removes(deletion, stored),
    checkDeletionTargets: (deletion, held) =>
      faults.has('delete-accept-foreign-author') ? { ok: true } : base.checkDeletionTargets(deletion, held),
    place: (event, findStored) => {
      const placed = base.place(event, findStored)
      return placed.ok ? placed : bendPlacement(faults, event, placed, findStored, origin)
    },
  }
}

/** The thread faults: each turns one refusal of the placement table into an acceptance. */
function bendPlacement(
  faults: FaultSet,
  event: NostrEvent,
  refusal: ThreadPlacement & { ok: false },
  findStored: (id: string) => ThreadedEvent | undefined,
  origin: boolean,
): ThreadPlacement {
  const refs = (origin ? originThreadRefs : threadRefs)(event.tags)
  if (refs === null) return refusal
  const refusals = origin ? OriginThreadRefusals : ThreadRefusals
  const place = origin ? placeReplyOrigin : placeReply
  const broadcast = isBroadcast(event.tags)
  const accept = (root: string, depth: number): ThreadPlacement => ({ ok: true, thread: { root, parent: refs.parent, depth, broadcast } })
  const parent = findStored(refs.parent)
  if (parent === undefined) return faults.has('thread-accept-missing-parent') ? accept(refs.claimedRoot ?? refs.parent, 1) : refusal
  const position = (origin ? originThreadPositionOf : threadPositionOf)(parent)
  let channel = (origin ? originChannelOf : channelOf)(event)
  let claimedRoot = refs.claimedRoot
  for (;;) {
    const placed = place({ claimedRoot, parent: refs.parent }, channel, position)
    if (placed.ok) return accept(placed.root, placed.depth)
    if (placed.message === refusals.otherChannel && faults.has('thread-accept-other-channel')) channel = position.channel
    // The origin always compares the claimed root; the reference takes a missing claim as the parent's.
    else if (placed.message === refusals.rootMismatch && faults.has('thread-accept-root-mismatch')) claimedRoot = origin ? position.root : null
    else if (placed.message === refusals.tooDeep && faults.has('thread-no-depth-limit')) return accept(position.root, position.depth + 1)
    else return placed
  }
}

// ---------------------------------------------------------------------------------------
// Store: what it keeps, how the writer's decisions come back, what reads answer

/** The memory store with the storage defects: what it keeps of a batch's effects. */
class FaultyMemoryStore extends MemoryStore {
  /** replace-superseded-by-id: versions hidden from storage but still served by id. */
  readonly superseded = new Map<string, NostrEvent>()
  /** delete-e-superseded-removes-head: address of each superseded version id. */
  readonly #supersededAddress = new Map<string, string>()
  readonly #faults: FaultSet

  constructor(faults: FaultSet) {
    super()
    this.#faults = faults
  }

  override applyBatch(effects: readonly BatchEffect[]): void {
    const faults = this.#faults
    for (const effect of effects) {
      if (effect.type === 'insert') {
        this.insert(effect.event, effect.thread)
        // The defect: an `e` deletion of a superseded version takes every version of its address.
        if (effect.event.kind === DeletionKind && faults.has('delete-e-superseded-removes-head')) {
          for (const id of deletionTargets(effect.event).ids) {
            const address = this.#supersededAddress.get(id)
            if (address !== undefined) for (const version of this.versionsOf(address)) this.remove(version.id)
          }
        }
        continue
      }
      if (effect.cause === 'superseded') {
        if (faults.has('replace-keep-superseded')) continue
        if (faults.has('replace-superseded-by-id')) this.superseded.set(effect.event.id, effect.event)
        const address = addressOf(effect.event)
        if (faults.has('delete-e-superseded-removes-head') && address !== null) this.#supersededAddress.set(effect.event.id, address)
      }
      this.applyRemoval(effect)
    }
    // Counts the commit.
    super.applyBatch([])
  }
}

class FaultyStore implements RelayStore {
  readonly backend = 'memory (with test faults)'
  readonly events: FaultyMemoryStore
  readonly writer: RelayStore['writer']
  readonly reader: EventReader
  readonly #inner: MemoryBackend
  readonly #faults: FaultSet
  readonly #maxLimit: number

  constructor(faults: FaultSet, maxLimit: number, origin = false) {
    this.#faults = faults
    this.#maxLimit = maxLimit
    this.events = new FaultyMemoryStore(faults)
    // No precheck: every event goes to the (faulty) writer, as the defects assume.
    this.#inner = new MemoryBackend(faultyWriteRules(faults, origin), this.events)
    this.writer = {
      writeBatch: async (batch) => {
        const committed = await this.#inner.writer.writeBatch(batch)
        return {
          ...committed,
          decisions: committed.decisions.map((decision) => {
            if (decision.verdict === 'duplicate' && faults.has('duplicate-answered-false')) return { ...decision, accepted: false }
            if (decision.verdict !== 'stale') return decision
            return {
              ...decision,
              accepted: decision.accepted && !faults.has('replace-stale-answered-false'),
              fanOut: faults.has('fanout-stale-versions'),
            }
          }),
        }
      },
    }
    this.reader = {
      read: async (query) => this.#read(query),
      count: async (filters) => this.events.count(filters) + (faults.has('count-off-by-one') ? 1 : 0),
    }
  }

  async close(): Promise<void> {
    await this.#inner.close()
  }

  #read(query: StoredQuery): StoredAnswer {
    const commit = this.events.lastCommit()
    switch (query.type) {
      case 'filters': {
        const answer = unionNewestFirst(query.filters.map((filter) => this.#queryOne(filter).map(storedEventOf)))
        return { commit, events: this.#faults.has('query-oldest-first') ? answer.reverse() : answer }
      }
      case 'thread':
        return { commit, events: this.#threadReplies(query.query, query.conditions).map(storedEventOf) }
      case 'top-level':
        return { commit, events: this.#topLevel(query.query, query.conditions).map(storedEventOf) }
    }
  }

  #queryOne(filter: Filter): NostrEvent[] {
    const faults = this.#faults
    const store = this.events
    const limit = faults.has('filter-limit-ignored') ? this.#maxLimit : Math.min(filter.limit ?? this.#maxLimit, this.#maxLimit)
    let effective: Filter = { ...filter, limit }
    if (faults.has('filter-until-exclusive') && effective.until !== undefined) effective = { ...effective, until: effective.until - 1 }
    const results = store.query(effective)
    if (faults.has('replace-superseded-by-id') && effective.ids !== undefined) {
      for (const event of store.superseded.values()) if (matchFilter(effective, event)) results.push(event)
    }
    return results
  }

  #threadReplies(query: ThreadQuery, conditions: Filter): NostrEvent[] {
    const faults = this.#faults
    const store = this.events
    let depthLimit = query.depthLimit
    if (faults.has('thread-depth-limit-exclusive')) depthLimit -= 1
    let replies = depthLimit < 1 ? [] : store.threadReplies({ ...query, depthLimit }, conditions)
    if (faults.has('thread-query-newest-first')) replies = replies.reverse()
    if (faults.has('thread-query-includes-root')) {
      const root = store.get(query.root)
      if (root !== undefined && matchFilterInScope(conditions, root)) replies = [root, ...replies].slice(0, query.limit)
    }
    return replies
  }

  #topLevel(query: TopLevelQuery, conditions: Filter): NostrEvent[] {
    const store = this.events
    const bentDepth2 = this.#faults.has('thread-top-level-broadcast-depth-2')
    const bentDepth1 = this.#faults.has('thread-top-level-non-broadcast-depth-1')
    if (!bentDepth2 && !bentDepth1) return store.topLevel(query, conditions)
    // The defects misjudge which replies are top-level: re-judge every channel event.
    const entries: ThreadedEvent[] = []
    for (const event of store.query({ ...conditions, '#h': [query.channel], limit: undefined })) {
      const thread = store.getThreaded(event.id)?.thread ?? null
      if (thread === null) entries.push({ event, thread })
      else if (bentDepth2 && thread.depth === 2 && thread.broadcast) entries.push({ event, thread: { ...thread, depth: 1 } })
      else if (bentDepth1 && thread.depth === 1) entries.push({ event, thread: { ...thread, broadcast: true } })
      else entries.push({ event, thread })
    }
    return selectTopLevel(entries, query, conditions)
  }
}

