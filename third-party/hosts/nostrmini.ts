/**
 * `nostrmini`: a very small in-memory relay written for tests (express + express-ws, a
 * bounded deque of events). Its own listen() takes no host, so this host listens on the
 * app's HTTP server directly, on 127.0.0.1.
 */

import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import { listeningPort, runIfMain } from '../child.ts'
import { launchRelay } from '../launcher.ts'
import type { HostInfo, HostedRelay, ServingRelay, StartOptions } from '../types.ts'

export const info: HostInfo = {
  name: 'nostrmini',
  package: 'nostrmini',
  version: '1.2.1',
  homepage: 'https://www.npmjs.com/package/nostrmini',
  servesHttp: true,
  notes: [
    'new NostrMini() with default options (10,000 events kept, newest first); its own nostr-tools 1.x dependency installs nested, no override needed.',
    'Verifies nothing: every EVENT is answered OK true and stored, nothing is replaced or deleted.',
    'GET / answers its NIP-11 document whatever the Accept header (supported_nips [1, 2, 11]).',
    'A frame that is not JSON gets a NOTICE and a close, then its handler throws; the host child logs the error and keeps serving.',
    'Seen in a probe (not yet the suite): no slug rules, no replacement (every version returned, newest first), no deletion, no clock window; COUNT unanswered.',
  ],
}

export function start(options?: StartOptions): Promise<HostedRelay> {
  return launchRelay(info, import.meta.url, options)
}

/** The part of the nostrmini App this host uses (its typings declare these as any). */
interface NostrMiniApp {
  server: { listen(port: number, host: string): Server }
  ws: { getWss(): { clients: Set<{ terminate(): void }> } }
  listener: Server | null
}

async function serve(): Promise<ServingRelay> {
  const require = createRequire(import.meta.url)
  const NostrMini = (require('nostrmini') as { default: new () => NostrMiniApp }).default
  const app = new NostrMini()
  const server = app.server.listen(0, '127.0.0.1')
  app.listener = server
  const port = await listeningPort(server)
  return {
    port,
    close: async () => {
      for (const client of app.ws.getWss().clients) client.terminate()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

runIfMain(import.meta.url, serve)
