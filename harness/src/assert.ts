/**
 * Assertion helpers for cases. They throw vitest AssertionErrors (grade `fail`, or `warn`
 * for SHOULD-level cases) with messages that quote what the relay actually said.
 */

import { assert } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { ReasonPrefix } from '../../spec/model/reasons.ts'
import type { OkReply, QueryReply } from './driver.ts'

function quote(reply: OkReply): string {
  return `OK ${reply.accepted} ${JSON.stringify(reply.message)}`
}

/** The relay accepted the event (`OK true`). A `duplicate:` OK true counts as accepted. */
export function expectAccepted(reply: OkReply, what = 'the event'): void {
  if (!reply.accepted) assert.fail(`expected ${what} to be accepted, relay answered ${quote(reply)}`)
}

/**
 * The relay refused the event (`OK false`) with a message carrying one of `prefixes`
 * (default: any machine-readable prefix).
 */
export function expectRefused(reply: OkReply, prefixes?: ReasonPrefix | readonly ReasonPrefix[], what = 'the event'): void {
  if (reply.accepted) assert.fail(`expected ${what} to be refused, relay answered ${quote(reply)}`)
  const wanted = prefixes === undefined ? undefined : typeof prefixes === 'string' ? [prefixes] : prefixes
  if (wanted === undefined) {
    if (reply.prefix === null) assert.fail(`expected a prefixed refusal message for ${what}, relay answered ${quote(reply)}`)
    return
  }
  if (reply.prefix === null || !wanted.includes(reply.prefix)) {
    assert.fail(`expected ${what} to be refused with ${wanted.map((p) => `${p}:`).join(' or ')}, relay answered ${quote(reply)}`)
  }
}

/** The query ended with EOSE (not CLOSED). */
export function expectEose(reply: QueryReply, what = 'the query'): void {
  if (!reply.eose) assert.fail(`expected ${what} to end with EOSE, relay sent CLOSED ${JSON.stringify(reply.closed ?? '')}`)
}

/** Exactly these event ids, in any order. */
export function expectIds(events: readonly NostrEvent[], expected: readonly string[], what = 'the result'): void {
  const got = events.map((e) => e.id).sort()
  const want = [...expected].sort()
  if (got.length !== want.length || got.some((id, i) => id !== want[i])) {
    assert.fail(`expected ${what} to hold ${JSON.stringify(want.map(short))}, got ${JSON.stringify(got.map(short))}`)
  }
}

function short(id: string): string {
  return id.slice(0, 12)
}

/** Fails the case with a message (an observed violation). */
export function violation(message: string): never {
  assert.fail(message)
}
