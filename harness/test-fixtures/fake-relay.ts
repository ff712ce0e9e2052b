/**
 * Fake relays for the harness's own tests (ws WebSocketServer + node:http on port 0,
 * 127.0.0.1). `honest` is a tiny in-memory NIP-01 relay built on spec/model; the others
 * misbehave on purpose: never answer, answer garbage, hang up, accept everything, or lie
 * in their NIP-11 document.
 */

import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { checkRelayRules } from '../../spec/model/acceptance.ts'
import { symmetricWindow } from '../../spec/model/clock.ts'
import { type NostrEvent, checkEventShape, verifyEventSignature } from '../../spec/model/event.ts'
import { type Filter, matchFilters } from '../../spec/model/filter.ts'
import { addressOf, supersedes } from '../../spec/model/head.ts'
import { checkHttpAuth } from '../../spec/model/http-auth.ts'

export type FakeBehaviour =
  | 'honest' // NIP-01 + replacement + slug rules, in memory
  | 'accept-all' // OK true for anything, keeps every version, no slug rules
  | 'silent' // accepts the connection, never sends a frame
  | 'garbage' // answers every frame with text that is not JSON
  | 'disconnect' // closes the socket on the first frame

export interface FakeRelayOptions {
  behaviour: FakeBehaviour
  /** NIP-11 document; null: no document (404). Default: an honest one for the behaviour. */
  nip11?: Record<string, unknown> | null
  /** Answer COUNT (NIP-45). Default true. */
  count?: boolean
  /** Serve POST /count (a minimal HTTP bridge). Default false. */
  bridge?: boolean
  /** With the bridge: refuse unsigned requests with 401. Default true. */
  bridgeAuth?: boolean
  /** Shift the HTTP Date header by this many seconds (a relay with a wrong clock). */
  clockOffsetSeconds?: number
  /** max_subid_length advertised in the default NIP-11 document. Default 256. */
  maxSubIdLength?: number
  /** Refuse longer subscription ids with CLOSED. Default true; false makes a liar. */
  enforceSubIdLimit?: boolean
  /** Send CORS headers with NIP-11. Default true. */
  cors?: boolean
  /**
   * How an honest relay treats EVENT frames: answer (default), or misbehave only there so
   * the probe passes and the cases meet the trouble: ignore, garbage, disconnect.
   */
  onEvent?: 'answer' | 'ignore' | 'garbage' | 'disconnect'
}

export interface FakeRelay {
  url: string
  httpUrl: string
  /** Every text frame received, in order. */
  received: string[]
  close(): Promise<void>
}

export function defaultNip11(options: FakeRelayOptions): Record<string, unknown> {
  return {
    name: `fake ${options.behaviour} relay`,
    supported_nips: options.count === false ? [1, 11] : [1, 11, 45],
    limitation: {
      max_subid_length: options.maxSubIdLength ?? 256,
      created_at_lower_limit: 900,
      created_at_upper_limit: 900,
    },
  }
}

export async function startFakeRelay(options: FakeRelayOptions): Promise<FakeRelay> {
  const received: string[] = []
  const stored: NostrEvent[] = []
  const nip11 = options.nip11 === undefined ? defaultNip11(options) : options.nip11
  const sockets = new Set<WebSocket>()
  const subscriptions = new Map<WebSocket, Map<string, Filter[]>>()
  let httpUrl = ''

  const server = createServer((req, res) => {
    void handleHttp(req, res)
  })

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.clockOffsetSeconds !== undefined) {
      res.setHeader('date', new Date(Date.now() + options.clockOffsetSeconds * 1000).toUTCString())
    }
    const body = await readBody(req)
    if (req.method === 'GET' && (req.headers.accept ?? '').includes('application/nostr+json') && nip11) {
      if (options.cors !== false) res.setHeader('access-control-allow-origin', '*')
      res.writeHead(200, { 'content-type': 'application/nostr+json' })
      res.end(JSON.stringify(nip11))
      return
    }
    if (req.method === 'POST' && req.url === '/count' && options.bridge) {
      if (options.bridgeAuth !== false) {
        const check = checkHttpAuth(
          req.headers.authorization,
          { url: `${httpUrl}/count`, method: 'POST', body, now: Math.floor(Date.now() / 1000) },
          () => false,
        )
        if (!check.ok) {
          res.writeHead(401, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: check.message }))
          return
        }
      }
      let filters: Filter[] = []
      try {
        filters = JSON.parse(body) as Filter[]
      } catch {
        res.writeHead(400).end('{"error":"invalid: body is not JSON"}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ count: stored.filter((e) => matchFilters(filters, e)).length }))
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  }

  const wss = new WebSocketServer({ server })
  wss.on('connection', (socket) => {
    sockets.add(socket)
    subscriptions.set(socket, new Map())
    socket.on('close', () => {
      sockets.delete(socket)
      subscriptions.delete(socket)
    })
    socket.on('message', (data) => {
      const text = data.toString()
      received.push(text)
      switch (options.behaviour) {
        case 'silent':
          return
        case 'garbage':
          socket.send('this is not a nostr frame')
          return
        case 'disconnect':
          socket.terminate()
          return
        default:
          answer(socket, text)
      }
    })
  })

  const send = (socket: WebSocket, frame: unknown[]): void => socket.send(JSON.stringify(frame))

  function accept(event: NostrEvent): { ok: boolean; message: string } {
    if (stored.some((e) => e.id === event.id)) return { ok: true, message: 'duplicate: already have this event' }
    if (options.behaviour === 'accept-all') {
      stored.push(event)
      return { ok: true, message: '' }
    }
    if (!verifyEventSignature(event)) return { ok: false, message: 'invalid: bad signature' }
    const rules = checkRelayRules(event, Math.floor(Date.now() / 1000), symmetricWindow(900))
    if (!rules.ok) return { ok: false, message: rules.message }
    const address = addressOf(event)
    if (address !== null) {
      const current = stored.find((e) => addressOf(e) === address)
      if (current && !supersedes(event, current)) return { ok: true, message: 'duplicate: have a newer version' }
      if (current) stored.splice(stored.indexOf(current), 1)
    }
    stored.push(event)
    return { ok: true, message: '' }
  }

  function fanOut(event: NostrEvent): void {
    for (const [socket, subs] of subscriptions) {
      for (const [subId, filters] of subs) if (matchFilters(filters, event)) send(socket, ['EVENT', subId, event])
    }
  }

  function answer(socket: WebSocket, text: string): void {
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      send(socket, ['NOTICE', 'invalid: frame is not JSON'])
      return
    }
    if (!Array.isArray(frame)) return
    const [type, ...rest] = frame as [unknown, ...unknown[]]
    if (type === 'EVENT') {
      if (options.onEvent === 'ignore') return
      if (options.onEvent === 'garbage') {
        socket.send('{"truncated": ')
        return
      }
      if (options.onEvent === 'disconnect') {
        socket.terminate()
        return
      }
      const shape = checkEventShape(rest[0])
      if (!shape.ok) {
        send(socket, ['NOTICE', shape.message])
        return
      }
      const result = accept(shape.event)
      send(socket, ['OK', shape.event.id, result.ok, result.message])
      if (result.ok && !result.message.startsWith('duplicate:')) fanOut(shape.event)
      return
    }
    if (type === 'REQ' || type === 'COUNT') {
      const subId = String(rest[0])
      if (options.enforceSubIdLimit !== false && subId.length > (options.maxSubIdLength ?? 256)) {
        send(socket, ['CLOSED', subId, 'invalid: subscription id too long'])
        return
      }
      const filters = rest.slice(1) as Filter[]
      const matches = stored.filter((e) => matchFilters(filters, e))
      if (type === 'COUNT') {
        if (options.count === false) send(socket, ['CLOSED', subId, 'unsupported: COUNT'])
        else send(socket, ['COUNT', subId, { count: matches.length }])
        return
      }
      for (const event of matches) send(socket, ['EVENT', subId, event])
      send(socket, ['EOSE', subId])
      subscriptions.get(socket)?.set(subId, filters)
      return
    }
    if (type === 'CLOSE') {
      subscriptions.get(socket)?.delete(String(rest[0]))
      return
    }
    send(socket, ['NOTICE', `invalid: unknown message type ${String(type)}`])
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  httpUrl = `http://127.0.0.1:${port}`
  return {
    url: `ws://127.0.0.1:${port}`,
    httpUrl,
    received,
    close: async () => {
      for (const socket of sockets) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
