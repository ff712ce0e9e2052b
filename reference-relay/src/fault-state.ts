/** Memory some faults need (kept empty and untouched by a healthy relay). */

import type { NostrEvent } from '../../spec/model/event.ts'

export interface FaultState {
  /** replace-superseded-by-id: versions hidden from storage but still served by id. */
  superseded: Map<string, NostrEvent>
  /** delete-e-superseded-removes-head: address of each superseded version id. */
  supersededAddress: Map<string, string>
}

export function createFaultState(): FaultState {
  return { superseded: new Map(), supersededAddress: new Map() }
}
