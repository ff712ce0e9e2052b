/** Defaults of a run, shared by the CLI, `npm start` and direct vitest runs of the suites. */

import type { Profile, RunSettings } from './types.ts'

export const DefaultTimeoutMs = 5000

/**
 * How long a read that follows a write is repeated before a case concludes from it. NIP-01
 * does not promise that an accepted event is visible to the very next query (relays may
 * answer reads from a cache), so a case reads again, with growing pauses, until what it
 * expects is there or this window has passed (harness/INTERPRETING.md, section 4).
 */
export const SettleMs = 2000

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff)
}

export function defaultSettings(overrides: Partial<RunSettings> & { profile?: Profile } = {}): RunSettings {
  return {
    profile: overrides.profile ?? 'origin',
    strict: overrides.strict ?? false,
    timeoutMs: overrides.timeoutMs ?? DefaultTimeoutMs,
    seed: overrides.seed ?? randomSeed(),
    ...(overrides.runs !== undefined ? { runs: overrides.runs } : {}),
    ...(overrides.path !== undefined ? { path: overrides.path } : {}),
    ...(overrides.clockBase !== undefined ? { clockBase: overrides.clockBase } : {}),
    ...(overrides.clockTicks !== undefined ? { clockTicks: overrides.clockTicks } : {}),
    ...(overrides.userKeys !== undefined ? { userKeys: overrides.userKeys } : {}),
    only: overrides.only ?? [],
    skip: overrides.skip ?? [],
  }
}
