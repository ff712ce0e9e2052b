/**
 * The origin relay's gate on filters that could reach its private (p-gated) kinds
 * (crates/buzz-relay/src/handlers/req.rs `p_gated_filters_authorized`, used by REQ, COUNT
 * and the HTTP bridge): a filter without `kinds`, or naming a p-gated kind, passes only with
 * a non-empty `ids` or a `#p` naming only the caller. `kinds: []` passes (it matches nothing).
 */

import type { Filter } from './filter.ts'
import { parseUuid } from './uuid.ts'

/** Gift wraps, agent observer frames, membership notifications and per-viewer DM visibility. */
export const PGatedKinds: ReadonlySet<number> = new Set([1059, 24200, 44100, 44101, 30622])
const DmVisibilityKind = 30622

/** CLOSED message of a refused REQ. */
export const ReqGateRefusal = 'restricted: p-gated events require #p matching your pubkey'
/** CLOSED message of a refused COUNT, and the 403 error of POST /query and /count. */
export const CountGateRefusal = 'restricted: p-gated kinds require #p tag matching your pubkey'

/** Whether every filter passes the gate for the caller `pubkey` (lowercase hex). */
export function passesReadGate(filters: readonly Filter[], pubkey: string): boolean {
  return filters.every((filter) => {
    const kinds = filter.kinds
    const reachesGated = kinds === undefined || kinds.some((kind) => PGatedKinds.has(kind))
    if (!reachesGated) return true
    const namesDmVisibility = kinds?.includes(DmVisibilityKind) ?? false
    if (!namesDmVisibility && (filter.ids?.length ?? 0) > 0) return true
    const p = filter['#p']
    return p !== undefined && p.length > 0 && p.every((value) => value === pubkey)
  })
}

/**
 * The channel a whole REQ reads, when every filter names the same UUID in `#h`; such a REQ
 * skips the gate (its answer is limited to that channel). Null otherwise.
 */
export function singleChannelOf(filters: readonly Filter[]): string | null {
  let found: string | null = null
  for (const filter of filters) {
    let has = false
    for (const value of filter['#h'] ?? []) {
      const channel = parseUuid(value)
      if (channel === null) continue
      if (found !== null && found !== channel) return null
      found = channel
      has = true
    }
    if (!has) return null
  }
  return found
}

/**
 * The origin's gate on a WebSocket read: the CLOSED text refusing it, or null. A REQ whose
 * filters all name one channel UUID is exempt (COUNT has no such exception); a connection
 * with no identity passes nothing that reaches a gated kind.
 */
export function originReadRefusal(type: 'REQ' | 'COUNT', filters: readonly Filter[], pubkey: string | null): string | null {
  if (type === 'REQ' && singleChannelOf(filters) !== null) return null
  if (passesReadGate(filters, pubkey ?? '')) return null
  return type === 'REQ' ? ReqGateRefusal : CountGateRefusal
}
