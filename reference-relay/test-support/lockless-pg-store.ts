/**
 * A PostgreSQL store whose batches take no advisory locks: the negative control that shows
 * what the per-author locks prevent (two stores deciding one address at the same moment).
 * Only tests import this file.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import { PgStore } from '../src/storage/pg-store.ts'

export class LocklessPgStore extends PgStore {
  protected override batchLockNames(_events: readonly NostrEvent[]): string[] {
    return []
  }
}
