/**
 * A small scripted relay for the client's tests: a real WebSocket server (ws + node:http on
 * 127.0.0.1, port 0) that behaves as a tiny honest NIP-01 relay unless a script tells it
 * otherwise. Scripts let it serve forged or foreign events, answer writes with chosen OK
 * messages, and require NIP-42 AUTH the way the origin relay does (ORIGIN-RELAY.md §1).
 * Test-only: nothing in the client imports it.
 */

import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { nowSeconds } from '../../../spec/model/clock.ts'
import { checkEventShape, hasValidId, type NostrEvent, verifyEventSignature } from '../../../spec/model/event.ts'
import { type Filter, matchFilters } from '../../../spec/model/filter.ts'
import { addressOf, supersedes } from '../../../spec/model/head.ts'
import { checkRelayAuthEvent, RelayAuthMessages } from '../../../spec/model/relay-auth.ts'

export interface RequestContext {
  /** 1 for the first REQ this relay answered, across connections. */
  reqIndex: number
  /** The key the connection authenticated as, when it did. */
  authenticated: string | null
}

export interface WriteAnswer {
  accepted: boolean
  message: string
  /** Keep the event (served to later REQs). Default: `accepted`. */
  store?: boolean
}

export interface ScriptedRelayOptions {
  /** Extra raw frames' events served to every REQ after the stored matches (forged, foreign, anything). */
  serve?: (filters: Filter[], context: RequestContext) => unknown[]
  /** Replaces the stored matches entirely (a relay that lies about what it holds). */
  onlyServe?: boolean
  /** Answer to a verified EVENT; undefined falls back to the honest answer. */
  onEvent?: (event: NostrEvent, context: RequestContext) => WriteAnswer | undefined
  /** Send a challenge on connect and refuse EVENT and REQ until a valid AUTH, as the origin does. */
  requireAuth?: boolean
  /** NIP-11 document served on GET with Accept: application/nostr+json (default: a minimal one). */
  nip11?: Record<string, unknown>
}

export interface ScriptedRelay {
  url: string
  httpUrl: string
  /** Every frame received, parsed, in order. */
  received: unknown[][]
  /** Events kept (accepted and stored), in arrival order. */
  stored: NostrEvent[]
  /** Keys that authenticated, one entry per successful AUTH. */
  authenticated: string[]
  close(): Promise<void>
}

interface Connection {
  challenge: string
  auth: 'pending' | 'failed' | { pubkey: string }
}

function send(socket: WebSocket, frame: unknown[]): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame))
}

export async function startScriptedRelay(options: ScriptedRelayOptions = {}): Promise<ScriptedRelay> {
  const received: unknown[][] = []
  const stored: NostrEvent[] = []
  const authenticated: string[] = []
  let reqCount = 0
  let url = ''

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.accept?.includes('application/nostr+json')) {
      res.writeHead(200, { 'content-type': 'application/nostr+json', 'access-control-allow-origin': '*' })
      res.end(JSON.stringify(options.nip11 ?? { name: 'scripted relay', supported_nips: [1, 9, 11, ...(options.requireAuth ? [42] : [])] }))
      return
    }
    res.writeHead(404)
    res.end()
  })
  const wss = new WebSocketServer({ server: http })

  function honestWrite(event: NostrEvent): WriteAnswer {
    if (stored.some((e) => e.id === event.id)) return { accepted: true, message: 'duplicate:', store: false }
    const address = addressOf(event)
    const current = address === null ? undefined : stored.find((e) => addressOf(e) === address)
    if (current !== undefined && !supersedes(event, current)) return { accepted: true, message: 'duplicate:', store: false }
    if (current !== undefined) stored.splice(stored.indexOf(current), 1)
    return { accepted: true, message: '', store: true }
  }

  function contextOf(connection: Connection): RequestContext {
    return { reqIndex: reqCount, authenticated: typeof connection.auth === 'object' ? connection.auth.pubkey : null }
  }

  function onEvent(socket: WebSocket, connection: Connection, value: unknown): void {
    const id = (value as { id?: unknown } | null)?.id
    const answerId = typeof id === 'string' ? id : ''
    if (options.requireAuth && typeof connection.auth !== 'object') {
      send(socket, ['OK', answerId, false, RelayAuthMessages.notAuthenticated])
      return
    }
    const shape = checkEventShape(value)
    if (!shape.ok) return send(socket, ['OK', answerId, false, shape.message])
    const event = shape.event
    if (!hasValidId(event) || !verifyEventSignature(event)) return send(socket, ['OK', event.id, false, 'invalid: bad id or signature'])
    if (typeof connection.auth === 'object' && event.pubkey !== connection.auth.pubkey) {
      return send(socket, ['OK', event.id, false, RelayAuthMessages.pubkeyMismatch])
    }
    const answer = options.onEvent?.(event, contextOf(connection)) ?? honestWrite(event)
    if (answer.store ?? answer.accepted) stored.push(event)
    send(socket, ['OK', event.id, answer.accepted, answer.message])
  }

  function onReq(socket: WebSocket, connection: Connection, sub: unknown, filters: unknown[]): void {
    if (typeof sub !== 'string') return
    if (options.requireAuth && typeof connection.auth !== 'object') {
      send(socket, ['NOTICE', RelayAuthMessages.beforeSubscribing])
      send(socket, ['CLOSED', sub, RelayAuthMessages.notAuthenticated])
      return
    }
    reqCount += 1
    const typed = filters as Filter[]
    const matches = options.onlyServe ? [] : stored.filter((event) => matchFilters(typed, event))
    const extra = options.serve?.(typed, contextOf(connection)) ?? []
    for (const event of [...matches, ...extra]) send(socket, ['EVENT', sub, event])
    send(socket, ['EOSE', sub])
  }

  function onAuth(socket: WebSocket, connection: Connection, value: unknown): void {
    const id = (value as { id?: unknown } | null)?.id
    const answerId = typeof id === 'string' ? id : ''
    if (connection.auth === 'failed') return send(socket, ['OK', answerId, false, RelayAuthMessages.alreadyFailed])
    if (typeof connection.auth === 'object') return send(socket, ['OK', answerId, false, RelayAuthMessages.alreadyAuthenticated])
    const check = checkRelayAuthEvent(value, { challenge: connection.challenge, relayUrl: url, now: nowSeconds() })
    if (!check.ok) {
      connection.auth = 'failed'
      return send(socket, ['OK', answerId, false, check.message])
    }
    connection.auth = { pubkey: check.pubkey }
    authenticated.push(check.pubkey)
    send(socket, ['OK', answerId, true, ''])
  }

  wss.on('connection', (socket) => {
    const connection: Connection = { challenge: randomBytes(32).toString('hex'), auth: 'pending' }
    if (options.requireAuth) send(socket, ['AUTH', connection.challenge])
    socket.on('message', (data) => {
      let frame: unknown
      try {
        frame = JSON.parse(data.toString())
      } catch {
        return send(socket, ['NOTICE', 'invalid: frame is not JSON'])
      }
      if (!Array.isArray(frame)) return send(socket, ['NOTICE', 'invalid: frame is not an array'])
      received.push(frame)
      const [type, ...rest] = frame as [unknown, ...unknown[]]
      if (type === 'EVENT') onEvent(socket, connection, rest[0])
      else if (type === 'REQ') onReq(socket, connection, rest[0], rest.slice(1))
      else if (type === 'AUTH') onAuth(socket, connection, rest[0])
      else if (type === 'CLOSE') return
      else send(socket, ['NOTICE', `invalid: unknown message type ${JSON.stringify(type)}`])
    })
  })

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as AddressInfo).port
  url = `ws://127.0.0.1:${port}`
  return {
    url,
    httpUrl: `http://127.0.0.1:${port}`,
    received,
    stored,
    authenticated,
    async close() {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
