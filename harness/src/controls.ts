/**
 * Positive controls: the checks a case makes on behaviour it builds on but does not own.
 * A failed control ends the case as `skip` with the reason (ControlError), so a relay that
 * stores nothing, drops what it acknowledged or never delivers live cannot pass a case that
 * concludes from absence, and is failed only by the case that owns the missing behaviour.
 */

import type { OkReply } from './driver.ts'
import { ControlError } from './errors.ts'

/** Ends the case as `skip` unless `condition` holds; `reason` says what could not be observed. */
export function control(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new ControlError(reason)
}

/** A helper event (a barrier, an earlier version, a parent) must be accepted for the case to go on. */
export function controlAccepted(reply: OkReply, what: string): void {
  control(reply.accepted, `the relay refused ${what} (OK false ${JSON.stringify(reply.message)}); the case cannot go on without it`)
}
