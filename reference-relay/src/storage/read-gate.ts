/** A relay-wide bound on reads waiting for storage (all connections and HTTP requests together). */

import { formatReason } from '../../../spec/model/reasons.ts'
import type { EventReader } from './event-store.ts'

/** A read refused because too many are waiting; its message is the prefixed reason to send. */
export class ReadsBusyError extends Error {}

export interface GatedReader extends EventReader {
  /** Reads sent and not answered yet. */
  readonly pending: number
}

export function gateReads(reader: EventReader, maxPending: number): GatedReader {
  let pending = 0
  const gated = <T>(run: () => Promise<T>): Promise<T> => {
    if (pending >= maxPending) {
      return Promise.reject(new ReadsBusyError(formatReason('rate-limited', 'the relay is answering too many queries; try again shortly')))
    }
    pending += 1
    return run().finally(() => {
      pending -= 1
    })
  }
  return {
    read: (query) => gated(() => reader.read(query)),
    count: (filters) => gated(() => reader.count(filters)),
    get pending() {
      return pending
    },
  }
}
