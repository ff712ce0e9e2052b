/**
 * A bounded NIP-01 connection over WebSocket. Every wait (connect, OK, EOSE, close) has a
 * deadline, so a silent relay turns into a `failed` outcome instead of a hung command.
 */

import WebSocket from 'ws'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { formatReason } from '../../spec/model/reasons.ts'
import { DefaultTimeoutMs, type PublishOutcome, type QueryOutcome, type RelayClient } from './relay-types.ts'

export type ConnectResult = { ok: true; relay: RelayClient } | { ok: false; message: string }

interface PendingOk {
  resolve: (outcome: PublishOutcome) => void
  timer: NodeJS.Timeout
}

interface PendingQuery {
  events: unknown[]
  resolve: (outcome: QueryOutcome) => void
  timer: NodeJS.Timeout
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code ? `${code} ${error.message}` : error.message
  }
  return String(error)
}

export function connectRelayWs(url: string, options: { timeoutMs?: number } = {}): Promise<ConnectResult> {
  const timeoutMs = options.timeoutMs ?? DefaultTimeoutMs
  return new Promise((resolve) => {
    let socket: WebSocket
    try {
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: 16 * 1024 * 1024 })
    } catch (error) {
      resolve({ ok: false, message: formatReason('error', `cannot connect to ${url}: ${describeError(error)}`) })
      return
    }
    const timer = setTimeout(() => {
      socket.terminate()
      resolve({ ok: false, message: formatReason('error', `cannot connect to ${url}: no answer within ${timeoutMs} ms`) })
    }, timeoutMs)
    socket.once('open', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve({ ok: true, relay: wrapSocket(url, socket, timeoutMs) })
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.terminate()
      resolve({ ok: false, message: formatReason('error', `cannot connect to ${url}: ${describeError(error)}`) })
    })
  })
}

function wrapSocket(url: string, socket: WebSocket, timeoutMs: number): RelayClient {
  const oks = new Map<string, PendingOk>()
  const queries = new Map<string, PendingQuery>()
  let closedReason: string | null = null
  let nextSub = 0

  function failEverything(reason: string): void {
    closedReason = reason
    for (const [id, pending] of oks) {
      clearTimeout(pending.timer)
      pending.resolve({ status: 'failed', message: reason })
      oks.delete(id)
    }
    for (const [sub, pending] of queries) {
      clearTimeout(pending.timer)
      pending.resolve({ ok: false, message: reason })
      queries.delete(sub)
    }
  }

  socket.on('error', (error) => failEverything(formatReason('error', `connection to ${url} failed: ${describeError(error)}`)))
  socket.on('close', () => failEverything(formatReason('error', `connection to ${url} closed`)))
  socket.on('message', (data) => {
    let frame: unknown
    try {
      frame = JSON.parse(data.toString())
    } catch {
      return
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'string') return
    const [type, first, second, third] = frame as [string, unknown, unknown, unknown]
    if (type === 'OK' && typeof first === 'string') {
      const pending = oks.get(first)
      if (pending === undefined) return
      oks.delete(first)
      clearTimeout(pending.timer)
      const message = typeof third === 'string' ? third : ''
      pending.resolve(second === true ? { status: 'accepted', message } : { status: 'refused', message })
    } else if (type === 'EVENT' && typeof first === 'string') {
      queries.get(first)?.events.push(second)
    } else if (type === 'EOSE' && typeof first === 'string') {
      const pending = queries.get(first)
      if (pending === undefined) return
      queries.delete(first)
      clearTimeout(pending.timer)
      send(['CLOSE', first])
      pending.resolve({ ok: true, events: pending.events })
    } else if (type === 'CLOSED' && typeof first === 'string') {
      const pending = queries.get(first)
      if (pending === undefined) return
      queries.delete(first)
      clearTimeout(pending.timer)
      pending.resolve({ ok: false, message: typeof second === 'string' && second !== '' ? second : formatReason('error', 'subscription closed') })
    }
  })

  function send(frame: unknown[]): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify(frame))
    return true
  }

  return {
    url,
    transport: 'ws',

    publish(event: NostrEvent): Promise<PublishOutcome> {
      if (closedReason !== null) return Promise.resolve({ status: 'failed', message: closedReason })
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          oks.delete(event.id)
          resolve({ status: 'failed', message: formatReason('error', `no OK for ${event.id} within ${timeoutMs} ms`) })
        }, timeoutMs)
        oks.set(event.id, { resolve, timer })
        if (!send(['EVENT', event])) {
          clearTimeout(timer)
          oks.delete(event.id)
          resolve({ status: 'failed', message: formatReason('error', `connection to ${url} is not open`) })
        }
      })
    },

    query(filters: Filter[]): Promise<QueryOutcome> {
      if (closedReason !== null) return Promise.resolve({ ok: false, message: closedReason })
      return new Promise((resolve) => {
        nextSub += 1
        const sub = `persona-${nextSub}`
        const timer = setTimeout(() => {
          queries.delete(sub)
          send(['CLOSE', sub])
          resolve({ ok: false, message: formatReason('error', `no EOSE for ${sub} within ${timeoutMs} ms`) })
        }, timeoutMs)
        queries.set(sub, { events: [], resolve, timer })
        if (!send(['REQ', sub, ...filters])) {
          clearTimeout(timer)
          queries.delete(sub)
          resolve({ ok: false, message: formatReason('error', `connection to ${url} is not open`) })
        }
      })
    },

    close(): Promise<void> {
      failEverything(formatReason('error', 'connection closed by the client'))
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve()
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate()
          resolve()
        }, 1000)
        socket.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        socket.close()
      })
    },
  }
}
