/**
 * A bounded NIP-01 connection over WebSocket. Every wait (connect, OK, EOSE, AUTH, close)
 * has a deadline, so a silent relay turns into a `failed` outcome instead of a hung
 * command, and a query keeps at most MaxEventsPerQuery events. With the owner's key it
 * answers a NIP-42 challenge when the relay refuses something with `auth-required:`, then
 * sends the refused message once more (relay-auth.ts holds that part).
 */

import WebSocket from 'ws'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { formatReason, reasonPrefixOf } from '../../spec/model/reasons.ts'
import { createRelayAuth, type RelayAuth } from './relay-auth.ts'
import { DefaultTimeoutMs, type PublishOutcome, type QueryOutcome, type RelayClient } from './relay-types.ts'

export type ConnectResult = { ok: true; relay: RelayClient } | { ok: false; message: string }

/** A relay that sends more stored events than this for one query is cut off (the answer fails). */
export const MaxEventsPerQuery = 10_000

export interface ConnectOptions {
  timeoutMs?: number
  /** The owner's key: used only to answer NIP-42 challenges. */
  secretKey?: Uint8Array
}

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

export function connectRelayWs(url: string, options: ConnectOptions = {}): Promise<ConnectResult> {
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
      // wrapSocket listens before this handler returns, so no frame (the AUTH challenge) is missed.
      resolve({ ok: true, relay: wrapSocket(url, socket, timeoutMs, createRelayAuth(url, options.secretKey)) })
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.terminate()
      resolve({ ok: false, message: formatReason('error', `cannot connect to ${url}: ${describeError(error)}`) })
    })
  })
}

function wrapSocket(url: string, socket: WebSocket, timeoutMs: number, auth: RelayAuth): RelayClient {
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

  function finishQuery(sub: string, outcome: QueryOutcome): void {
    const pending = queries.get(sub)
    if (pending === undefined) return
    queries.delete(sub)
    clearTimeout(pending.timer)
    pending.resolve(outcome)
  }

  socket.on('error', (error) => failEverything(formatReason('error', `connection to ${url} failed: ${describeError(error)}`)))
  socket.on('close', () => failEverything(formatReason('error', `connection to ${url} closed`)))
  socket.on('message', (data) => {
    const frame = auth.observe(data)
    if (frame === null) return
    const [type, first, second, third] = frame
    if (type === 'OK' && typeof first === 'string') {
      const pending = oks.get(first)
      if (pending === undefined) return
      oks.delete(first)
      clearTimeout(pending.timer)
      const message = typeof third === 'string' ? third : ''
      pending.resolve(second === true ? { status: 'accepted', message } : { status: 'refused', message })
    } else if (type === 'EVENT' && typeof first === 'string') {
      const pending = queries.get(first)
      if (pending === undefined) return
      pending.events.push(second)
      if (pending.events.length > MaxEventsPerQuery) {
        send(['CLOSE', first])
        finishQuery(first, { ok: false, message: formatReason('error', `the relay sent more than ${MaxEventsPerQuery} events for one query`) })
      }
    } else if (type === 'EOSE' && typeof first === 'string') {
      const pending = queries.get(first)
      if (pending === undefined) return
      send(['CLOSE', first])
      finishQuery(first, { ok: true, events: pending.events })
    } else if (type === 'CLOSED' && typeof first === 'string') {
      finishQuery(first, { ok: false, message: typeof second === 'string' && second !== '' ? second : formatReason('error', 'subscription closed') })
    }
  })

  function send(frame: unknown[]): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify(frame))
    return true
  }

  /** Waits for the OK of one id (an EVENT's or an AUTH's). */
  function awaitOk(id: string, frame: unknown[]): Promise<PublishOutcome> {
    if (closedReason !== null) return Promise.resolve({ status: 'failed', message: closedReason })
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        oks.delete(id)
        resolve({ status: 'failed', message: formatReason('error', `no OK for ${id} within ${timeoutMs} ms`) })
      }, timeoutMs)
      oks.set(id, { resolve, timer })
      if (!send(frame)) {
        clearTimeout(timer)
        oks.delete(id)
        resolve({ status: 'failed', message: formatReason('error', `connection to ${url} is not open`) })
      }
    })
  }

  function queryOnce(filters: Filter[]): Promise<QueryOutcome> {
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
  }

  const authenticate = () => auth.authenticate((id, frame) => awaitOk(id, frame))

  return {
    url,
    transport: 'ws',

    async publish(event: NostrEvent): Promise<PublishOutcome> {
      const first = await awaitOk(event.id, ['EVENT', event])
      if (first.status !== 'refused' || reasonPrefixOf(first.message) !== 'auth-required' || !(await authenticate())) return first
      return awaitOk(event.id, ['EVENT', event])
    },

    async query(filters: Filter[]): Promise<QueryOutcome> {
      const first = await queryOnce(filters)
      if (first.ok || reasonPrefixOf(first.message) !== 'auth-required' || !(await authenticate())) return first
      return queryOnce(filters)
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
