/**
 * Live subscriptions with a barrier instead of a sleep. A case that must show that an
 * event is NOT delivered opens its subscription with one extra filter naming marker
 * events signed in advance; `settle()` publishes the next marker and waits (bounded) for
 * it. Relays fan out in acceptance order, so once the marker arrives everything accepted
 * before it has had its chance to arrive too; a short grace period covers relays that
 * deliver out of order.
 *
 * The marker is the positive control of every "not delivered" conclusion: it is a persona
 * of a key made for the purpose (every NIP-AP relay accepts personas, whatever else its
 * kind policy is), and when the relay refuses it or never delivers it live, the case ends
 * as `skip` with that reason. The case that owns live delivery fails such a relay instead.
 */

import {
  type CaseContext,
  type RelayConnection,
  type Subscription,
  ControlError,
  control,
  controlAccepted,
  isHarnessError,
} from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

/** Extra wait after the marker, for relays that reorder deliveries slightly. */
export const GraceMs = 60

export interface LiveWatch {
  readonly sub: Subscription
  /** Events delivered before EOSE. */
  readonly stored: NostrEvent[]
  /** Publishes the next marker, waits for it, and returns every live event so far (markers excluded). */
  settle(): Promise<NostrEvent[]>
}

/** `count` barrier events: personas of one key made for the purpose, each at its own slug. */
export function barrierEvents(c: CaseContext, count: number): NostrEvent[] {
  const keys = c.freshKeys()
  return Array.from({ length: count }, (_, i) =>
    c.persona({ keys, slug: c.slug('barrier'), body: { display_name: `Barrier ${i}`, system_prompt: `barrier ${i} of ${c.id}` } }),
  )
}

export async function watch(c: CaseContext, ws: RelayConnection, filters: Filter[], settles = 1): Promise<LiveWatch> {
  const markers = barrierEvents(c, settles)
  const markerIds = new Set(markers.map((m) => m.id))
  const sub = ws.subscribe([...filters, { kinds: [PersonaKind], ids: [...markerIds] }])
  const reply = await storedOrSkip(sub, ws.timeoutMs)
  control(reply.eose, `the relay refused the live subscription ${JSON.stringify(filters)} with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
  const storedIds = new Set(reply.events.map((e) => e.id))
  let used = 0
  return {
    sub,
    stored: reply.events,
    async settle() {
      const marker = markers[used]
      if (marker === undefined) throw new Error(`watch: more settle() calls than the ${settles} prepared`)
      used += 1
      controlAccepted(await ws.publish(marker), 'the barrier persona')
      await awaitBarrier(sub, marker, ws.timeoutMs)
      await ws.collectFor(GraceMs)
      return sub.events.filter((e) => !markerIds.has(e.id) && !storedIds.has(e.id))
    },
  }
}

/** The stored answer of `sub`; no EOSE in time is a failed control (nip01.eose-then-live owns EOSE). */
export async function storedOrSkip(sub: Subscription, timeoutMs: number): ReturnType<Subscription['stored']> {
  try {
    return await sub.stored()
  } catch (error) {
    if (isHarnessError(error) && error.kind === 'timeout') {
      throw new ControlError(`the relay did not end the subscription ${sub.id} with EOSE within ${timeoutMs} ms`)
    }
    throw error
  }
}

/** Waits for the barrier on `sub`; a barrier that never arrives is a failed control, not a harness error. */
async function awaitBarrier(sub: Subscription, marker: NostrEvent, timeoutMs: number): Promise<void> {
  try {
    await sub.waitForEvent((e) => e.id === marker.id, 'the barrier persona')
  } catch (error) {
    if (isHarnessError(error) && error.kind === 'timeout') {
      throw new ControlError(`the relay accepted the barrier persona ${marker.id.slice(0, 12)} but did not deliver it live within ${timeoutMs} ms, so nothing can be concluded about what it did not deliver`)
    }
    throw error
  }
}

/**
 * Publishes a barrier persona on `ws` and waits for its OK (any answer): once it is in,
 * every OK owed for frames sent before it had its chance to arrive.
 */
export async function okBarrier(c: CaseContext, ws: RelayConnection): Promise<void> {
  const [marker] = barrierEvents(c, 1) as [NostrEvent]
  await ws.publish(marker)
  await ws.collectFor(GraceMs)
}
