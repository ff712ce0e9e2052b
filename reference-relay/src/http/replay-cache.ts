/**
 * Remembers the ids of NIP-98 events already used, for as long as they could still pass
 * the clock check (until created_at + the window). Bounded twice, and never by forgetting
 * a live id (that would let its event be replayed): one signer may hold at most `perKey`
 * live ids, all signers together `capacity`; beyond either the bridge refuses new
 * authorizations (429), so one client cannot fill the cache for the others.
 */

import { HttpAuthWindowSeconds } from '../../../spec/model/http-auth.ts'

export const DefaultReplayCapacity = 100_000
export const DefaultReplayPerKey = 10_000

interface Used {
  pubkey: string
  /** Last second at which the id could still be accepted. */
  expiresAt: number
}

export class ReplayCache {
  private readonly live = new Map<string, Used>()
  private readonly perSigner = new Map<string, number>()
  private lastSweep = Number.NEGATIVE_INFINITY

  constructor(
    readonly capacity: number = DefaultReplayCapacity,
    readonly windowSeconds: number = HttpAuthWindowSeconds,
    readonly perKey: number = DefaultReplayPerKey,
  ) {}

  get size(): number {
    return this.live.size
  }

  /** Live ids held for one signer. */
  heldFor(pubkey: string): number {
    return this.perSigner.get(pubkey) ?? 0
  }

  /**
   * Test-and-set: true when `id` was already used and is still live; otherwise remembers
   * it and answers false. Call only when `hasRoom(pubkey, now)` said yes.
   */
  seen(id: string, pubkey: string, createdAt: number, now: number): boolean {
    const used = this.live.get(id)
    if (used !== undefined && used.expiresAt >= now) return true
    if (used !== undefined) this.forget(id, used)
    this.live.set(id, { pubkey, expiresAt: createdAt + this.windowSeconds })
    this.perSigner.set(pubkey, this.heldFor(pubkey) + 1)
    return false
  }

  /** Whether one more id of this signer fits, after dropping expired ids when full (at most once a second). */
  hasRoom(pubkey: string, now: number): boolean {
    const fits = () => this.live.size < this.capacity && this.heldFor(pubkey) < this.perKey
    if (fits()) return true
    if (now > this.lastSweep) {
      this.lastSweep = now
      this.sweep(now)
    }
    return fits()
  }

  /** Drops every id that can no longer pass the clock check. */
  sweep(now: number): void {
    for (const [id, used] of this.live) if (used.expiresAt < now) this.forget(id, used)
  }

  private forget(id: string, used: Used): void {
    this.live.delete(id)
    const left = this.heldFor(used.pubkey) - 1
    if (left <= 0) this.perSigner.delete(used.pubkey)
    else this.perSigner.set(used.pubkey, left)
  }
}
