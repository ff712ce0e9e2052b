/**
 * The `relays` package ("a combined nostr and GUN relay"): `relays/server`'s
 * createServer with GUN skipped, an express app with an in-memory NIP-01 relay on the
 * same port and a NIP-11 document at `/`. It imports `verifySignature` from nostr-tools
 * 1.x, so package.json overrides its nostr-tools to 1.17.0 (scoped to `relays`).
 */

import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import { listeningPort, runIfMain, withLoopbackListen } from '../child.ts'
import { launchRelay } from '../launcher.ts'
import type { HostInfo, HostedRelay, ServingRelay, StartOptions } from '../types.ts'

export const info: HostInfo = {
  name: 'relays',
  package: 'relays',
  version: '1.0.3',
  homepage: 'https://www.npmjs.com/package/relays',
  servesHttp: true,
  notes: [
    "relays/server createServer({ skipGun: true, log: false }), upstream sync off; nostr-tools 1.17.0 through a package.json override scoped to 'relays' (2.x has no verifySignature and every event would fail).",
    'createServer takes no host, so the host makes its listen call bind 127.0.0.1; port "0" is passed as a string because the package treats 0 as unset.',
    'In-memory store: every accepted event is appended, nothing is replaced or deleted; REQ replays in arrival order.',
    'Subscriptions live in one map keyed by subscription id across all connections.',
    'Serves a NIP-11 document at / for Accept application/nostr+json (supported_nips [1, 11]).',
    'Seen in a probe (not yet the suite): no slug rules, no replacement (every version returned, stale ones too), kind 5 stored but deletes nothing, no clock window; id and signature checked; non-JSON frames ignored silently; COUNT unanswered.',
  ],
}

export function start(options?: StartOptions): Promise<HostedRelay> {
  return launchRelay(info, import.meta.url, options)
}

/** The part of `relays/server` this host uses (the package ships no types). */
interface RelaysModule {
  createServer(options: {
    port: string
    log: boolean
    skipGun: boolean
    nostr: { disableUpstream: boolean; disableSignature: boolean }
  }): { server: Server; close(): Promise<void> }
}

async function serve(): Promise<ServingRelay> {
  const require = createRequire(import.meta.url)
  const { createServer } = require('relays/server') as RelaysModule
  const relay = withLoopbackListen(() =>
    createServer({
      port: '0',
      log: false,
      skipGun: true,
      nostr: { disableUpstream: true, disableSignature: false },
    }),
  )
  const port = await listeningPort(relay.server)
  return {
    port,
    close: async () => {
      relay.server.closeAllConnections()
      await relay.close()
    },
  }
}

runIfMain(import.meta.url, serve)
