// An origin-like relay for checking the suite's `origin` profile: it behaves as
// /work/shared/ORIGIN-RELAY.md describes the relay NIP-AP came from, with switchable defects.
// In-memory, one process, WebSocket and HTTP on one port.
import { createServer, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { DefectSet } from './defects.ts'
import { HttpBridge } from './http-bridge.ts'
import { ReplayMemory } from './http-auth.ts'
import { relayInformation } from './nip11.ts'
import { RelayCore } from './relay-core.ts'
import { DEFAULT_MAX_EVENTS, Store } from './store.ts'
import { OriginConnection } from './ws-connection.ts'

export { ORIGIN_DEFECTS, type OriginDefect, type OriginDefectId } from './defects.ts'

export interface OriginRelayOptions {
  defects?: string[]
  host?: string
  port?: number
  maxEvents?: number
}

export interface RunningOriginRelay {
  /** ws://host:port: the URL NIP-42 `relay` tags must name. */
  url: string
  /** http://host:port: the base of NIP-98 `u` tags and the bridge routes. */
  httpUrl: string
  close(): Promise<void>
}

/** The origin caps connections at 10,000; beyond that a connection is dropped before the challenge. */
const MAX_CONNECTIONS = 10_000
/** A larger message is cut off by the WebSocket layer; up to this size the relay drops it itself. */
const WS_MAX_PAYLOAD = 16 * 1024 * 1024

function publicHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function acceptsNostrJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('application/nostr+json')
}

export async function startOriginRelay(options: OriginRelayOptions = {}): Promise<RunningOriginRelay> {
  const defects = new DefectSet(options.defects ?? [])
  const host = options.host ?? '127.0.0.1'
  const server = createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD })
  const replay = new ReplayMemory()
  let core: RelayCore | undefined
  let bridge: HttpBridge | undefined

  server.on('request', (req, res) => {
    if (!bridge) return res.destroy()
    bridge.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'internal server error' }))
    })
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname
    if (!core || path !== '/' || acceptsNostrJson(req)) {
      // `/` asked for NIP-11 is answered NIP-11 even on an upgrade request.
      const body = path === '/' && core ? JSON.stringify(relayInformation(core.defects)) : ''
      const status = path === '/' && core ? '200 OK' : '404 Not Found'
      socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
      return
    }
    if (core.connections.size >= MAX_CONNECTIONS) {
      socket.destroy()
      return
    }
    const relay = core
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new OriginConnection(ws, relay)
      relay.connections.add(conn)
      ws.on('close', () => relay.connections.delete(conn))
      ws.on('error', () => ws.terminate())
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('origin relay: no TCP address')
  const url = `ws://${publicHost(host)}:${address.port}`
  core = new RelayCore(new Store(options.maxEvents ?? DEFAULT_MAX_EVENTS), defects, url)
  bridge = new HttpBridge(core, replay)

  return {
    url,
    httpUrl: core.httpUrl,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
