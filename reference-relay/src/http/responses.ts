/**
 * What the HTTP bridge answers, as plain data: a status, headers and a JSON body. The
 * websocket stage writes these to uWebSockets.js; everything else stays testable without it.
 */

import { CorsHeaders as Nip11CorsHeaders } from '../nip11.ts'

export interface HttpReply {
  status: number
  headers: Record<string, string>
  body: string
}

const statusLines: Record<number, string> = {
  200: '200 OK',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
}

/** The status line uWebSockets.js wants in `writeStatus`. */
export function statusLine(status: number): string {
  return statusLines[status] ?? String(status)
}

/** The NIP-11 document's CORS headers (spec section 16.1: the bridge carries the same). */
export const CorsHeaders: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(Nip11CorsHeaders).map(([name, value]) => [name.toLowerCase(), value]),
)

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: { ...CorsHeaders, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  }
}

/** A 200 whose body is a JSON array of stored events, built from their stored JSON texts. */
export function eventsReply(events: ReadonlyArray<{ json: string }>): HttpReply {
  return {
    status: 200,
    headers: { ...CorsHeaders, 'content-type': 'application/json' },
    body: `[${events.map((event) => event.json).join(',')}]`,
  }
}

/** Every error body is `{"error": "<prefix>: <text>"}`. */
export function errorReply(status: number, message: string, headers: Record<string, string> = {}): HttpReply {
  return jsonReply(status, { error: message }, headers)
}

/** Answer to a CORS preflight (no authentication needed). */
export function preflightReply(): HttpReply {
  return { status: 204, headers: { ...CorsHeaders, 'access-control-max-age': '86400' }, body: '' }
}
