/** The CLI's exit codes: one table, printed in every --help and in the README. */

export const ExitCode = {
  ok: 0,
  /** Unexpected failure: a bug, an unreadable file, a crash. */
  error: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Input refused by the rules: slug, body, env var, key, legacy file, unspawnable value, PERSONA_HOME open to others; doctor found an error. */
  invalid: 3,
  /** No such persona, agent or key. */
  notFound: 4,
  /** The relay refused the event, or the write was blocked by the relay's clock window. */
  refused: 5,
  /** A relay is required (`persona sync`) and cannot be reached. */
  unreachable: 6,
  /** Partly done: some items failed (import-legacy records, sync entries); see the report. */
  partial: 7,
  /** State conflict: the agent or key already exists, the agent is (not) running, a published version lost to the relay's head. */
  conflict: 8,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const ExitCodeTable = `Exit codes:
  0  ok
  1  error: unexpected failure (I/O, crash)
  2  usage: unknown command or option, missing argument
  3  invalid: input refused by the rules (slug, body, env var, key, legacy file, a value no
     process environment can hold, PERSONA_HOME open to others); doctor found an error
  4  not found: no such persona, agent or key (also: an agent with no snapshot)
  5  refused: the relay refused the event, or its clock window or message size blocked the write
  6  unreachable: a relay is required and cannot be reached (or stopped answering)
  7  partial: some items failed or still wait (see the report)
  8  conflict: already exists, already running, not running; publish answered duplicate:
     and another version is the relay's head`
