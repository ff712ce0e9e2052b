/**
 * Bounded HTTP client for the target's HTTP side (NIP-11 and the origin HTTP bridge).
 * Every exchange is logged to the transcript; POSTs are NIP-98 signed unless told not to.
 */

import { HarnessError } from './errors.ts'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import type { Transcript } from './transcript.ts'

export interface HttpReply {
  status: number
  headers: Record<string, string>
  text: string
  /** Parsed body when it is JSON, else undefined. */
  json: unknown
}

export interface HttpRequestOptions {
  /** Sign with NIP-98 using this key; `false` sends no Authorization header. */
  auth?: Uint8Array | false
  /** Override the signed URL (to test `u` mismatches); default the request URL. */
  authUrl?: string
  authCreatedAt?: number
  headers?: Record<string, string>
  timeoutMs?: number
}

export interface HttpClientOptions {
  baseUrl: string
  transcript: Transcript
  timeoutMs: number
  /** Key used when a request does not name one. */
  defaultKey: Uint8Array
}

export class HttpClient {
  constructor(private readonly options: HttpClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl
  }

  /** POST a JSON body (already-serialized text is sent as is). */
  post(path: string, body: unknown, options: HttpRequestOptions = {}): Promise<HttpReply> {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    return this.request('POST', path, text, { ...options, headers: { 'content-type': 'application/json', ...options.headers } })
  }

  get(path: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
    return this.request('GET', path, undefined, { auth: false, ...options })
  }

  async request(method: string, path: string, body: string | undefined, options: HttpRequestOptions = {}): Promise<HttpReply> {
    const url = new URL(path, this.options.baseUrl).toString()
    const headers: Record<string, string> = { ...options.headers }
    const key = options.auth === undefined ? this.options.defaultKey : options.auth
    if (key !== false) {
      headers.authorization = buildHttpAuthHeader({
        secretKey: key,
        url: options.authUrl ?? url,
        method,
        ...(body !== undefined ? { body } : {}),
        ...(options.authCreatedAt !== undefined ? { createdAt: options.authCreatedAt } : {}),
      })
    }
    return exchange(this.options.transcript, method, url, headers, body, options.timeoutMs ?? this.options.timeoutMs)
  }
}

/** One logged, bounded HTTP exchange. */
export async function exchange(
  transcript: Transcript,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<HttpReply> {
  const shownHeaders = Object.entries(headers)
    .map(([k, v]) => `${k}: ${k === 'authorization' ? `${v.slice(0, 24)}…` : v}`)
    .join('; ')
  transcript.record('http', 'http', `> ${method} ${url}${shownHeaders ? ` [${shownHeaders}]` : ''}${body ? `\n${body}` : ''}`)
  let response: Response
  let text: string
  try {
    response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    text = await response.text()
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(error)
    transcript.record('http', 'http', `< failed: ${reason}`)
    const kind = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'http'
    throw new HarnessError(kind, `${method} ${url}: ${reason}`)
  }
  const replyHeaders: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    replyHeaders[name] = value
  })
  transcript.record('http', 'http', `< ${response.status} [content-type: ${replyHeaders['content-type'] ?? '-'}]\n${text}`)
  let json: unknown
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: response.status, headers: replyHeaders, text, json }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as Error & { cause?: unknown }).cause
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
}
