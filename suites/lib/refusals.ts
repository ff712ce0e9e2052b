/**
 * Judging a refusal by what NIP-01 requires of it, and no more. `OK false` is the refusal
 * (a relay that accepts fails); its message must start with a single word and a colon
 * (NIP-01 MUST, AP-BASE-2; `duplicate:` alone and `invalid:x` qualify); the word should be
 * one of the standard ones (AP-BASE-21, a soft check). Which standard word is free in core.
 *
 * A case that concludes "refused" first shows that the relay accepts the same kind of
 * event when it is valid (`controlAcceptsPersonas`), so a relay that refuses everything,
 * or every persona of an unknown key, cannot pass it.
 */

import { type CaseContext, type OkReply, type RelayConnection, controlAccepted, violation } from '../../harness/src/authoring.ts'
import { parseReason } from '../../spec/model/reasons.ts'

/** `OK false` with a NIP-01 prefixed message; a non-standard word is a SHOULD miss. */
export function expectRefusal(c: CaseContext, reply: OkReply, what: string): void {
  if (reply.accepted) violation(`expected ${what} to be refused, the relay answered OK true ${JSON.stringify(reply.message)}`)
  checkPrefix(c, reply.message, `the refusal of ${what}`)
}

/**
 * A `false` OK or a CLOSED message must start with `word:` (MUST); the word should be a
 * standard one (SHOULD, recorded as a warning on `c`).
 */
export function checkPrefix(c: CaseContext, message: string, what: string): void {
  const parsed = parseReason(message)
  if (parsed === null) violation(`${what} has no machine-readable prefix (a single word followed by ":"): ${JSON.stringify(message)}`)
  c.should(parsed.standard !== null, `${what} uses the prefix "${parsed.word}:", which is not one of the standard words (duplicate, pow, blocked, rate-limited, invalid, restricted, mute, error, auth-required, unsupported): ${JSON.stringify(message)}`)
}

/**
 * Positive control for refusal cases: a valid persona of the case's key is accepted on
 * `ws`. Without it "refused" says nothing about the rule under test.
 */
export async function controlAcceptsPersonas(c: CaseContext, ws: RelayConnection): Promise<void> {
  controlAccepted(await ws.publish(c.persona({ slug: c.slug('control') })), 'a valid persona of the same key (the control for a refusal)')
}
