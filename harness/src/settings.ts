/** Defaults of a run, shared by the CLI, `npm start` and direct vitest runs of the suites. */

import type { Profile, RunSettings } from './types.ts'

export const DefaultTimeoutMs = 5000

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
    only: overrides.only ?? [],
    skip: overrides.skip ?? [],
  }
}
