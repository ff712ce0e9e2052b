/**
 * Reads that many cases share: one address, events by id, the head among an answer.
 * Every read is restricted to keys the case made, so other data on the relay never
 * changes a verdict. Reads that follow a write repeat within the settle window (a relay
 * may serve reads from a cache), and conclusions from absence come after a positive
 * control: the thing was seen served first.
 */

import { type RelayConnection, control, expectEose, violation } from '../../harness/src/authoring.ts'
import { SettleMs } from '../../harness/src/settings.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { addressOf, formatAddress, selectHead } from '../../spec/model/head.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

export function addressFilter(pubkey: string, slug: string): Filter {
  return { kinds: [PersonaKind], authors: [pubkey], '#d': [slug] }
}

/** Stored events of a REQ that must end with EOSE. */
export async function readStored(ws: RelayConnection, filters: Filter[], what: string): Promise<NostrEvent[]> {
  const reply = await ws.query(filters)
  expectEose(reply, what)
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

/** The events the relay returns for `{"ids": ids}`. */
export async function readIds(ws: RelayConnection, ids: string[]): Promise<NostrEvent[]> {
  const events = await readStored(ws, [{ ids }], 'the read by id')
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
export async function expectNoneById(ws: RelayConnection, ids: string[], what: string): Promise<void> {
  const served = await readSettled(
    () => readIds(ws, ids),
    (answer) => answer.length === 0,
  )
  if (served.length > 0) violation(`${what}: the relay still returns ${describeIds(served)} by id`)
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
export async function controlServedById(ws: RelayConnection, events: readonly NostrEvent[], what: string): Promise<void> {
  const ids = events.map((event) => event.id)
  const served = await readSettled(
    () => readIds(ws, ids),
    (answer) => ids.every((id) => answer.some((event) => event.id === id)),
  )
  const missing = ids.filter((id) => !served.some((event) => event.id === id))
  control(missing.length === 0, `the relay accepted ${what} but does not return ${missing.map(short).join(', ')} by id after ${SettleMs} ms; nothing later can be concluded from absence`)
}

export function describeEvent(event: NostrEvent | undefined): string {
  return event === undefined ? 'no event' : `${short(event.id)} (created_at ${event.created_at})`
}

/** Ids in a stable, readable form for messages. */
export function describeIds(events: readonly NostrEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map((event) => short(event.id)).join(', ')
}
