/** Embedding entry point of the reference relay (see /work/briefs/relay-api.md). */

import { type RelayOptions, resolveConfig } from './config.ts'
import { createRelay, type RunningRelay } from './relay.ts'

export type { RelayOptions } from './config.ts'
export type { RunningRelay } from './relay.ts'
export { assertNativeUws } from './websocket.ts'

export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const relay = await createRelay(resolveConfig(options))
  return { url: relay.url, httpUrl: relay.httpUrl, port: relay.port, close: relay.close }
}
