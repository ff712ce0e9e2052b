/**
 * The websocket stage: the only module that touches uWebSockets.js. It owns connections,
 * turns frames into IngesterMsg, writes OutboundMsg back to sockets, and serves the HTTP
 * routes other modules describe with plain data (HttpRoute), so they never see uWS.
 */

import uWS from 'uWebSockets.js'
import type { Limits } from './config.ts'
import type { ConnId, Inbox, IngesterMsg, MonitorMsg, OutboundMsg } from './messages.ts'
import { InputTurns } from './input-turns.ts'
import { type Backlog, newBacklog, OutputQueues } from './output-queue.ts'
import { CorsHeaders } from './nip11.ts'

/**
 * The package silently swaps in a slow pure-JS server when its native binary does not load
 * for this platform and Node ABI. Its native exports are functions with `[native code]`
 * bodies and include `getParts`, which the fallback lacks.
 */
export function assertNativeUws(module: unknown = uWS): void {
  const candidate = module as { App?: unknown; getParts?: unknown }
  const native =
    typeof candidate.App === 'function' &&
    Function.prototype.toString.call(candidate.App).includes('[native code]') &&
    typeof candidate.getParts === 'function'
  if (!native) {
    throw new Error(
      'error: uWebSockets.js did not load its native binary (it fell back to its JavaScript implementation); ' +
        `this build needs Node ABI ${process.versions.modules} on ${process.platform}-${process.arch} ` +
        'with a binary in node_modules/uWebSockets.js/binaries, and UWS_USE_FALLBACK must be unset',
    )
  }
}

export interface HttpRequestInfo {
  method: string
  /** Path without the query string. */
  path: string
  /** Raw query string without `?`. */
  query: string
  /** Lower-case header names. */
  headers: Record<string, string>
  /** The request body (empty for methods without one). */
  body: Buffer
}

export interface HttpReply {
  status: number
  headers?: Record<string, string>
  body?: string
}

export interface HttpRoute {
  method: 'get' | 'post' | 'options' | 'any'
  pattern: string
  handle(request: HttpRequestInfo): HttpReply | Promise<HttpReply>
}

/**
 * A handler that speaks to uWS directly (for example the HTTP bridge, which streams bodies
 * itself). Its module types `res` and `req` structurally and never imports uWS.
 */
export type RawHttpHandler = (res: uWS.HttpResponse, req: uWS.HttpRequest) => void

export interface WebsocketStageOptions {
  host: string
  port: number
  limits: Limits
  /** Largest HTTP body read; larger ones are answered 413 without reading on. */
  maxHttpBody: number
  ingester: Inbox<IngesterMsg>
  monitor: Inbox<MonitorMsg>
  routes: HttpRoute[]
  /** Registered with `any(pattern)` before the routes above and the 404 catch-all. */
  rawRoutes?: Array<[pattern: string, handler: RawHttpHandler]>
  log: (line: string) => void
}

interface SocketData extends Backlog {
  conn: ConnId
}

const StatusText: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
}

export class WebsocketStage implements Inbox<OutboundMsg> {
  readonly port: number
  readonly #app: uWS.TemplatedApp
  readonly #listenSocket: uWS.us_listen_socket
  readonly #sockets: Map<ConnId, uWS.WebSocket<SocketData>>
  readonly #output: OutputQueues<uWS.WebSocket<SocketData>>

  private constructor(
    app: uWS.TemplatedApp,
    listenSocket: uWS.us_listen_socket,
    sockets: Map<ConnId, uWS.WebSocket<SocketData>>,
    output: OutputQueues<uWS.WebSocket<SocketData>>,
  ) {
    this.#output = output
    this.#app = app
    this.#listenSocket = listenSocket
    this.#sockets = sockets
    this.port = uWS.us_socket_local_port(listenSocket)
  }

  static start(options: WebsocketStageOptions): Promise<WebsocketStage> {
    assertNativeUws()
    const { limits, ingester, monitor, log } = options
    const sockets = new Map<ConnId, uWS.WebSocket<SocketData>>()
    const output = new OutputQueues<uWS.WebSocket<SocketData>>({
      limits,
      log,
      backlog: (ws) => ws.getUserData(),
      isOpen: (ws) => sockets.get(ws.getUserData().conn) === ws,
      // A cut reader's subscriptions end at once, not when its close handshake completes.
      onCut: (ws) => monitor.post({ type: 'disconnect', conn: ws.getUserData().conn }),
    })
    // Frames reach the ingester in turns: a connection that floods waits, the others do not.
    const input = new InputTurns<ConnId, WaitingFrame>({ limits, deliver: (frame) => ingester.post(ingesterMsgOf(frame, limits)) })
    let nextConn = 1
    const app = uWS.App()
    app.ws<SocketData>('/*', {
      // Frames between max_message_length and this cap are refused politely by the ingester;
      // beyond it uWS closes the connection (1006 to the peer) without reading the frame.
      maxPayloadLength: limits.hardFrameLength,
      // The relay queues output itself above outputHighWater (output-queue.ts); this is a backstop.
      maxBackpressure: limits.outputHighWater + limits.hardFrameLength * 2,
      closeOnBackpressureLimit: 0,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        // NIP-01: one endpoint, since the path changes nothing here (AP-BASE-29).
        if (req.getUrl() !== '/') {
          const body = JSON.stringify({ error: `invalid: no relay at ${req.getUrl().slice(0, 200)}; connect to /` })
          res.writeStatus('404 Not Found')
          for (const [name, value] of Object.entries(CorsHeaders)) res.writeHeader(name, value)
          res.writeHeader('Content-Type', 'application/json').end(body)
          return
        }
        res.upgrade<SocketData>(
          { conn: nextConn++, ...newBacklog() },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        )
      },
      open: (ws) => {
        const conn = ws.getUserData().conn
        sockets.set(conn, ws)
        ingester.post({ type: 'open', conn })
      },
      message: (ws, message, isBinary) => {
        const conn = ws.getUserData().conn
        // Copied at once (uWS neuters the buffer when this callback returns), as bytes: a frame
        // waiting for its turn stays off the JS heap, so a flooder's backlog is not copied
        // from one young-generation space to the other at every scavenge.
        input.receive(conn, { conn, data: isBinary ? null : Buffer.from(new Uint8Array(message)) }, message.byteLength)
      },
      drain: (ws) => {
        output.drained(ws)
      },
      close: (ws) => {
        const conn = ws.getUserData().conn
        output.closed(ws)
        sockets.delete(conn)
        // What it sent before closing is handled first (in its turns), so the disconnect also
        // ends what those frames opened.
        input.closed(conn, () => {
          monitor.post({ type: 'disconnect', conn })
          ingester.post({ type: 'disconnect', conn })
        })
      },
    })
    for (const [pattern, handler] of options.rawRoutes ?? []) app.any(pattern, handler)
    for (const route of options.routes) {
      app[route.method](route.pattern, (res, req) => serveHttp(res, req, route, options.maxHttpBody, log))
    }
    app.any('/*', (res, req) => {
      // JSON like every bridge error (spec section 16.1); the path is echoed, shortened.
      const body = JSON.stringify({ error: `invalid: unknown path ${req.getUrl().slice(0, 200)}` })
      res.writeStatus('404 Not Found')
      for (const [name, value] of Object.entries(CorsHeaders)) res.writeHeader(name, value)
      res.writeHeader('Content-Type', 'application/json').end(body)
    })
    return new Promise((resolve, reject) => {
      app.listen(options.host, options.port, (listenSocket) => {
        if (listenSocket === false) {
          reject(new Error(`error: could not listen on ${options.host}:${options.port}`))
          return
        }
        resolve(new WebsocketStage(app, listenSocket, sockets, output))
      })
    })
  }

  post(msg: OutboundMsg): void {
    const ws = this.#sockets.get(msg.conn)
    if (ws === undefined) return // closed meanwhile: nothing to answer
    switch (msg.type) {
      case 'send':
        this.#output.post(ws, msg.frames)
        return
      case 'end':
        this.#output.flush()
        ws.end(msg.code, msg.reason)
        return
    }
  }

  /** Stops accepting connections; open ones keep working. */
  stopListening(): void {
    uWS.us_listen_socket_close(this.#listenSocket)
  }

  /** Closes every connection (1001 going away) and the app. */
  closeAll(): void {
    this.#output.flush()
    for (const ws of [...this.#sockets.values()]) ws.end(1001, 'relay shutting down')
    this.#sockets.clear()
    // Not in the package's typings, present in the native build: closes lingering HTTP sockets.
    ;(this.#app as unknown as { close?: () => void }).close?.()
  }
}

function serveHttp(res: uWS.HttpResponse, req: uWS.HttpRequest, route: HttpRoute, maxBody: number, log: (line: string) => void): void {
  // `req` dies when this function returns: copy everything out first.
  const headers: Record<string, string> = {}
  req.forEach((key, value) => {
    headers[key] = value
  })
  const info: Omit<HttpRequestInfo, 'body'> = {
    method: req.getMethod().toUpperCase(),
    path: req.getUrl(),
    query: req.getQuery() ?? '',
    headers,
  }
  let aborted = false
  res.onAborted(() => {
    aborted = true
  })
  const respond = (reply: HttpReply) => {
    if (aborted) return
    res.cork(() => {
      res.writeStatus(`${reply.status} ${StatusText[reply.status] ?? ''}`.trim())
      for (const [key, value] of Object.entries(reply.headers ?? {})) res.writeHeader(key, value)
      res.end(reply.body ?? '')
    })
  }
  const run = (body: Buffer) => {
    Promise.resolve()
      .then(() => route.handle({ ...info, body }))
      .then(respond, (error: unknown) => {
        log(`http: ${info.method} ${info.path}: ${(error as Error).stack ?? String(error)}`)
        respond({ status: 500, body: JSON.stringify({ error: 'error: internal error' }) })
      })
  }
  if (info.method === 'GET' || info.method === 'HEAD' || info.method === 'OPTIONS') {
    run(Buffer.alloc(0))
    return
  }
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  res.onData((chunk, isLast) => {
    if (tooLarge) return
    size += chunk.byteLength
    if (size > maxBody) {
      tooLarge = true
      respond({ status: 413, body: JSON.stringify({ error: `invalid: body larger than ${maxBody} bytes` }) })
      return
    }
    chunks.push(Buffer.from(chunk.slice(0)))
    if (isLast) run(Buffer.concat(chunks))
  })
}

/** A frame waiting in input-turns.ts: its bytes (null for a binary frame), decoded when its turn comes. */
interface WaitingFrame {
  conn: ConnId
  data: Buffer | null
}

function ingesterMsgOf({ conn, data }: WaitingFrame, limits: Limits): IngesterMsg {
  if (data === null) return { type: 'binary', conn }
  const text = data.toString('utf8')
  if (data.byteLength > limits.maxMessageLength) return { type: 'oversized', conn, text, bytes: data.byteLength }
  return { type: 'frame', conn, text }
}
