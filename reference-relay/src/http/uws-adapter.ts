/**
 * Serves the bridge on a uWebSockets.js app without importing it: the structural types
 * below are the few methods used, so websocket.ts (the only file importing uWS) registers
 * the handlers with one call and this file stays testable with plain objects.
 *
 * uWS rules honoured here: copy everything out of `req` before returning; attach
 * `onAborted` before answering later; copy each `onData` chunk (the buffer is neutered on
 * return); write a late answer inside `cork`; never touch `res` once aborted or ended.
 */

import { announcesTooLarge, BodyCollector, MaxBodyBytes, tooLargeReply } from './body.ts'
import type { HttpBridge } from './bridge.ts'
import { type HttpReply, statusLine } from './responses.ts'
import { type BridgeRoute, BridgePaths, routeRequest } from './routes.ts'

export interface UwsResponseLike {
  onAborted(handler: () => void): unknown
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): unknown
  cork(callback: () => void): unknown
  writeStatus(status: string): unknown
  writeHeader(key: string, value: string): unknown
  end(body?: string, closeConnection?: boolean): unknown
}

export interface UwsRequestLike {
  /** Lowercased name; '' when absent. */
  getHeader(lowerCaseKey: string): string
  /** Lowercased method. */
  getMethod(): string
  getUrl(): string
  getQuery(): string | undefined
}

export type UwsHandler = (res: UwsResponseLike, req: UwsRequestLike) => void

export function writeReply(res: UwsResponseLike, reply: HttpReply, closeConnection = false): void {
  res.writeStatus(statusLine(reply.status))
  for (const [name, value] of Object.entries(reply.headers)) res.writeHeader(name, value)
  // A 204 goes out with `Content-Length: 0`: this uWS build's endWithoutBody leaves the
  // response open (and uWS then aborts the process), so the empty body is sent instead.
  res.end(reply.body, closeConnection)
}

/** Whether a request may still have body bytes on the wire that we will not read. */
function carriesBody(contentLength: string, transferEncoding: string): boolean {
  return transferEncoding !== '' || (contentLength !== '' && contentLength.trim() !== '0')
}

export function serveBridgeRequest(res: UwsResponseLike, req: UwsRequestLike, route: BridgeRoute, bridge: HttpBridge, maxBody = MaxBodyBytes): void {
  const method = req.getMethod().toUpperCase()
  const path = req.getUrl()
  const query = req.getQuery() ?? ''
  const host = req.getHeader('host')
  const authorization = req.getHeader('authorization')
  const contentLength = req.getHeader('content-length')
  const transferEncoding = req.getHeader('transfer-encoding')

  const decision = routeRequest(method)
  if (decision.action === 'reply') {
    // An unread body would be parsed as the next request: close instead.
    writeReply(res, decision.reply, carriesBody(contentLength, transferEncoding))
    return
  }
  if (announcesTooLarge(contentLength, maxBody)) {
    writeReply(res, tooLargeReply(maxBody), true)
    return
  }

  let finished = false
  res.onAborted(() => {
    finished = true
  })
  const collector = new BodyCollector(maxBody)
  res.onData((chunk, isLast) => {
    if (finished) return
    if (!collector.push(chunk)) {
      finished = true
      writeReply(res, tooLargeReply(maxBody), true)
      return
    }
    if (!isLast) return
    const request = {
      route,
      method,
      target: { host: host === '' ? undefined : host, path, query },
      authorization: authorization === '' ? undefined : authorization,
      body: collector.body(),
    }
    void bridge.handle(request).then((reply) => {
      if (finished) return
      finished = true
      res.cork(() => writeReply(res, reply))
    })
  })
}

/** The handlers to register with `app.any(pattern, handler)`, one per bridge path. */
export function bridgeHandlers(bridge: HttpBridge, maxBody = MaxBodyBytes): Array<[pattern: string, handler: UwsHandler]> {
  return Object.entries(BridgePaths).map(([pattern, route]) => [pattern, (res, req) => serveBridgeRequest(res, req, route, bridge, maxBody)])
}
