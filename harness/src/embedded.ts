/** The embedded target: the reference relay in this process, in memory, on a free port. */

import { startRelay } from '../../reference-relay/src/index.ts'
import type { TargetInfo } from './types.ts'

export interface EmbeddedTarget {
  target: TargetInfo
  close(): Promise<void>
}

export async function startEmbeddedRelay(options: { skewSeconds?: number } = {}): Promise<EmbeddedTarget> {
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    ...(options.skewSeconds !== undefined ? { skewSeconds: options.skewSeconds } : {}),
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
