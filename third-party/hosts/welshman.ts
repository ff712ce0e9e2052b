/**
 * `@welshman/relay` LocalRelay: an in-process relay object (EventEmitter) over an
 * in-memory Repository, meant for a client's own cache. This host bridges a `ws` server to
 * one shared LocalRelay and adds nothing to its rules: frames are parsed and passed on,
 * the relay's OK, EVENT and EOSE emissions are routed back to the socket they belong to.
 */

import type { WebSocket } from 'ws'
import { closeWebSocketServer, runIfMain, wsListeningPort } from '../child.ts'
import { launchRelay } from '../launcher.ts'
import type { HostInfo, HostedRelay, ServingRelay, StartOptions } from '../types.ts'

export const info: HostInfo = {
  name: 'welshman',
  package: '@welshman/relay',
  version: '0.5.3',
  homepage: 'https://github.com/coracle-social/welshman',
  servesHttp: false,
  notes: [
    'LocalRelay over an in-memory Repository, bridged to ws 8 by this host: one shared relay, subscription ids namespaced per connection so fan-out crosses connections.',
    'The relay verifies nothing (no id or signature check) and answers every EVENT with OK true, even when the repository drops it.',
    'Messages other than EVENT, REQ and CLOSE (COUNT, AUTH) get no answer; CLOSE gets no CLOSED. Frames that are not a JSON array get a NOTICE from the host.',
    'No HTTP: plain HTTP on the port gets 426 from ws, so there is no NIP-11 document.',
    'Seen in a probe (not yet the suite): no slug rules; addressable events replaced, but at equal created_at the last arrival wins (no lowest-id rule); a stale write is dropped silently behind OK true.',
    'Seen in a probe: a-deletion hides versions older than the deletion (a write at the same created_at shows); a deletion signed by ANY key is honoured; no clock window.',
    'Malformed EVENT frames make the relay throw in a promise (unhandled rejection, logged by the host child).',
  ],
}

export function start(options?: StartOptions): Promise<HostedRelay> {
  return launchRelay(info, import.meta.url, options)
}

interface Route {
  socket: WebSocket
  subId: string
}

function send(socket: WebSocket, frame: unknown[]): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame))
}

async function serve(): Promise<ServingRelay> {
  const { LocalRelay, Repository } = await import('@welshman/relay')
  const { WebSocketServer } = await import('ws')

  const relay = new LocalRelay(new Repository())
  /** Namespaced subscription id → the socket and the id the client chose. */
  const routes = new Map<string, Route>()
  /** Event id → sockets waiting for its OK, in the order they sent it. */
  const okWaiters = new Map<string, WebSocket[]>()

  relay.on('EVENT', (key: string, event: unknown) => {
    const route = routes.get(key)
    if (route) send(route.socket, ['EVENT', route.subId, event])
  })
  relay.on('EOSE', (key: string) => {
    const route = routes.get(key)
    if (route) send(route.socket, ['EOSE', route.subId])
  })
  relay.on('OK', (id: string, accepted: boolean, message: string) => {
    const waiting = okWaiters.get(id)
    const socket = waiting?.shift()
    if (waiting?.length === 0) okWaiters.delete(id)
    if (socket) send(socket, ['OK', id, accepted, message])
  })

  let nextConnection = 0
  // One endpoint (NIP-01): this host serves the relay on / only, so other paths are refused.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/' })
  wss.on('connection', (socket) => {
    nextConnection += 1
    const connection = nextConnection.toString(36)
    const keyOf = (subId: unknown): string => `${connection}:${String(subId)}`
    const owned = new Set<string>()

    socket.on('message', (data) => {
      let frame: unknown
      try {
        frame = JSON.parse(data.toString())
      } catch {
        send(socket, ['NOTICE', 'invalid: message is not JSON'])
        return
      }
      if (!Array.isArray(frame) || typeof frame[0] !== 'string') {
        send(socket, ['NOTICE', 'invalid: message is not a JSON array starting with a type'])
        return
      }
      const [type, ...rest] = frame as [string, ...unknown[]]
      if (type === 'EVENT') {
        const id = (rest[0] as { id?: unknown } | undefined)?.id
        if (typeof id === 'string') okWaiters.set(id, [...(okWaiters.get(id) ?? []), socket])
        relay.send('EVENT', ...rest)
      } else if (type === 'REQ' || type === 'CLOSE') {
        const [subId, ...filters] = rest
        const key = keyOf(subId)
        if (type === 'REQ') {
          routes.set(key, { socket, subId: String(subId) })
          owned.add(key)
        } else {
          routes.delete(key)
          owned.delete(key)
        }
        relay.send(type, key, ...filters)
      } else {
        relay.send(type, ...rest)
      }
    })
    socket.on('close', () => {
      for (const key of owned) {
        relay.send('CLOSE', key)
        routes.delete(key)
      }
    })
    socket.on('error', () => socket.terminate())
  })
  const port = await wsListeningPort(wss)

  return {
    port,
    close: async () => {
      await closeWebSocketServer(wss)
    },
  }
}

runIfMain(import.meta.url, serve)
