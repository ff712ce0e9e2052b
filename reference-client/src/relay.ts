/** Opens a relay over the chosen transport and reads its NIP-11 clock window alongside. */

import type { ClockWindow } from '../../spec/model/clock.ts'
import { openHttpBridge } from './relay-http.ts'
import { clockWindowOf, fetchRelayInfo, maxMessageLengthOf, type RelayInfo } from './relay-info.ts'
import type { RelayClient, TransportName } from './relay-types.ts'
import { relayUrlsOf } from './relay-url.ts'
import { connectRelayWs } from './relay-ws.ts'

export interface OpenRelayOptions {
  transport?: TransportName
  /** The owner's key: signs NIP-98 requests over the HTTP bridge and answers NIP-42 challenges over WebSocket. */
  secretKey?: Uint8Array
  timeoutMs?: number
}

export type OpenRelayResult =
  | {
      ok: true
      relay: RelayClient
      info: RelayInfo | null
      /** Advertised, or 900 s for each limit the relay does not advertise (AP-SKEW-7). */
      window: ClockWindow
      maxMessageLength: number | undefined
    }
  | { ok: false; message: string }

export async function openRelay(url: string, options: OpenRelayOptions = {}): Promise<OpenRelayResult> {
  const urls = relayUrlsOf(url)
  if (!urls.ok) return urls
  const transport = options.transport ?? 'ws'
  const infoPromise = fetchRelayInfo(urls.http, { timeoutMs: options.timeoutMs })
  if (transport === 'ws') {
    const [connected, info] = await Promise.all([connectRelayWs(urls.ws, { timeoutMs: options.timeoutMs, secretKey: options.secretKey }), infoPromise])
    if (!connected.ok) return connected
    const document = info.ok ? info.info : null
    return { ok: true, relay: connected.relay, info: document, window: clockWindowOf(document), maxMessageLength: maxMessageLengthOf(document) }
  }
  // The bridge has no connection to open; the NIP-11 answer doubles as the reachability check.
  const info = await infoPromise
  if (!info.ok) return info
  const relay = openHttpBridge(urls.http, { secretKey: options.secretKey, timeoutMs: options.timeoutMs })
  return { ok: true, relay, info: info.info, window: clockWindowOf(info.info), maxMessageLength: maxMessageLengthOf(info.info) }
}
