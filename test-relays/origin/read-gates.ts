// Read gates that run before any query (crates/buzz-relay/src/handlers/req.rs
// `p_gated_filters_authorized`, `engram_filters_authorized`). A filter without `kinds` can match
// the p-gated kinds, so it needs `ids` or a `#p` naming only the reader: the origin's kindless
// refusal.
import type { Filter } from './filter.ts'
import { KIND, P_GATED_KINDS } from './kinds.ts'

export const P_GATE_TEXT_WS_REQ = 'restricted: p-gated events require #p matching your pubkey'
export const P_GATE_TEXT_COUNT_HTTP = 'restricted: p-gated kinds require #p tag matching your pubkey'
export const ENGRAM_GATE_TEXT = 'restricted: agent-engram reads require authors=[self] or #p=[self]'

function pNamesOnly(f: Filter, reader: string): boolean {
  const p = f.tags.get('p')
  return p !== undefined && p.length > 0 && p.every((v) => v === reader)
}

export function pGatedFiltersAuthorized(filters: readonly Filter[], reader: string): boolean {
  return filters.every((f) => {
    const canMatchPGated = f.kinds === undefined || f.kinds.some((k) => P_GATED_KINDS.includes(k))
    if (!canMatchPGated) return true
    const namesDmVisibility = f.kinds?.includes(KIND.dmVisibility) ?? false
    if (!namesDmVisibility && f.ids !== undefined && f.ids.length > 0) return true
    return pNamesOnly(f, reader)
  })
}

export function engramFiltersAuthorized(filters: readonly Filter[], reader: string): boolean {
  return filters.every((f) => {
    if (f.ids !== undefined && f.ids.length > 0) return true
    const canMatchEngram = f.kinds === undefined || f.kinds.includes(KIND.agentEngram)
    if (!canMatchEngram) return true
    if (f.authors !== undefined && f.authors.length > 0 && f.authors.every((a) => a === reader)) return true
    return pNamesOnly(f, reader)
  })
}

/** null when the filters may be read, else which gate refused. */
export function readGateRefusal(filters: readonly Filter[], reader: string): 'p-gated' | 'engram' | null {
  if (!pGatedFiltersAuthorized(filters, reader)) return 'p-gated'
  if (!engramFiltersAuthorized(filters, reader)) return 'engram'
  return null
}
