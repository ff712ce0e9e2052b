/**
 * The retention store: one SQLite file, one handle, one module per concern over it:
 * persona heads and deletions (personas.ts), the pending-sync queue (sync-queue.ts) and
 * local env vars (local-env.ts). `transaction` spans them all.
 */

import { formatAddress } from '../../../spec/model/head.ts'
import { PersonaKind } from '../../../spec/model/kinds.ts'
import { openStoreDatabase } from './database.ts'
import { createLocalEnvStore, type LocalEnvStore } from './local-env.ts'
import { createPersonaStore, type PersonaStore } from './personas.ts'
import { createSyncQueue, type SyncQueue } from './sync-queue.ts'

export type { AuditedRow, CorruptRow, DeletionPutResult, PersonaRead, PersonaStore, PutResult } from './personas.ts'
export { type CorruptEntry, type PendingEntry, retryDelaySeconds, type SyncQueue, type SyncState, syncAddressOf } from './sync-queue.ts'
export type { LocalEnvStore } from './local-env.ts'

export interface RetentionStore {
  readonly path: string
  readonly personas: PersonaStore
  readonly queue: SyncQueue
  readonly env: LocalEnvStore
  /** Runs `fn` in one transaction: all of its writes land or none do. */
  transaction<T>(fn: () => T): T
  close(): void
}

export function personaAddress(pubkey: string, slug: string): string {
  return formatAddress(PersonaKind, pubkey, slug)
}

export function openRetentionStore(path: string): RetentionStore {
  const db = openStoreDatabase(path)
  return {
    path,
    personas: createPersonaStore(db),
    queue: createSyncQueue(db),
    env: createLocalEnvStore(db),
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  }
}
