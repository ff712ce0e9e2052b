/**
 * The memory backend as the relay's stages see it: the MemoryStore on the main thread, each
 * batch decided (storage/batch.ts) and applied in one synchronous step, reads answered at
 * once. For tests and quick runs; nothing survives a restart.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import { DeletionKind } from '../../../spec/model/kinds.ts'
import type { Precheck } from '../messages.ts'
import { batchNeeds, decideBatch, writeBatchSync } from './batch.ts'
import type { BatchWriter, EventReader, RelayStore } from './event-store.ts'
import { MemoryStore } from './memory-store.ts'
import { SpecWriteRules, type WriteRules } from './write-rules.ts'

export class MemoryBackend implements RelayStore {
  readonly backend = 'memory'
  /** The store itself, for tests that look inside. */
  readonly events: MemoryStore
  readonly writer: BatchWriter
  readonly reader: EventReader
  readonly #rules: WriteRules

  constructor(rules: WriteRules = SpecWriteRules, events: MemoryStore = new MemoryStore()) {
    this.events = events
    this.#rules = rules
    this.writer = {
      writeBatch: async (batch) => {
        const { commit, decisions } = writeBatchSync(events, batch, rules)
        return { commit, decisions }
      },
    }
    this.reader = {
      read: async (query) => ({ commit: events.lastCommit(), events: events.read(query) }),
      count: async (filters) => events.count(filters),
    }
  }

  /**
   * The writer's decision for one event, taken now without writing: answered early when it
   * is a duplicate of the stored event itself (no verification needed), a stale version or
   * one covered by a deletion (after verification). Deletions and everything that depends
   * on other authors' events (thread placement) are left to the writer.
   */
  precheck(event: NostrEvent): Precheck | null {
    if (event.kind === DeletionKind) return null
    const needs = batchNeeds([event], this.#rules)
    const snapshot = this.events.loadBatch(needs)
    const [decision] = decideBatch([event], needs, snapshot, this.#rules).decisions
    if (decision === undefined) return null
    const outcome = { id: event.id, accepted: decision.accepted, message: decision.message }
    switch (decision.verdict) {
      case 'duplicate':
        // A copy with another signature must still be verified.
        return snapshot.events.get(event.id)?.event.sig === event.sig ? { outcome, needsVerification: false } : null
      case 'stale':
      case 'blocked':
        return { outcome, needsVerification: true }
      default:
        return null
    }
  }

  async close(): Promise<void> {
    this.events.close()
  }
}
