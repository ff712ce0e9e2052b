/**
 * What can go wrong on a NIP-01 connection, as data: every failure of a wait or a send is a
 * Nip01Error with a `kind`, so each user maps it to its own vocabulary (the harness to
 * HarnessError, graded `error`; the client to an `error:` result) without parsing text.
 */

export const Nip01ErrorKinds = [
  'unreachable', // no WebSocket connection within the deadline, or the connection was refused
  'timeout', // a wait ended at its deadline without the frame it waited for
  'disconnected', // the relay closed the connection, or the socket failed
  'protocol', // the relay sent something that is not a NIP-01 frame (not JSON, not an array led by a string)
  'overflow', // more frames were kept than the connection's bound (maxFrames) allows
] as const

export type Nip01ErrorKind = (typeof Nip01ErrorKinds)[number]

export class Nip01Error extends Error {
  override name = 'Nip01Error'
  readonly kind: Nip01ErrorKind
  /** The message without the `kind:` prefix. */
  readonly detail: string

  constructor(kind: Nip01ErrorKind, detail: string) {
    super(`${kind}: ${detail}`)
    this.kind = kind
    this.detail = detail
  }
}

export function isNip01Error(error: unknown): error is Nip01Error {
  return error instanceof Error && error.name === 'Nip01Error'
}
