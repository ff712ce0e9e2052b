/**
 * Exit codes, in one table (also printed by --help and in harness/README.md).
 */

import type { Verdict } from './types.ts'

export const ExitCodes = {
  ok: 0,
  failures: 1,
  usage: 2,
  unreachable: 3,
} as const

export const ExitCodeTable: ReadonlyArray<[code: number, meaning: string]> = [
  [0, 'no unexpected failure (expected failures and skips allowed; warnings allowed without --strict)'],
  [1, 'unexpected failures or errors (warnings too with --strict; expected failures now passing with --strict-expectations)'],
  [2, 'usage or configuration error (bad option, unreadable expectations file, no suites found)'],
  [3, 'target unreachable (no WebSocket connection, or REQ not answered)'],
]

export function formatExitCodeTable(): string {
  return ExitCodeTable.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')
}

export function decideVerdict(input: { reachable: boolean; failing: readonly string[]; runErrors: readonly string[] }): Verdict {
  if (!input.reachable) return { exitCode: ExitCodes.unreachable, failing: [], reason: 'target unreachable' }
  if (input.runErrors.length > 0) {
    return { exitCode: ExitCodes.failures, failing: [...input.failing], reason: `${input.runErrors.length} error(s) outside any case` }
  }
  if (input.failing.length > 0) {
    return { exitCode: ExitCodes.failures, failing: [...input.failing], reason: `${input.failing.length} case(s) failed unexpectedly` }
  }
  return { exitCode: ExitCodes.ok, failing: [], reason: 'no unexpected failure' }
}
