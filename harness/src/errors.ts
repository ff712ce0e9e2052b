/**
 * HarnessError marks "the harness could not decide": a deadline passed, the connection
 * dropped, the target sent something unparseable. The grader maps it to `error`, never to
 * `fail`, so transport trouble is never mistaken for a broken rule.
 */

export type HarnessErrorKind = 'timeout' | 'disconnected' | 'unreachable' | 'protocol' | 'auth' | 'http' | 'config'

/** Frames a relay owes that a wait can miss: EOSE after a REQ, a live event, an answer to COUNT. */
export type AwaitedFrame = 'eose' | 'live' | 'count'

export class HarnessError extends Error {
  override name = 'HarnessError'
  readonly kind: HarnessErrorKind
  /** For a `timeout` or `disconnected` while waiting for one of these frames: which one. */
  readonly awaited: AwaitedFrame | undefined

  constructor(kind: HarnessErrorKind, message: string, awaited?: AwaitedFrame) {
    super(`${kind}: ${message}`)
    this.kind = kind
    this.awaited = awaited
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof Error && error.name === 'HarnessError'
}

/** A usage or configuration problem of the CLI itself (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError'
}

/**
 * A positive control failed: before concluding anything the case must observe the
 * behaviour it builds on (the version served before "deleted", the barrier delivered live
 * before "not delivered", a helper event accepted), and here it could not. The case
 * grades `skip` with this reason: never `pass` (nothing was shown) and never `fail` of a
 * rule the case does not own (the case that owns that behaviour fails instead).
 */
export class ControlError extends Error {
  override name = 'ControlError'

  constructor(reason: string) {
    super(`control failed: ${reason}`)
  }
}

export function isControlError(error: unknown): error is ControlError {
  return error instanceof Error && error.name === 'ControlError'
}
