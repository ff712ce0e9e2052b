/**
 * Generator child for slow subscribers: connections that subscribe to every persona
 * (`limit: 0`, live only) and then stop reading their socket, so the relay's output to
 * them piles up. At the end they read again for a moment and report what the relay did:
 * closed them (with which code), ended their subscription (CLOSED), or kept queueing.
 */

import type WebSocket from 'ws'
import { generatorMain } from '../lib/child.ts'
import { closeAll, connectRaw, type Frame } from '../lib/ws.ts'

export interface SlowConfig {
  url: string
  connections: number
  durationMs: number
  /** How long to read again at the end before counting. */
  readBackMs: number
}

export interface SlowResult {
  connections: number
  closedByRelay: Record<string, number>
  closedFrames: number
  notices: number
  eventsReceived: number
}

generatorMain<SlowConfig, SlowResult>(async (config) => {
  const result: SlowResult = { connections: 0, closedByRelay: {}, closedFrames: 0, notices: 0, eventsReceived: 0 }
  const sockets: WebSocket[] = []
  for (let c = 0; c < config.connections; c++) {
    let eose!: () => void
    const subscribed = new Promise<void>((resolve) => (eose = resolve))
    const ws = await connectRaw(config.url, (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      if (frame[0] === 'EOSE') eose()
      else if (frame[0] === 'EVENT') result.eventsReceived += 1
      else if (frame[0] === 'CLOSED') result.closedFrames += 1
      else if (frame[0] === 'NOTICE') result.notices += 1
    })
    ws.on('close', (code) => {
      result.closedByRelay[code] = (result.closedByRelay[code] ?? 0) + 1
    })
    ws.send(JSON.stringify(['REQ', 'all', { kinds: [30175], limit: 0 }]))
    await subscribed
    // Stop reading: the kernel buffers fill, then the relay's.
    ;(ws as unknown as { _socket: { pause(): void } })._socket.pause()
    sockets.push(ws)
  }
  result.connections = sockets.length
  return {
    run: async () => {
      await new Promise((resolve) => setTimeout(resolve, config.durationMs))
      for (const ws of sockets) (ws as unknown as { _socket: { resume(): void } })._socket.resume()
      await new Promise((resolve) => setTimeout(resolve, config.readBackMs))
      closeAll(sockets)
      return result
    },
  }
})
