/**
 * Reads that many cases share: one address, events by id, the head among an answer.
 * Every read is restricted to keys the case made, so other data on the relay never
 * changes a verdict.
 */

import { type RelayConnection, expectEose, violation } from '../../harness/src/authoring.ts'
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

/** Fails unless the head among the relay's answer for the address is `expected`. */
export async function expectHead(ws: RelayConnection, pubkey: string, slug: string, expected: NostrEvent, what: string): Promise<void> {
  const head = await readHead(ws, pubkey, slug)
  if (head?.id !== expected.id) {
    violation(`${what}: expected head ${short(expected.id)} (created_at ${expected.created_at}), the relay's answer gives ${describeEvent(head)}`)
  }
}

/** Fails when the relay returns any version of the address. */
export async function expectNoVersion(ws: RelayConnection, pubkey: string, slug: string, what: string): Promise<void> {
  const versions = await readAddress(ws, pubkey, slug)
  if (versions.length > 0) {
    violation(`${what}: expected no version of ${slug}, the relay returned ${versions.map(describeEvent).join(', ')}`)
  }
}

export function describeEvent(event: NostrEvent | undefined): string {
  return event === undefined ? 'no event' : `${short(event.id)} (created_at ${event.created_at})`
}

/** Ids in a stable, readable form for messages. */
export function describeIds(events: readonly NostrEvent[]): string {
  return events.length === 0 ? 'nothing' : events.map((event) => short(event.id)).join(', ')
}
