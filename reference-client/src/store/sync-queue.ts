/**
 * The pending-sync queue: signed events waiting for a relay, in write order, with the
 * attempt count, next attempt time and last error of each. One entry per address: a new
 * write for an address replaces whatever was queued for it. Entries are re-verified when
 * listed.
 */

import { deletionTargets } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { addressOf, formatAddress } from '../../../spec/model/head.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import { checkSignedEvent, parseStoredEvent } from '../verify.ts'
import type { StoreDatabase } from './database.ts'

export type SyncState = 'pending' | 'failed'

export interface PendingEntry {
  seq: number
  event: NostrEvent
  address: string
  enqueuedAt: number
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  state: SyncState
}

export interface CorruptEntry {
  where: 'pending_sync'
  key: string
  message: string
}

/** Seconds to wait before the next attempt after `attempts` failures: 5 s doubling, capped at 1 h. */
export function retryDelaySeconds(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20))
  return Math.min(5 * 2 ** exponent, 3600)
}

/** The queue groups entries by the address they write: a persona's own, or the one a deletion names. */
export function syncAddressOf(event: NostrEvent): string {
  const address = addressOf(event)
  if (address !== null) return address
  if (event.kind === DeletionKind) {
    const target = deletionTargets(event).addresses[0]
    if (target !== undefined) return formatAddress(target.kind, target.pubkey, target.d)
  }
  return `event:${event.id}`
}

export interface SyncQueue {
  enqueue(event: NostrEvent, now: number): void
  /** Pending (not failed) entries in queue order; with `dueAt`, only those whose next attempt has come. */
  list(options?: { dueAt?: number; includeFailed?: boolean }): { entries: PendingEntry[]; corrupt: CorruptEntry[] }
  count(): { pending: number; failed: number }
  addresses(): Set<string>
  markDone(seq: number): void
  markRetry(seq: number, error: string, now: number): void
  markFailed(seq: number, error: string): void
  /** Counts an attempt that never reached the relay; the next-attempt time is left alone. */
  markUnreachable(seq: number, error: string): void
  /** Swaps the queued event (a re-stamped version) keeping the entry's place in the queue. */
  replaceEvent(seq: number, event: NostrEvent): void
  dropFor(address: string): number
}

interface PendingRow {
  seq: number
  address: string
  raw: string
  enqueued_at: number
  attempts: number
  next_attempt_at: number
  last_error: string | null
  state: SyncState
}

export function createSyncQueue(db: StoreDatabase): SyncQueue {
  const selectAll = db.prepare<[], PendingRow>(
    'SELECT seq, address, raw, enqueued_at, attempts, next_attempt_at, last_error, state FROM pending_sync ORDER BY seq',
  )
  const deleteForAddress = db.prepare('DELETE FROM pending_sync WHERE address = ?')

  return {
    enqueue(event, now) {
      const address = syncAddressOf(event)
      db.transaction(() => {
        // A new write for an address supersedes whatever was queued for it, refused entries included.
        deleteForAddress.run(address)
        db.prepare(
          `INSERT INTO pending_sync (event_id, address, raw, enqueued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (event_id) DO NOTHING`,
        ).run(event.id, address, JSON.stringify(event), now, now)
      })()
    },

    list(options = {}) {
      const entries: PendingEntry[] = []
      const corrupt: CorruptEntry[] = []
      for (const row of selectAll.all()) {
        if (row.state === 'failed' && !options.includeFailed) continue
        if (options.dueAt !== undefined && row.state === 'pending' && row.next_attempt_at > options.dueAt) continue
        const checked = parseStoredEvent(row.raw, checkSignedEvent)
        if (!checked.ok) {
          corrupt.push({ where: 'pending_sync', key: String(row.seq), message: checked.message })
          continue
        }
        entries.push({
          seq: row.seq,
          event: checked.event,
          address: row.address,
          enqueuedAt: row.enqueued_at,
          attempts: row.attempts,
          nextAttemptAt: row.next_attempt_at,
          lastError: row.last_error,
          state: row.state,
        })
      }
      return { entries, corrupt }
    },

    count() {
      const rows = db.prepare<[], { state: SyncState; n: number }>('SELECT state, COUNT(*) AS n FROM pending_sync GROUP BY state').all()
      return {
        pending: rows.find((r) => r.state === 'pending')?.n ?? 0,
        failed: rows.find((r) => r.state === 'failed')?.n ?? 0,
      }
    },

    addresses() {
      const rows = db.prepare<[], { address: string }>('SELECT DISTINCT address FROM pending_sync').all()
      return new Set(rows.map((r) => r.address))
    },

    markDone(seq) {
      db.prepare('DELETE FROM pending_sync WHERE seq = ?').run(seq)
    },

    markRetry(seq, error, now) {
      const row = db.prepare<[number], { attempts: number }>('SELECT attempts FROM pending_sync WHERE seq = ?').get(seq)
      if (row === undefined) return
      const attempts = row.attempts + 1
      db.prepare('UPDATE pending_sync SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?').run(attempts, now + retryDelaySeconds(attempts), error, seq)
    },

    markFailed(seq, error) {
      db.prepare(`UPDATE pending_sync SET attempts = attempts + 1, last_error = ?, state = 'failed' WHERE seq = ?`).run(error, seq)
    },

    markUnreachable(seq, error) {
      db.prepare('UPDATE pending_sync SET attempts = attempts + 1, last_error = ? WHERE seq = ?').run(error, seq)
    },

    replaceEvent(seq, event) {
      db.prepare('UPDATE pending_sync SET event_id = ?, raw = ? WHERE seq = ?').run(event.id, JSON.stringify(event), seq)
    },

    dropFor(address) {
      return deleteForAddress.run(address).changes
    },
  }
}
