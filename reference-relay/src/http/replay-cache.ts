/**
 * Remembers the ids of NIP-98 events already used, for as long as they could still pass
 * the clock check (until created_at + the window). Bounded: when full of live ids the
 * bridge refuses new authorizations (429) rather than forget one and allow a replay.
 */

import { HttpAuthWindowSeconds } from '../../../spec/model/http-auth.ts'

export const DefaultReplayCapacity = 100_000

export class ReplayCache {
  /** id → last second at which the id could still be accepted. */
  private readonly live = new Map<string, number>()
  private lastSweep = Number.NEGATIVE_INFINITY

  constructor(
    readonly capacity: number = DefaultReplayCapacity,
    readonly windowSeconds: number = HttpAuthWindowSeconds,
  ) {}

  get size(): number {
    return this.live.size
  }

  /**
   * Test-and-set: true when `id` was already used and is still live; otherwise remembers
   * it and answers false. Call only when `hasRoom(now)` said yes.
   */
  seen(id: string, createdAt: number, now: number): boolean {
    const expiresAt = this.live.get(id)
    if (expiresAt !== undefined && expiresAt >= now) return true
    this.live.set(id, createdAt + this.windowSeconds)
    return false
  }

  /** Whether one more id fits, after dropping expired ids when full (at most once a second). */
  hasRoom(now: number): boolean {
    if (this.live.size < this.capacity) return true
    if (now > this.lastSweep) {
      this.lastSweep = now
      this.sweep(now)
    }
    return this.live.size < this.capacity
  }

  /** Drops every id that can no longer pass the clock check. */
  sweep(now: number): void {
    for (const [id, expiresAt] of this.live) {
      if (expiresAt < now) this.live.delete(id)
    }
  }
}
