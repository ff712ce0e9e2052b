/** NIP-11 relay information, read for the clock window a writer must respect. */

import type { ClockWindow } from '../../spec/model/clock.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { DefaultTimeoutMs } from './relay-types.ts'

export interface RelayLimitation {
  created_at_lower_limit?: number
  created_at_upper_limit?: number
  [key: string]: unknown
}

export interface RelayInfo {
  name?: string
  supported_nips?: number[]
  limitation?: RelayLimitation
  [key: string]: unknown
}

export type RelayInfoResult = { ok: true; info: RelayInfo } | { ok: false; message: string }

export async function fetchRelayInfo(httpUrl: string, options: { timeoutMs?: number } = {}): Promise<RelayInfoResult> {
  try {
    const response = await fetch(httpUrl, {
      headers: { accept: 'application/nostr+json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? DefaultTimeoutMs),
    })
    if (response.status !== 200) return { ok: false, message: formatReason('error', `NIP-11 answered HTTP ${response.status}`) }
    const body: unknown = await response.json()
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, message: formatReason('error', 'NIP-11 document is not a JSON object') }
    }
    return { ok: true, info: body as RelayInfo }
  } catch (error) {
    return { ok: false, message: formatReason('error', `NIP-11 fetch from ${httpUrl} failed: ${error instanceof Error ? error.message : String(error)}`) }
  }
}

/** A value this large is an absolute unix time, not a relative window; we do not guess and ignore it. */
const AbsoluteTimeFloor = 1_000_000_000

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < AbsoluteTimeFloor ? value : undefined
}

/**
 * The window a relay advertises. NIP-11 does not say whether the limits are absolute or
 * relative; like most clients we read them as seconds relative to now. Only the upper
 * limit constrains a writer (max(now, T+1) only moves forward), so an absent lower
 * limit is treated as unbounded. Undefined when the relay advertises no upper limit.
 */
export function clockWindowOf(info: RelayInfo): ClockWindow | undefined {
  const upper = seconds(info.limitation?.created_at_upper_limit)
  if (upper === undefined) return undefined
  const lower = seconds(info.limitation?.created_at_lower_limit) ?? Number.MAX_SAFE_INTEGER
  return { lower, upper }
}
