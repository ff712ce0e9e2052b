/**
 * Helpers of the origin-profile cases: the origin relay's fixed clock window, channels
 * (created the origin's way, by a NIP-29 kind 9007 event, whose answer is not judged), exact
 * refusal texts.
 */

import { randomUUID } from 'node:crypto'
import { type CaseContext, type KeyPair, type OkReply, type RelayConnection, expectRefused, violation } from '../../harness/src/authoring.ts'
import type { ClockWindowFinding } from '../../harness/src/types.ts'
import { DefaultSkewSeconds } from '../../spec/model/clock.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { CreateGroupKind } from '../../spec/model/kinds.ts'

/**
 * The window the origin profile judges: the origin relay's fixed 900 s each way, which it
 * does not advertise; `--skew` (a relay configured otherwise) wins.
 */
export function originWindow(c: CaseContext): ClockWindowFinding {
  const probed = c.probe.clock.window
  if (probed !== undefined && probed.source === 'option') return probed
  return { lower: DefaultSkewSeconds, upper: DefaultSkewSeconds, source: 'default', interpretation: 'the origin relay\'s fixed window (not advertised)' }
}

/**
 * A fresh channel: a new UUID, created with a kind 9007 event (`h` and `name` tags) by
 * `keys` as the origin relay needs. The answer is noted, not judged: a relay whose channels
 * need no creation may refuse the kind.
 */
export async function createChannel(c: CaseContext, ws: RelayConnection, keys: KeyPair = c.keys): Promise<string> {
  const channel = randomUUID()
  const create = c.sign({ kind: CreateGroupKind, tags: [['h', channel], ['name', `conformance ${c.id}`]], content: '' }, keys)
  const reply = await ws.publish(create)
  c.note(`channel ${channel}: kind 9007 answered OK ${reply.accepted} ${JSON.stringify(reply.message)} (not judged)`)
  return channel
}

/** Fails unless the relay refused with exactly `message` (the origin's text). */
export function expectExactRefusal(reply: OkReply, message: string, what: string): void {
  expectRefused(reply, undefined, what)
  if (reply.message !== message) violation(`${what}: expected ${JSON.stringify(message)}, got ${JSON.stringify(reply.message)}`)
}

/** Publishes and expects the exact refusal. */
export async function publishRefused(ws: RelayConnection, event: NostrEvent, message: string, what: string): Promise<void> {
  expectExactRefusal(await ws.publish(event), message, what)
}
