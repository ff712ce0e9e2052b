/**
 * Offline sync. Writes land in the store and the pending-sync queue first; draining
 * publishes them in queue order with retry and exponential backoff, and refreshing pulls
 * the relay's heads and deletions back into the store. A `duplicate:` answer is checked
 * against the relay's head before it counts as sent (AP-WRITE-4).
 */

import { type ClockWindow, DefaultSkewSeconds, isWithinWindow, nextWriteTimestamp, symmetricWindow } from '../../spec/model/clock.ts'
import { isDeletedBy } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { dTagOf } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { checkEventMessageSize } from '../../spec/model/message-size.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure'
import { fetchPersonaEvents, type PersonaEvents, type RejectedEvent } from './fetch.ts'
import type { PublishOutcome, RelayClient } from './relay-types.ts'
import type { PendingEntry, RetentionStore } from './store/index.ts'

export interface DrainOptions {
  /** Unix seconds. */
  now: () => number
  /** The owner's key, to re-stamp the owner's own events that went stale while queued. */
  secretKey?: Uint8Array
  /** The relay's advertised window; the origin's symmetric 900 s is assumed when unknown. */
  window?: ClockWindow
  /** The relay's NIP-11 max_message_length, when it advertises one. */
  maxMessageLength?: number
  /** Ignore next-attempt times (an explicit `persona sync`). */
  force?: boolean
}

export interface SyncItem {
  id: string
  address: string
  message: string
}

/** The relay's head of an address, as the drain saw it after a `duplicate:` answer. */
export interface RelayHead {
  id: string
  created_at: number
}

export interface DrainReport {
  /** Accepted, and (after a `duplicate:` answer) confirmed to be the relay's head. */
  sent: SyncItem[]
  /** Answered `duplicate:` but not the relay's head afterwards: it did not take effect. */
  duplicate: Array<SyncItem & { head: RelayHead | null }>
  /** Events re-signed with a fresh created_at because the relay's clock window had passed them. */
  restamped: Array<{ from: string; to: string; address: string }>
  /** Queued versions a newer local version or a deletion made pointless. */
  superseded: SyncItem[]
  /** Refused by the relay for good: kept in the queue as `failed` for inspection. */
  failed: SyncItem[]
  /** Not answered, or refused for a reason that may pass (relay gone, timeout, rate limit, auth): tried again after a backoff. */
  retrying: Array<SyncItem & { next_attempt_at: number }>
  /** Events the relay sent while the drain read heads back, and why they were not used. */
  rejected: RejectedEvent[]
  /** Entries still queued (pending or failed) after this drain. */
  remaining: { pending: number; failed: number }
  /** True when the drain stopped early because the relay stopped answering. */
  interrupted: boolean
}

function emptyReport(): DrainReport {
  return { sent: [], duplicate: [], restamped: [], superseded: [], failed: [], retrying: [], rejected: [], remaining: { pending: 0, failed: 0 }, interrupted: false }
}

/** True when a queued persona version is no longer the local head (superseded or deleted). */
function isSuperseded(store: RetentionStore, event: NostrEvent): boolean {
  if (event.kind !== PersonaKind) return false
  const current = store.personas.read(event.pubkey, dTagOf(event))
  return current.status !== 'present' || current.event.id !== event.id
}

/**
 * Re-signs a stale queued event of the owner with created_at = max(now, T+1). Returns
 * null when it is not ours, or when the fresh stamp would itself leave the window.
 */
function restamp(store: RetentionStore, entry: PendingEntry, options: DrainOptions, window: ClockWindow): NostrEvent | null {
  const { secretKey } = options
  const event = entry.event
  if (secretKey === undefined || getPublicKey(secretKey) !== event.pubkey) return null
  const now = options.now()
  const known = event.kind === PersonaKind ? store.personas.lastTimestampOf(event.pubkey, dTagOf(event)) : undefined
  const stamp = nextWriteTimestamp(now, Math.max(known ?? 0, event.created_at), window)
  if (!stamp.ok) return null
  const fresh = finalizeEvent({ kind: event.kind, created_at: stamp.created_at, tags: event.tags, content: event.content }, secretKey)
  return store.transaction(() => {
    const put = fresh.kind === DeletionKind ? store.personas.putDeletion(fresh) : store.personas.put(fresh)
    if (put.status !== 'stored') return null
    store.queue.replaceEvent(entry.seq, fresh)
    return fresh
  })
}

/** Stores whatever valid heads and deletions a relay answered; latest wins. */
export function ingestPersonaEvents(store: RetentionStore, answer: Extract<PersonaEvents, { ok: true }>): { updated: string[]; deleted: string[] } {
  const updated: string[] = []
  const deleted: string[] = []
  store.transaction(() => {
    for (const head of answer.heads) {
      if (store.personas.put(head).status === 'stored') updated.push(dTagOf(head))
    }
    for (const deletion of answer.deletions) {
      const put = store.personas.putDeletion(deletion)
      if (put.status === 'stored' && put.covered.length > 0) deleted.push(deletion.id)
    }
  })
  return { updated, deleted }
}

type HeadCheck = { status: 'head' } | { status: 'not-head'; head: RelayHead | null; why: string }

/**
 * After a `duplicate:` answer: reads the address back. The write took effect only if the
 * relay's head is this very event and no deletion the relay holds covers it.
 */
async function checkRelayHead(store: RetentionStore, relay: RelayClient, event: NostrEvent, rejected: RejectedEvent[]): Promise<HeadCheck> {
  if (event.kind !== PersonaKind) return { status: 'head' }
  const slug = dTagOf(event)
  const answer = await fetchPersonaEvents(relay, event.pubkey, slug)
  if (!answer.ok) return { status: 'not-head', head: null, why: `could not read the relay's head back (${answer.message})` }
  rejected.push(...answer.rejected)
  ingestPersonaEvents(store, answer)
  const head = answer.heads.find((e) => dTagOf(e) === slug)
  const deletedThere = head !== undefined && answer.deletions.some((d) => isDeletedBy(head, d))
  if (head?.id === event.id && !deletedThere) return { status: 'head' }
  if (head === undefined) return { status: 'not-head', head: null, why: 'the relay serves no version of it' }
  return { status: 'not-head', head: { id: head.id, created_at: head.created_at }, why: deletedThere ? `the relay holds a deletion of ${slug}` : `the relay's head is ${head.id}` }
}

/** Refusals that may pass later: rate limits, the relay's own errors, and authentication (AP-STORE-7). */
export function isTransientRefusal(message: string): boolean {
  const prefix = reasonPrefixOf(message)
  return prefix === 'rate-limited' || prefix === 'error' || prefix === 'auth-required'
}

function isAheadOfWindow(event: NostrEvent, now: number, window: ClockWindow): boolean {
  return event.created_at > now + Math.min(window.upper, DefaultSkewSeconds)
}

function nextAttemptOf(store: RetentionStore, seq: number): number {
  return store.queue.list().entries.find((e) => e.seq === seq)?.nextAttemptAt ?? 0
}

async function publishChecked(relay: RelayClient, event: NostrEvent, options: DrainOptions): Promise<PublishOutcome> {
  const size = checkEventMessageSize(event, options.maxMessageLength)
  if (!size.ok) return { status: 'refused', message: size.message }
  return relay.publish(event)
}

export async function drainPendingSync(store: RetentionStore, relay: RelayClient, options: DrainOptions): Promise<DrainReport> {
  const report = emptyReport()
  const window = options.window ?? symmetricWindow(DefaultSkewSeconds)
  const { entries } = store.queue.list(options.force ? {} : { dueAt: options.now() })
  for (const entry of entries) {
    if (isSuperseded(store, entry.event)) {
      store.queue.markDone(entry.seq)
      report.superseded.push({ id: entry.event.id, address: entry.address, message: 'superseded locally' })
      continue
    }
    let event = entry.event
    if (!isWithinWindow(event.created_at, options.now(), window)) {
      const fresh = restamp(store, entry, options, window)
      if (fresh !== null) {
        report.restamped.push({ from: event.id, to: fresh.id, address: entry.address })
        event = fresh
      }
    }
    let outcome = await publishChecked(relay, event, options)
    if (outcome.status === 'refused' && reasonPrefixOf(outcome.message) === 'invalid' && !isWithinWindow(event.created_at, options.now(), symmetricWindow(DefaultSkewSeconds))) {
      // The relay's window is narrower than we knew: re-stamp once and try again.
      const fresh = restamp(store, { ...entry, event }, options, symmetricWindow(DefaultSkewSeconds))
      if (fresh !== null) {
        report.restamped.push({ from: event.id, to: fresh.id, address: entry.address })
        event = fresh
        outcome = await publishChecked(relay, event, options)
      }
    }
    const item = { id: event.id, address: entry.address, message: outcome.message }
    if (outcome.status !== 'failed' && reasonPrefixOf(outcome.message) === 'duplicate') {
      // The relay holds this or a newer version, whatever the OK flag says: the entry is done,
      // and it was sent only if it is the relay's head now.
      store.queue.markDone(entry.seq)
      const check = await checkRelayHead(store, relay, event, report.rejected)
      if (check.status === 'head') report.sent.push(item)
      else report.duplicate.push({ ...item, message: `${outcome.message}${outcome.message.endsWith(':') ? ' ' : '; '}${check.why}`, head: check.head })
    } else if (outcome.status === 'accepted') {
      store.queue.markDone(entry.seq)
      report.sent.push(item)
    } else if (outcome.status === 'refused' && (isTransientRefusal(outcome.message) || isAheadOfWindow(event, options.now(), window))) {
      // An event stamped ahead of the window (a burst of offline edits) becomes acceptable by waiting.
      store.queue.markRetry(entry.seq, outcome.message, options.now())
      report.retrying.push({ ...item, next_attempt_at: nextAttemptOf(store, entry.seq) })
    } else if (outcome.status === 'refused') {
      store.queue.markFailed(entry.seq, outcome.message)
      report.failed.push(item)
    } else {
      store.queue.markRetry(entry.seq, outcome.message, options.now())
      report.retrying.push({ ...item, next_attempt_at: nextAttemptOf(store, entry.seq) })
      report.interrupted = true
      break // no answer: the relay is gone or stuck; the rest waits for the next drain
    }
  }
  report.remaining = store.queue.count()
  return report
}

/**
 * Records a failed attempt on every due entry when the relay could not even be reached.
 * No backoff is added: each command tries to connect once anyway, and when the relay is
 * back the next command should send at once. Backoff applies to failures with the relay
 * reached (no OK in time, connection lost mid-publish, `rate-limited:`, `error:`, `auth-required:`).
 */
export function recordUnreachable(store: RetentionStore, message: string, now: number): number {
  const { entries } = store.queue.list({ dueAt: now })
  for (const entry of entries) store.queue.markUnreachable(entry.seq, message)
  return entries.length
}

export type RefreshReport = { ok: true; updated: string[]; deleted: string[]; rejected: RejectedEvent[] } | { ok: false; message: string }

/** Pulls the relay's heads and deletions for an author (or one slug) into the store; latest wins. */
export async function refreshPersonas(store: RetentionStore, relay: RelayClient, pubkey: string, slug?: string): Promise<RefreshReport> {
  const answer = await fetchPersonaEvents(relay, pubkey, slug)
  if (!answer.ok) return answer
  return { ok: true, ...ingestPersonaEvents(store, answer), rejected: answer.rejected }
}
