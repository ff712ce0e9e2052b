/**
 * Offline sync. Writes land in the store and the pending-sync queue first; draining
 * publishes them in queue order with retry and exponential backoff, and refreshing pulls
 * the relay's heads and deletions back into the store.
 */

import { type ClockWindow, DefaultSkewSeconds, isWithinWindow, nextWriteTimestamp, symmetricWindow } from '../../spec/model/clock.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { dTagOf } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { reasonPrefixOf } from '../../spec/model/reasons.ts'
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure'
import { fetchPersonaEvents } from './fetch.ts'
import type { RelayClient } from './relay-types.ts'
import type { PendingEntry, RetentionStore } from './store.ts'

export interface DrainOptions {
  /** Unix seconds. */
  now: () => number
  /** The owner's key, to re-stamp the owner's own events that went stale while queued. */
  secretKey?: Uint8Array
  /** The relay's advertised window; the origin's symmetric 900 s is assumed when unknown. */
  window?: ClockWindow
  /** Ignore next-attempt times (an explicit `persona sync`). */
  force?: boolean
}

export interface SyncItem {
  id: string
  address: string
  message: string
}

export interface DrainReport {
  sent: SyncItem[]
  /** Events re-signed with a fresh created_at because the relay's clock window had passed them. */
  restamped: Array<{ from: string; to: string; address: string }>
  /** Queued versions a newer local version or a deletion made pointless. */
  superseded: SyncItem[]
  /** Refused by the relay for good: kept in the queue as `failed` for inspection. */
  failed: SyncItem[]
  /** Not answered (relay gone, timeout): tried again after a backoff. */
  retrying: Array<SyncItem & { next_attempt_at: number }>
  /** Entries still queued (pending or failed) after this drain. */
  remaining: { pending: number; failed: number }
  /** True when the drain stopped early because the relay stopped answering. */
  interrupted: boolean
}

function emptyReport(): DrainReport {
  return { sent: [], restamped: [], superseded: [], failed: [], retrying: [], remaining: { pending: 0, failed: 0 }, interrupted: false }
}

/** True when a queued persona version is no longer the local head (superseded or deleted). */
function isSuperseded(store: RetentionStore, event: NostrEvent): boolean {
  if (event.kind !== PersonaKind) return false
  const current = store.readPersona(event.pubkey, dTagOf(event))
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
  const known = event.kind === PersonaKind ? store.lastTimestampOf(event.pubkey, dTagOf(event)) : undefined
  const stamp = nextWriteTimestamp(now, Math.max(known ?? 0, event.created_at), window)
  if (!stamp.ok) return null
  const fresh = finalizeEvent({ kind: event.kind, created_at: stamp.created_at, tags: event.tags, content: event.content }, secretKey)
  return store.transaction(() => {
    const put = fresh.kind === DeletionKind ? store.putDeletion(fresh) : store.putPersona(fresh)
    if (put.status !== 'stored') return null
    store.replacePendingEvent(entry.seq, fresh)
    return fresh
  })
}

export async function drainPendingSync(store: RetentionStore, relay: RelayClient, options: DrainOptions): Promise<DrainReport> {
  const report = emptyReport()
  const window = options.window ?? symmetricWindow(DefaultSkewSeconds)
  const { entries } = store.listPendingSync(options.force ? {} : { dueAt: options.now() })
  for (const entry of entries) {
    if (isSuperseded(store, entry.event)) {
      store.markSyncDone(entry.seq)
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
    let outcome = await relay.publish(event)
    if (outcome.status === 'refused' && reasonPrefixOf(outcome.message) === 'invalid' && !isWithinWindow(event.created_at, options.now(), symmetricWindow(DefaultSkewSeconds))) {
      // The relay's window is narrower than we knew: re-stamp once and try again.
      const fresh = restamp(store, { ...entry, event }, options, symmetricWindow(DefaultSkewSeconds))
      if (fresh !== null) {
        report.restamped.push({ from: event.id, to: fresh.id, address: entry.address })
        event = fresh
        outcome = await relay.publish(event)
      }
    }
    const item = { id: event.id, address: entry.address, message: outcome.message }
    // `duplicate:` means the relay holds this or a newer version, whatever the OK flag says.
    if (outcome.status === 'accepted' || (outcome.status === 'refused' && reasonPrefixOf(outcome.message) === 'duplicate')) {
      store.markSyncDone(entry.seq)
      report.sent.push(item)
    } else if (outcome.status === 'refused' && (isTransientRefusal(outcome.message) || isAheadOfWindow(event, options.now(), window))) {
      // An event stamped ahead of the window (a burst of offline edits) becomes acceptable by waiting.
      store.markSyncRetry(entry.seq, outcome.message, options.now())
      report.retrying.push({ ...item, next_attempt_at: nextAttemptOf(store, entry.seq) })
    } else if (outcome.status === 'refused') {
      store.markSyncFailed(entry.seq, outcome.message)
      report.failed.push(item)
    } else {
      store.markSyncRetry(entry.seq, outcome.message, options.now())
      report.retrying.push({ ...item, next_attempt_at: nextAttemptOf(store, entry.seq) })
      report.interrupted = true
      break // no answer: the relay is gone or stuck; the rest waits for the next drain
    }
  }
  report.remaining = store.countPendingSync()
  return report
}

function isAheadOfWindow(event: NostrEvent, now: number, window: ClockWindow): boolean {
  return event.created_at > now + Math.min(window.upper, DefaultSkewSeconds)
}

/** Refusals that may pass later: rate limits and the relay's own errors. */
export function isTransientRefusal(message: string): boolean {
  const prefix = reasonPrefixOf(message)
  return prefix === 'rate-limited' || prefix === 'error'
}

function nextAttemptOf(store: RetentionStore, seq: number): number {
  return store.listPendingSync().entries.find((e) => e.seq === seq)?.nextAttemptAt ?? 0
}

/**
 * Records a failed attempt on every due entry when the relay could not even be reached.
 * No backoff is added: each command tries to connect once anyway, and when the relay is
 * back the next command should send at once. Backoff applies to failures with the relay
 * reached (no OK in time, connection lost mid-publish, `rate-limited:`, `error:`).
 */
export function recordUnreachable(store: RetentionStore, message: string, now: number): number {
  const { entries } = store.listPendingSync({ dueAt: now })
  for (const entry of entries) store.markSyncUnreachable(entry.seq, message)
  return entries.length
}

export type RefreshReport = { ok: true; updated: string[]; deleted: string[]; rejected: string[] } | { ok: false; message: string }

/** Pulls the relay's heads and deletions for an author (or one slug) into the store; latest wins. */
export async function refreshPersonas(store: RetentionStore, relay: RelayClient, pubkey: string, slug?: string): Promise<RefreshReport> {
  const answer = await fetchPersonaEvents(relay, pubkey, slug)
  if (!answer.ok) return answer
  const updated: string[] = []
  const deleted: string[] = []
  store.transaction(() => {
    for (const head of answer.heads) {
      if (store.putPersona(head).status === 'stored') updated.push(dTagOf(head))
    }
    for (const deletion of answer.deletions) {
      const put = store.putDeletion(deletion)
      if (put.status === 'stored' && put.removed > 0) deleted.push(deletion.id)
    }
  })
  return { ok: true, updated, deleted, rejected: answer.rejected }
}
