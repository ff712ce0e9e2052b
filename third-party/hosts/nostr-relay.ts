/**
 * `@nostr-relay/core` with its SQLite event repository, hosted on `ws` the way the
 * package README shows: one NostrRelay, incoming frames checked by `@nostr-relay/validator`,
 * errors answered with a NOTICE. Also the peer relay of the throughput benchmark.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { closeWebSocketServer, runIfMain, wsListeningPort } from '../child.ts'
import { launchRelay } from '../launcher.ts'
import type { HostInfo, HostedRelay, ServingRelay, StartOptions } from '../types.ts'

export const info: HostInfo = {
  name: 'nostr-relay',
  package: '@nostr-relay/core',
  version: '0.0.40',
  homepage: 'https://github.com/CodyTseng/nostr-relay',
  servesHttp: false,
  notes: [
    'Library relay: @nostr-relay/core + @nostr-relay/event-repository-sqlite + @nostr-relay/validator 0.0.40, on ws 8, default options (as in its README).',
    'SQLite file in a fresh temporary directory (WAL, as the repository sets it), removed on close; better-sqlite3 is deduplicated to the project version through npm overrides.',
    'The library serves no HTTP: plain HTTP on the port gets 426 from ws, so there is no NIP-11 document.',
    'REQ results are cached per filter for 1 s by default (filterResultCacheTtl).',
    'Seen in a probe (not yet the suite): kind 30175 accepted with any, no or two d tags (no slug rules); addressable events replaced; at equal created_at the lowest id wins and the loser gets OK true "duplicate: the event already exists", as does a stale write.',
    'Seen in a probe: NIP-09 a-deletion hides the address and a write at the deletion created_at or later shows again; a deletion by another key is ignored; no clock window (now ± 2000 s accepted); id and signature checked; COUNT unanswered.',
  ],
}

export function start(options?: StartOptions): Promise<HostedRelay> {
  return launchRelay(info, import.meta.url, options)
}

async function serve(): Promise<ServingRelay> {
  const { createOutgoingNoticeMessage } = await import('@nostr-relay/common')
  const { NostrRelay } = await import('@nostr-relay/core')
  const { EventRepositorySqlite } = await import('@nostr-relay/event-repository-sqlite')
  const { Validator } = await import('@nostr-relay/validator')
  const { WebSocketServer } = await import('ws')

  const dataDir = mkdtempSync(path.join(tmpdir(), 'nip-ap-nostr-relay-'))
  const repository = new EventRepositorySqlite(path.join(dataDir, 'events.db'))
  await repository.init()
  const relay = new NostrRelay(repository)
  const validator = new Validator()
  const notice = (message: string): string => JSON.stringify(createOutgoingNoticeMessage(message))

  // One endpoint (NIP-01): this host serves the relay on / only, so other paths are refused.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/' })
  wss.on('connection', (ws) => {
    relay.handleConnection(ws)
    ws.on('message', async (data) => {
      try {
        const message = await validator.validateIncomingMessage(data)
        await relay.handleMessage(ws, message)
      } catch (error) {
        if (error instanceof Error) ws.send(notice(error.message))
      }
    })
    ws.on('close', () => relay.handleDisconnect(ws))
    ws.on('error', (error) => ws.send(notice(error.message)))
  })
  const port = await wsListeningPort(wss)

  return {
    port,
    close: async () => {
      await closeWebSocketServer(wss)
      await relay.destroy()
      await repository.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

runIfMain(import.meta.url, serve)
