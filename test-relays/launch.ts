// Host for the independent test relays: a registry of starters and their catalogs.
import {
  TestRelayOptionError,
  type RelayCatalog,
  type RunningTestRelay,
  type StartOptions,
  type TestRelayEntry,
} from './catalog.ts'
import { coreRelay } from './core/index.ts'
import { originRelay } from './origin/entry.ts'

export type { Citation, DefectInfo, PresetInfo, RelayCatalog, RunningTestRelay, VariationInfo } from './catalog.ts'
export { TestRelayOptionError } from './catalog.ts'

/** Relay name → starter. Other relays join by adding an entry here. */
export const testRelays = {
  core: coreRelay,
  origin: originRelay,
} satisfies Record<string, TestRelayEntry>

export type TestRelayName = keyof typeof testRelays

export interface TestRelayOptions extends StartOptions {
  relay: TestRelayName
}

function entryFor(name: string): TestRelayEntry {
  const entry = (testRelays as Record<string, TestRelayEntry>)[name]
  if (entry === undefined)
    throw new TestRelayOptionError(`unknown relay "${name}"; valid: ${Object.keys(testRelays).join(', ')}`)
  return entry
}

/** Start a test relay; port 0 (the default) picks a free port. */
export async function startTestRelay(options: TestRelayOptions): Promise<RunningTestRelay> {
  const { relay, ...rest } = options
  return entryFor(relay).start(rest)
}

/** Every relay with its variations, presets and defects. */
export function testRelayCatalog(): RelayCatalog[] {
  return Object.values(testRelays).map((entry: TestRelayEntry) => entry.catalog())
}
