/**
 * The embedded target: the reference relay in this process, in memory, on a free port; in
 * its origin mode (NIP-42 AUTH required, the origin's rules) for the origin profile.
 */

import { UsageError } from './errors.ts'
import type { TargetInfo } from './types.ts'

export interface EmbeddedTarget {
  target: TargetInfo
  close(): Promise<void>
}

export async function startEmbeddedRelay(options: { skewSeconds?: number; origin?: boolean } = {}): Promise<EmbeddedTarget> {
  // Loaded on demand: the relay's uWebSockets.js build ships native binaries for Node 20
  // (ABI 115) and older only, and a run against a URL needs none of it.
  const { assertNativeUws, startRelay } = await import('../../reference-relay/src/index.ts')
  try {
    assertNativeUws()
  } catch {
    throw new UsageError(
      `error: the embedded reference relay cannot start: uWebSockets.js did not load a native binary for Node ${process.versions.node} ` +
        `(ABI ${process.versions.modules}; its registry build has Node 20's and older, and UWS_USE_FALLBACK must be unset); ` +
        'run on Node 20, or pass the WS_URL of a running relay',
    )
  }
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    ...(options.skewSeconds !== undefined ? { skewSeconds: options.skewSeconds } : {}),
    ...(options.origin === true ? { origin: true } : {}),
  })
  return {
    target: { name: 'embedded', url: relay.url, httpUrl: relay.httpUrl, embedded: true },
    close: () => relay.close(),
  }
}

/** `ws://h:p/x` → `http://h:p/x`, `wss:` → `https:`. */
export function httpUrlOf(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):\/\//i, 'http$1://')
}
