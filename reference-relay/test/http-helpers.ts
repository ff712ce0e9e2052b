/** Test helpers for the HTTP bridge: NIP-98 signed requests over real HTTP on 127.0.0.1. */

import http from 'node:http'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import type { Key } from './helpers.ts'

export interface HttpResult {
  status: number
  headers: Record<string, string>
  text: string
  json: unknown
}

export interface PostOptions {
  /** Signing key; null sends no Authorization header. */
  key?: Key | null
  /** Overrides of the signed event. */
  authUrl?: string
  authMethod?: string
  authCreatedAt?: number
  /** false: no payload tag; a string: this body is hashed instead of the real one. */
  payload?: boolean | string
  /** A literal Authorization header (wins over key). */
  authorization?: string
  method?: string
  headers?: Record<string, string>
}

let spread = 0
/**
 * Identical auth events (same second, URL, method and body) share an id, which the relay
 * rightly refuses as a replay; each request signs at its own second inside the window.
 */
function authSecond(): number {
  spread = (spread + 1) % 40
  return Math.floor(Date.now() / 1000) - spread
}

export function authHeader(key: Key, url: string, method: string, body: string | undefined, options: PostOptions = {}): string {
  const payload = options.payload ?? true
  return buildHttpAuthHeader({
    secretKey: key.sk,
    url: options.authUrl ?? url,
    method: options.authMethod ?? method,
    ...(payload === false ? {} : { body: typeof payload === 'string' ? payload : (body ?? '') }),
    createdAt: options.authCreatedAt ?? authSecond(),
  })
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request with fetch; the body is sent as given (objects as JSON). */
export async function request(base: string, path: string, body?: unknown, options: PostOptions = {}): Promise<HttpResult> {
  const url = `${base}${path}`
  const method = options.method ?? 'POST'
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (options.authorization !== undefined) headers.authorization = options.authorization
  else if (options.key) headers.authorization = authHeader(options.key, url, method, text, options)
  const response = await fetch(url, { method, headers, ...(text === undefined ? {} : { body: text }) })
  const replyText = await response.text()
  const replyHeaders: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    replyHeaders[name] = value
  })
  return { status: response.status, headers: replyHeaders, text: replyText, json: parse(replyText) }
}

/** A raw request with node:http, for what fetch will not send (a foreign Host, chunked bodies). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: Array<string | Buffer> },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (chunk: Buffer) => parts.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8')
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name] = value
        resolve({ status: res.statusCode ?? 0, headers, text, json: parse(text) })
      })
    })
    req.on('error', reject)
    for (const chunk of options.chunks ?? []) req.write(chunk)
    req.end()
  })
}

/**
 * A request whose body the relay answers before reading it all (405, 413): the relay may
 * close the socket while the client still writes, and fetch then fails with EPIPE or a reset
 * instead of returning the answer already sent. Such transport failures are retried (the
 * status is decided by the request alone); any answer is returned as it is.
 */
export async function requestAnsweredEarly(base: string, path: string, body: string, options: PostOptions = {}, attempts = 4): Promise<HttpResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(base, path, body, options)
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause
      const transport = cause?.code === 'EPIPE' || cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET'
      if (!transport || attempt >= attempts) throw error
    }
  }
}
