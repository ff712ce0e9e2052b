/**
 * The origin relay's HTTP bridge: POST /events, /query and /count on the relay's own port,
 * each request signed with NIP-98. Deadlines come from AbortSignal.timeout.
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { nowSeconds } from '../../spec/model/clock.ts'
import { buildHttpAuthHeader } from '../../spec/model/http-auth.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { DefaultTimeoutMs, type PublishOutcome, type QueryOutcome, type RelayClient } from './relay-types.ts'

export interface HttpBridgeOptions {
  /** Signs NIP-98 tokens; without it requests go unauthenticated (relays with auth off). */
  secretKey?: Uint8Array
  timeoutMs?: number
}

type HttpAnswer = { ok: true; status: number; body: unknown } | { ok: false; message: string }

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause
    return cause?.code ? `${cause.code} ${error.message}` : error.message
  }
  return String(error)
}

export function openHttpBridge(baseUrl: string, options: HttpBridgeOptions = {}): RelayClient & { count(filters: Filter[]): Promise<{ ok: true; count: number } | { ok: false; message: string }> } {
  const timeoutMs = options.timeoutMs ?? DefaultTimeoutMs
  const base = baseUrl.replace(/\/$/, '')

  async function post(path: string, payload: unknown): Promise<HttpAnswer> {
    const url = `${base}${path}`
    const body = JSON.stringify(payload)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.secretKey) {
      headers.authorization = buildHttpAuthHeader({ secretKey: options.secretKey, url, method: 'POST', body, createdAt: nowSeconds() })
    }
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // a non-JSON body is passed on as text
      }
      return { ok: true, status: response.status, body: parsed }
    } catch (error) {
      return { ok: false, message: formatReason('error', `POST ${url} failed: ${describeError(error)}`) }
    }
  }

  function errorText(body: unknown, status: number): string {
    if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
      return (body as { error: string }).error
    }
    return formatReason('error', `HTTP ${status}${typeof body === 'string' && body !== '' ? `: ${body}` : ''}`)
  }

  return {
    url: base,
    transport: 'http',

    async publish(event: NostrEvent): Promise<PublishOutcome> {
      const answer = await post('/events', event)
      if (!answer.ok) return { status: 'failed', message: answer.message }
      const body = answer.body as { accepted?: unknown; message?: unknown }
      if (answer.status === 200 && typeof body === 'object' && body !== null) {
        const message = typeof body.message === 'string' ? body.message : ''
        return body.accepted === true ? { status: 'accepted', message } : { status: 'refused', message }
      }
      if (answer.status === 400) return { status: 'refused', message: errorText(answer.body, answer.status) }
      // 401, 5xx and anything unexpected: the event was not judged; a retry may succeed.
      return { status: 'failed', message: errorText(answer.body, answer.status) }
    },

    async query(filters: Filter[]): Promise<QueryOutcome> {
      const answer = await post('/query', filters)
      if (!answer.ok) return answer
      if (answer.status !== 200 || !Array.isArray(answer.body)) return { ok: false, message: errorText(answer.body, answer.status) }
      return { ok: true, events: answer.body }
    },

    async count(filters: Filter[]) {
      const answer = await post('/count', filters)
      if (!answer.ok) return answer
      const count = (answer.body as { count?: unknown } | null)?.count
      if (answer.status !== 200 || typeof count !== 'number') return { ok: false as const, message: errorText(answer.body, answer.status) }
      return { ok: true as const, count }
    },

    async close(): Promise<void> {},
  }
}
