/** Clock window (AP-SKEW-*) and the writer's timestamp rule (AP-WRITE-*). */

export const DefaultSkewSeconds = 900

/** A relay's acceptance window, in seconds relative to its own clock. */
export interface ClockWindow {
  /** How far in the past created_at may be. */
  lower: number
  /** How far in the future created_at may be. */
  upper: number
}

export function symmetricWindow(seconds: number): ClockWindow {
  return { lower: seconds, upper: seconds }
}

export const SkewRefusal = 'invalid: event timestamp too far from server time'

/** Inclusive at both edges: exactly `upper` seconds ahead is still accepted. */
export function isWithinWindow(createdAt: number, now: number, window: ClockWindow): boolean {
  return createdAt >= now - window.lower && createdAt <= now + window.upper
}

export function nowSeconds(clock: () => number = Date.now): number {
  return Math.floor(clock() / 1000)
}

export type WriteTimestamp = { ok: true; created_at: number } | { ok: false; message: string }

/**
 * created_at for a new version: max(now, T + 1) where T is the current head's created_at
 * (absent head: now). When a window is known and the result would leave it, the writer
 * refuses instead of publishing an event the relay will drop (AMBIGUITIES.md,
 * "monotonic writes vs the clock window").
 */
export function nextWriteTimestamp(now: number, headCreatedAt?: number, window?: ClockWindow): WriteTimestamp {
  const created_at = headCreatedAt === undefined ? now : Math.max(now, headCreatedAt + 1)
  if (window && !isWithinWindow(created_at, now, window)) {
    return {
      ok: false,
      message:
        `blocked: next version needs created_at ${created_at}, ${created_at - now}s ahead of now, ` +
        `beyond the relay's ${window.upper}s window; wait ${created_at - now - window.upper}s and retry`,
    }
  }
  return { ok: true, created_at }
}
