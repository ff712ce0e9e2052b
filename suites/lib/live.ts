/**
 * Live subscriptions with a barrier instead of a sleep. A case that must show that an
 * event is NOT delivered opens its subscription with one extra filter naming marker
 * events signed in advance; `settle()` publishes the next marker and waits (bounded) for
 * it. Relays fan out in acceptance order, so once the marker arrives everything accepted
 * before it has had its chance to arrive too; a short grace period covers relays that
 * deliver out of order.
 */

import {
  type CaseContext,
  type RelayConnection,
  type Subscription,
  expectAccepted,
  expectEose,
} from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'

/** Extra wait after the marker, for relays that reorder deliveries slightly. */
export const GraceMs = 60

export interface LiveWatch {
  readonly sub: Subscription
  /** Events delivered before EOSE. */
  readonly stored: NostrEvent[]
  /** Publishes the next marker, waits for it, and returns every live event so far (markers excluded). */
  settle(): Promise<NostrEvent[]>
}

export async function watch(c: CaseContext, ws: RelayConnection, filters: Filter[], settles = 1): Promise<LiveWatch> {
  const markerKeys = c.freshKeys()
  const markers = Array.from({ length: settles }, (_, i) =>
    c.sign({ kind: 1, content: `barrier ${i} of ${c.id}`, tags: [] }, markerKeys),
  )
  const markerIds = new Set(markers.map((m) => m.id))
  const sub = ws.subscribe([...filters, { ids: [...markerIds] }])
  const reply = await sub.stored()
  expectEose(reply, 'the live subscription')
  const storedIds = new Set(reply.events.map((e) => e.id))
  let used = 0
  return {
    sub,
    stored: reply.events,
    async settle() {
      const marker = markers[used]
      if (marker === undefined) throw new Error(`watch: more settle() calls than the ${settles} prepared`)
      used += 1
      expectAccepted(await ws.publish(marker), 'the barrier event')
      await sub.waitForEvent((e) => e.id === marker.id, 'the barrier event')
      await ws.collectFor(GraceMs)
      return sub.events.filter((e) => !markerIds.has(e.id) && !storedIds.has(e.id))
    },
  }
}
