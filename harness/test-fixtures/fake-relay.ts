/**
 * Fake relays for the harness's own tests (ws WebSocketServer + node:http on port 0,
 * 127.0.0.1). `honest` is a tiny in-memory NIP-01 relay built on spec/model; the others
 * misbehave on purpose: never answer, answer garbage, hang up, accept everything, or lie
 * in their NIP-11 document. Switches add the negative controls (store nothing, drop personas,
 * no EOSE, no live delivery), hang-ups on COUNT or a long subscription id, and NIP-42 AUTH.
 */

import { randomBytes } from 'node:crypto'
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
  | 'null' // OK true for anything, stores nothing, delivers nothing live (a vacuous relay)
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
  /** How an honest relay treats COUNT: answer (default, or CLOSED when `count` is false), stay silent, hang up. */
  onCount?: 'answer' | 'ignore' | 'disconnect'
  /** A REQ with a subscription id over the limit: CLOSED (default), silence, hang-up. */
  onLongSubId?: 'closed' | 'ignore' | 'disconnect'
  /** Never end stored events with EOSE (the events themselves are sent). */
  noEose?: boolean
  /** Never deliver an event live to an open subscription. */
  noLive?: boolean
  /** Acknowledge kind 30175 with OK true and keep none of them. */
  dropPersonas?: boolean
  /** NIP-42: require AUTH before the listed messages are served. */
  auth?: FakeAuthOptions
}

export interface FakeAuthOptions {
  require: ReadonlyArray<'EVENT' | 'REQ' | 'COUNT'>
  /** Send the challenge right on connect (default) or only just before the first refusal. */
  challenge?: 'on-connect' | 'on-demand'
  /** A connection writes only events signed by the key it authenticated (default true). */
  bindKey?: boolean
  /** Only these pubkeys may authenticate (default: any key). */
  allow?: readonly string[]
  /** Authenticate without answering the AUTH with OK (a defect). */
  silentOk?: boolean
}

export interface FakeRelay {
  url: string
  httpUrl: string
  /** Every text frame received, in order. */
  received: string[]
  /** Pubkeys that authenticated (NIP-42), in order, one entry per connection. */
  authenticated: string[]
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
  const authenticated: string[] = []
  const stored: NostrEvent[] = []
  const authState = new Map<WebSocket, { challenge: string; sent: boolean; pubkey?: string; failed?: boolean }>()
  const nip11 = options.nip11 === undefined ? defaultNip11(options) : options.nip11
  const sockets = new Set<WebSocket>()
  const subscriptions = new Map<WebSocket, Map<string, Filter[]>>()
  let httpUrl = ''
  let relayUrl = ''

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
    if (options.auth) {
      const state = { challenge: randomBytes(16).toString('hex'), sent: false }
      authState.set(socket, state)
      if ((options.auth.challenge ?? 'on-connect') === 'on-connect') sendChallenge(socket)
    }
    socket.on('close', () => {
      sockets.delete(socket)
      subscriptions.delete(socket)
      authState.delete(socket)
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

  function sendChallenge(socket: WebSocket): void {
    const state = authState.get(socket)
    if (!state || state.sent) return
    state.sent = true
    send(socket, ['AUTH', state.challenge])
  }

  /** True when `type` may be served on this socket; otherwise the challenge goes out (on demand) and false. */
  function authorised(socket: WebSocket, type: 'EVENT' | 'REQ' | 'COUNT'): boolean {
    const state = authState.get(socket)
    if (!state || !options.auth?.require.includes(type) || state.pubkey !== undefined) return true
    sendChallenge(socket)
    return false
  }

  function answerAuth(socket: WebSocket, value: unknown): void {
    const shape = checkEventShape(value)
    if (!shape.ok) {
      send(socket, ['NOTICE', shape.message])
      return
    }
    const event = shape.event
    const state = authState.get(socket)
    const tag = (name: string) => event.tags.find((t) => t[0] === name)?.[1]
    let refusal: string | undefined
    if (!state || !state.sent) refusal = 'auth-required: no challenge was sent'
    else if (state.pubkey !== undefined || state.failed) refusal = 'auth-required: already tried on this connection'
    else if (event.kind !== 22242 || !verifyEventSignature(event)) refusal = 'auth-required: not a signed kind 22242 event'
    else if (tag('challenge') !== state.challenge) refusal = 'auth-required: wrong challenge'
    else if (tag('relay')?.replace(/\/+$/, '') !== relayUrl) refusal = `auth-required: relay tag must be ${relayUrl}`
    else if (Math.abs(event.created_at - Math.floor(Date.now() / 1000)) > 600) refusal = 'auth-required: created_at too far from now'
    else if (options.auth?.allow && !options.auth.allow.includes(event.pubkey)) refusal = 'restricted: this key may not use the relay'
    if (refusal !== undefined) {
      if (state) state.failed = true
      send(socket, ['OK', event.id, false, refusal])
      return
    }
    ;(state as { pubkey?: string }).pubkey = event.pubkey
    authenticated.push(event.pubkey)
    if (!options.auth?.silentOk) send(socket, ['OK', event.id, true, ''])
  }

  function accept(event: NostrEvent): { ok: boolean; message: string } {
    if (options.behaviour === 'null') return { ok: true, message: '' }
    if (stored.some((e) => e.id === event.id)) return { ok: true, message: 'duplicate: already have this event' }
    if (options.dropPersonas && event.kind === 30175) return { ok: true, message: '' }
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
    if (options.noLive || options.behaviour === 'null' || (options.dropPersonas && event.kind === 30175)) return
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
      if (!authorised(socket, 'EVENT')) {
        send(socket, ['OK', shape.event.id, false, 'auth-required: authenticate first'])
        return
      }
      const bound = authState.get(socket)?.pubkey
      if (bound !== undefined && options.auth?.bindKey !== false && shape.event.pubkey !== bound) {
        send(socket, ['OK', shape.event.id, false, 'restricted: event pubkey is not the authenticated key'])
        return
      }
      const result = accept(shape.event)
      send(socket, ['OK', shape.event.id, result.ok, result.message])
      if (result.ok && !result.message.startsWith('duplicate:')) fanOut(shape.event)
      return
    }
    if (type === 'AUTH') {
      answerAuth(socket, rest[0])
      return
    }
    if (type === 'REQ' || type === 'COUNT') {
      const subId = String(rest[0])
      if (type === 'COUNT' && options.onCount === 'ignore') return
      if (type === 'COUNT' && options.onCount === 'disconnect') {
        socket.terminate()
        return
      }
      if (!authorised(socket, type)) {
        send(socket, ['CLOSED', subId, 'auth-required: authenticate first'])
        return
      }
      if (options.enforceSubIdLimit !== false && subId.length > (options.maxSubIdLength ?? 256)) {
        if (options.onLongSubId === 'ignore') return
        if (options.onLongSubId === 'disconnect') {
          socket.terminate()
          return
        }
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
      if (!options.noEose) send(socket, ['EOSE', subId])
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
  relayUrl = `ws://127.0.0.1:${port}`
  return {
    url: relayUrl,
    httpUrl,
    received,
    authenticated,
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
