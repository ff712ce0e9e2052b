/**
 * Reads that many cases share: one address, events by id, the head among an answer.
 * Every read is restricted to keys the case made, so other data on the relay never
 * changes a verdict. Reads that follow a write repeat within the settle window (a relay
 * may serve reads from a cache), and conclusions from absence come after a positive
 * control: the thing was seen served first.
 */

import { type CaseContext, ControlError, type RelayConnection, control, isHarnessError, violation } from '../../harness/src/authoring.ts'
import { SettleMs } from '../../harness/src/settings.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { addressOf, formatAddress, selectHead } from '../../spec/model/head.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

export function addressFilter(pubkey: string, slug: string): Filter {
  return { kinds: [PersonaKind], authors: [pubkey], '#d': [slug] }
}

/**
 * Stored events of a REQ, up to its EOSE. A read is a means, not the behaviour a case
 * checks: when the relay refuses it (CLOSED, e.g. a policy on filters) or never ends it
 * with EOSE, the case cannot conclude and ends as `skip` (a failed control). The cases
 * that own the REQ exchange (nip01.eose-then-live, nip01.refusal-prefixes) read the
 * frames themselves.
 */
export async function readStored(ws: RelayConnection, filters: Filter[], what: string): Promise<NostrEvent[]> {
  let reply
  try {
    reply = await ws.query(filters)
  } catch (error) {
    if (isHarnessError(error) && error.kind === 'timeout') {
      throw new ControlError(`${what}: the relay did not end the REQ with EOSE within ${ws.timeoutMs} ms, so its stored answer is unknown`)
    }
    throw error
  }
  control(reply.eose, `${what}: the relay refused the REQ ${JSON.stringify(filters)} with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
  return reply.events
}

/**
 * Repeats `read` until `settled(answer)` holds or the settle window has passed, and returns
 * the last answer. A relay that answers at once is read once.
 */
export async function readSettled<T>(read: () => Promise<T>, settled: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + SettleMs
  let pause = 50
  for (;;) {
    const answer = await read()
    const left = deadline - Date.now()
    if (settled(answer) || left <= 0) return answer
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)))
    pause = Math.min(pause * 2, 400)
  }
}

/** Every version the relay returns for one persona address (only that address's events). */
export async function readAddress(ws: RelayConnection, pubkey: string, slug: string): Promise<NostrEvent[]> {
  const events = await readStored(ws, [addressFilter(pubkey, slug)], `the read of ${slug}`)
  const address = formatAddress(PersonaKind, pubkey, slug)
  return events.filter((event) => addressOf(event) === address)
}

/**
 * The events the relay returns for `{"ids": ids, "kinds": kinds}` (personas by default).
 * The filter names the kinds so that a relay refusing kindless filters still answers it.
 */
export async function readIds(ws: RelayConnection, ids: string[], kinds: number[] = [PersonaKind]): Promise<NostrEvent[]> {
  const events = await readStored(ws, [{ ids, kinds }], 'the read by id')
  return events.filter((event) => ids.includes(event.id))
}

/**
 * The head a reader would pick from what the relay returns for the address. MUST-level
 * checks use this: a relay may keep older versions (AP-READ-1 is only a SHOULD), but the
 * head among its answer must be the right one.
 */
export async function readHead(ws: RelayConnection, pubkey: string, slug: string): Promise<NostrEvent | undefined> {
  return selectHead(await readAddress(ws, pubkey, slug))
}

export function short(id: string | undefined): string {
  return id === undefined ? 'none' : id.slice(0, 12)
}

/** Fails unless, within the settle window, the head among the relay's answer for the address is `expected`. */
export async function expectHead(ws: RelayConnection, pubkey: string, slug: string, expected: NostrEvent, what: string): Promise<void> {
  const head = await readSettled(
    () => readHead(ws, pubkey, slug),
    (answer) => answer?.id === expected.id,
  )
  if (head?.id !== expected.id) {
    violation(`${what}: expected head ${short(expected.id)} (created_at ${expected.created_at}), the relay's answer gives ${describeEvent(head)}`)
  }
}

/**
 * Fails when the relay still returns any version of the address once the settle window
 * has passed. Call it only after a control showed the address served (controlHead).
 */
export async function expectNoVersion(ws: RelayConnection, pubkey: string, slug: string, what: string): Promise<void> {
  const versions = await readSettled(
    () => readAddress(ws, pubkey, slug),
    (answer) => answer.length === 0,
  )
  if (versions.length > 0) {
    violation(`${what}: expected no version of ${slug}, the relay returned ${versions.map(describeEvent).join(', ')}`)
  }
}

/** Fails when the relay still returns any of `ids` once the settle window has passed (after a control). */
export async function expectNoneById(ws: RelayConnection, ids: string[], what: string, kinds: number[] = [PersonaKind]): Promise<void> {
  const served = await readSettled(
    () => readIds(ws, ids, kinds),
    (answer) => answer.length === 0,
  )
  if (served.length > 0) violation(`${what}: the relay still returns ${describeIds(served)} by id`)
}

/** The events of `ids` the relay returns once the settle window has passed or all of them are there. */
export async function readIdsSettled(ws: RelayConnection, ids: string[], kinds: number[] = [PersonaKind]): Promise<NostrEvent[]> {
  return readSettled(
    () => readIds(ws, ids, kinds),
    (answer) => ids.every((id) => answer.some((event) => event.id === id)),
  )
}

/**
 * Positive control: the relay serves `expected` as the head of its address (within the
 * settle window). Before a case concludes that something is gone or absent, it must have
 * seen it there; a relay that stores nothing ends the case as `skip`, not `pass`.
 */
export async function controlHead(ws: RelayConnection, pubkey: string, slug: string, expected: NostrEvent, what: string): Promise<void> {
  const head = await readSettled(
    () => readHead(ws, pubkey, slug),
    (answer) => answer?.id === expected.id,
  )
  control(
    head?.id === expected.id,
    `the relay accepted ${what} (${short(expected.id)}) but its read of ${slug} gives ${describeEvent(head)} after ${SettleMs} ms; nothing later can be concluded from absence`,
  )
}

/** Positive control: the relay returns every one of `events` to a read by id (within the settle window). */
export async function controlServedById(ws: RelayConnection, events: readonly NostrEvent[], what: string): Promise<NostrEvent[]> {
  const ids = events.map((event) => event.id)
  const kinds = [...new Set(events.map((event) => event.kind))]
  const served = await readIdsSettled(ws, ids, kinds)
  // A relay may return fewer events than asked for (NIP-01; a max_limit of 5, say): ask
  // for the missing ones one by one before concluding that they are not stored.
  for (const id of ids.filter((id) => !served.some((event) => event.id === id))) served.push(...(await readIds(ws, [id], kinds)))
  const missing = ids.filter((id) => !served.some((event) => event.id === id))
  control(missing.length === 0, `the relay accepted ${what} but does not return ${missing.map(short).join(', ')} by id after ${SettleMs} ms; nothing later can be concluded from absence`)
  return served
}

export function describeEvent(event: NostrEvent | undefined): string {
  return event === undefined ? 'no event' : `${short(event.id)} (created_at ${event.created_at})`
}

/** Ids in a stable, readable form for messages. */
export function describeIds(events: readonly NostrEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map((event) => short(event.id)).join(', ')
}

/**
 * SHOULD check that a persona seen stored (by id) is also the head a read of its address
 * gives: NIP-01 only recommends returning matching events, so a miss here is a warning.
 */
export async function shouldServeAtAddress(c: CaseContext, ws: RelayConnection, pubkey: string, slug: string, persona: NostrEvent, what: string): Promise<void> {
  const head = await readSettled(
    () => readHead(ws, pubkey, slug),
    (answer) => answer?.id === persona.id,
  )
  c.should(head?.id === persona.id, `${what}: the read of ${JSON.stringify(slug)} by its address gives ${describeEvent(head)}, not ${describeEvent(persona)}`)
}
