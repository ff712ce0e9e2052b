/** Builds the HTTP bridge for a relay: its settings from the config, its backend from the stages. */

import type { SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import type { RelayConfig } from '../config.ts'
import type { FaultSet } from '../faults.ts'
import type { RelayStages } from '../relay.ts'
import { HttpBridge } from './bridge.ts'
import { createRelayBackend } from './relay-backend.ts'
import { bridgeHandlers, type UwsHandler } from './uws-adapter.ts'

/** The NIP-98 checks the `http-auth-*` test faults leave out. */
export function authSkipsOf(faults: FaultSet): Set<SkippableHttpAuthCheck> {
  const skips = new Set<SkippableHttpAuthCheck>()
  if (faults.has('http-auth-replay-accepted')) skips.add('replayed')
  if (faults.has('http-auth-url-unchecked')) skips.add('url')
  if (faults.has('http-auth-payload-unchecked')) skips.add('payload')
  if (faults.has('http-auth-window-unchecked')) skips.add('expired')
  return skips
}

export function createBridge(stages: RelayStages, listenAddress: () => string): HttpBridge {
  const config: RelayConfig = stages.config
  const skips = authSkipsOf(config.faults)
  return new HttpBridge(
    {
      auth: config.httpAuth,
      publicUrl: config.publicUrl,
      get listenAddress() {
        return listenAddress()
      },
      maxFilters: config.limits.maxFilters,
      clock: config.clock,
      log: config.log,
      ...(skips.size > 0 ? { authSkips: skips } : {}),
    },
    createRelayBackend({ ingester: stages.ingester, reqWorker: stages.reqWorker, store: stages.store, faults: config.faults }),
  )
}

/** The `any(pattern)` handlers websocket.ts registers for /events, /query and /count. */
export function bridgeRawRoutes(stages: RelayStages, listenAddress: () => string): Array<[pattern: string, handler: UwsHandler]> {
  return bridgeHandlers(createBridge(stages, listenAddress))
}
