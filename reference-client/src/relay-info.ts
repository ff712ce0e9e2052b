/** NIP-11 relay information, read for the clock window a writer must respect. */

import { type ClockWindow, DefaultSkewSeconds } from '../../spec/model/clock.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { DefaultTimeoutMs } from './relay-types.ts'

export interface RelayLimitation {
  created_at_lower_limit?: number
  created_at_upper_limit?: number
  max_message_length?: number
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
 * The window a writer respects. NIP-11 does not say whether the limits are absolute or
 * relative; the spec reads them as seconds relative to now (AP-SKEW-6), and a limit the
 * relay does not advertise (or no document at all) is assumed to be 900 s (AP-SKEW-7).
 */
export function clockWindowOf(info: RelayInfo | null): ClockWindow {
  return {
    lower: seconds(info?.limitation?.created_at_lower_limit) ?? DefaultSkewSeconds,
    upper: seconds(info?.limitation?.created_at_upper_limit) ?? DefaultSkewSeconds,
  }
}

/** `limitation.max_message_length` when advertised as a positive integer (AP-WRITE-5). */
export function maxMessageLengthOf(info: RelayInfo | null): number | undefined {
  const value = info?.limitation?.max_message_length
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined
}
