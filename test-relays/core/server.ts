// node:http + ws: one endpoint for WebSocket upgrades and the NIP-11 document.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import type { RunningTestRelay } from '../catalog.ts'
import { Connection } from './connection.ts'
import { informationDocument, isRelayPath, serveHttp } from './info.ts'
import { Relay, type CoreConfig } from './relay.ts'

export async function startCoreServer(config: CoreConfig, host: string, port: number): Promise<RunningTestRelay> {
  const relay = new Relay(config)
  const { settings, faults } = config
  const restrictedWrites = settings.kindAllowlist !== null || config.authKeys !== null
  const document = informationDocument(settings, restrictedWrites)
  // Frames up to twice the advertised limit are read so an oversized EVENT still gets
  // its OK false; anything larger closes the socket (1009).
  const sockets = new WebSocketServer({ noServer: true, maxPayload: settings.maxMessageLength * 2 })
  const http = createServer((request, response) => serveHttp(request, response, settings, faults, document))
  http.on('upgrade', (request, socket, head) => {
    if (!isRelayPath(request.url) && !faults.has('any-path')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const hostHeader = request.headers.host ?? ''
    sockets.handleUpgrade(request, socket, head, (ws) => {
      new Connection(relay, ws, hostHeader)
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const address = http.address() as AddressInfo
  const authority = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  let closing: Promise<void> | null = null
  return {
    url: `ws://${authority}`,
    httpUrl: `http://${authority}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        http.close(() => resolve())
        http.closeAllConnections()
      })
      return closing
    },
  }
}
