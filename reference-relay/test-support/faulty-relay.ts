/**
 * Reference relays with test faults switched on (faults.ts), for the relay's own tests,
 * the conformance suite's proof of power and the kill table (scripts/power). Each fault is
 * built as a replacement part (faulty-parts.ts); the relay's code has no fault switches.
 * Faulty relays keep their events in memory.
 */

import { type RelayConfig, type RelayOptions, resolveConfig } from '../src/config.ts'
import { createRelay, type RelayInternals, type RunningRelay } from '../src/relay.ts'
import { type FaultName, faultSetOf } from './faults.ts'
import { faultyParts } from './faulty-parts.ts'

export type { FaultArea, FaultInfo, FaultName } from './faults.ts'
export { Faults, isFaultName } from './faults.ts'

export interface FaultyRelayOptions extends RelayOptions {
  /** Names from faults.ts; an unknown name is refused. */
  faults?: readonly (FaultName | string)[]
}

/** A relay with these faults (internals included, for tests); `overrides` reach config internals such as the clock. */
export async function createFaultyRelay(options: FaultyRelayOptions = {}, overrides: Partial<RelayConfig> = {}): Promise<RelayInternals> {
  const { faults = [], ...relayOptions } = options
  const set = faultSetOf(faults)
  if (set.size > 0 && relayOptions.db !== undefined && relayOptions.db !== ':memory:') {
    throw new Error('error: test faults run on the memory backend only')
  }
  const config = resolveConfig(relayOptions, overrides)
  return createRelay(config, { parts: faultyParts(set, config) })
}

/** Like startRelay (src/index.ts), with faults. */
export async function startFaultyRelay(options: FaultyRelayOptions = {}): Promise<RunningRelay> {
  const relay = await createFaultyRelay(options)
  return { url: relay.url, httpUrl: relay.httpUrl, port: relay.port, close: relay.close }
}
