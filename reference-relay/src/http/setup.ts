/** Builds the HTTP bridge for a relay: its settings from the config, its backend from the stages. */

import type { SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import type { RelayConfig } from '../config.ts'
import type { Ingester } from '../ingester.ts'
import type { EventReader } from '../storage/event-store.ts'
import type { Verifier } from '../verifier.ts'
import { type BridgeBackend, HttpBridge } from './bridge.ts'
import { createRelayBackend } from './relay-backend.ts'
import { bridgeHandlers, type UwsHandler } from './uws-adapter.ts'

export interface BridgeParts {
  config: RelayConfig
  ingester: Pick<Ingester, 'submitEvent'>
  reader: EventReader
  verifier: Verifier
  /** A test relay's bent backend or NIP-98 checks (reference-relay/test-support). */
  wrapBackend?: (backend: BridgeBackend) => BridgeBackend
  authSkips?: ReadonlySet<SkippableHttpAuthCheck>
}

export function createBridge(parts: BridgeParts, listenAddress: () => string): HttpBridge {
  const { config, verifier } = parts
  const backend = createRelayBackend({ ingester: parts.ingester, reader: parts.reader, maxLimit: config.limits.maxLimit })
  return new HttpBridge(
    {
      auth: config.httpAuth,
      publicUrl: config.publicUrl,
      get listenAddress() {
        return listenAddress()
      },
      maxFilters: config.limits.maxFilters,
      clock: config.clock,
      verifySignature: async (event) => (await verifier.verify([event]))[0] === true,
      log: config.log,
      ...(config.origin ? { origin: true } : {}),
      ...(parts.authSkips !== undefined && parts.authSkips.size > 0 ? { authSkips: parts.authSkips } : {}),
    },
    parts.wrapBackend?.(backend) ?? backend,
  )
}

/** The `any(pattern)` handlers websocket.ts registers for /events, /query and /count. */
export function bridgeRawRoutes(parts: BridgeParts, listenAddress: () => string): Array<[pattern: string, handler: UwsHandler]> {
  return bridgeHandlers(createBridge(parts, listenAddress))
}
