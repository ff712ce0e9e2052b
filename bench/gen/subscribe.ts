/**
 * Generator child for fan-out: many subscriber connections, each with one subscription
 * that matches the publisher's new heads and several decoys that never match (other
 * authors, kinds, tags), all with `limit: 0` so only live events flow. Counts deliveries;
 * the first connection of the child records arrival times for the latency join.
 */

import type WebSocket from 'ws'
import { epochMs, generatorMain } from '../lib/child.ts'
import { closeAll, connectRaw, type Frame } from '../lib/ws.ts'

const EventPrefix = Buffer.from('["EVENT","live",')

/** The event id in a compact EVENT frame (a quote inside a JSON string is always escaped). */
function idInFrame(text: string): string | undefined {
  const at = text.indexOf('"id":"')
  return at < 0 ? undefined : text.slice(at + 6, at + 70)
}

export interface SubscribeConfig {
  url: string
  connections: number
  /** Authors whose kind-30175 events every matching subscription wants. */
  authors: string[]
  /** Non-matching subscriptions per connection. */
  decoys: number
  /** Matching events each connection should receive; the child ends when all have. */
  expected: number
  durationMs: number
  label: string
}

export interface SubscribeResult {
  deliveries: number
  /** Frames for decoy subscriptions (must be 0). */
  misdelivered: number
  complete: number
  lastAt: number
  /** Arrival time (epoch ms) of each event id at this child's first connection. */
  sample: Record<string, number>
  /** Close codes of connections the relay closed during the run. */
  closedByRelay: Record<string, number>
}

const fakeHex = (label: string, n: number) => `${label}${n}`.replace(/[^0-9a-f]/g, 'a').padEnd(64, 'b').slice(0, 64)

generatorMain<SubscribeConfig, SubscribeResult>(async (config) => {
  const result: SubscribeResult = { deliveries: 0, misdelivered: 0, complete: 0, lastAt: 0, sample: {}, closedByRelay: {} }
  const counts: number[] = []
  let onDone: () => void = () => {}
  const sockets: WebSocket[] = []
  let running = false
  for (let c = 0; c < config.connections; c++) {
    counts.push(0)
    const eose = new Set<string>()
    let ready!: () => void
    const allEose = new Promise<void>((resolve) => (ready = resolve))
    const subs = 1 + config.decoys
    // Live frames are only recognized, not parsed: at 100,000 frames/s parsing would make
    // the generator, not the relay, the bottleneck.
    const ws = await connectRaw(config.url, (data: Buffer) => {
      let parsed: Frame | undefined
      if (!data.subarray(0, EventPrefix.length).equals(EventPrefix)) {
        const frame = (parsed = JSON.parse(data.toString()) as Frame)
        if (frame[0] === 'EOSE') {
          eose.add(String(frame[1]))
          if (eose.size === subs) ready()
          return
        } else if (frame[0] !== 'EVENT') return
        // An EVENT in another encoding than the fast path expects (another relay's spacing).
        if (frame[1] !== 'live') {
          result.misdelivered += 1
          return
        }
      }
      const at = epochMs()
      result.deliveries += 1
      result.lastAt = at
      if (c === 0) {
        const id = parsed === undefined ? idInFrame(data.toString()) : (parsed[2] as { id?: string }).id
        if (id !== undefined) result.sample[id] = at
      }
      counts[c] = (counts[c] as number) + 1
      if (counts[c] === config.expected) {
        result.complete += 1
        if (result.complete === config.connections) onDone()
      }
    })
    ws.on('close', (code) => {
      if (running) result.closedByRelay[code] = (result.closedByRelay[code] ?? 0) + 1
    })
    ws.send(JSON.stringify(['REQ', 'live', { kinds: [30175], authors: config.authors, limit: 0 }]))
    for (let d = 0; d < config.decoys; d++) {
      const decoy =
        d % 3 === 0
          ? { kinds: [30175], authors: [fakeHex(`${config.label}c${c}d`, d)], limit: 0 }
          : d % 3 === 1
            ? { kinds: [1], '#p': [fakeHex(`${config.label}p${c}`, d)], limit: 0 }
            : { '#e': [fakeHex(`${config.label}e${c}`, d)], limit: 0 }
      ws.send(JSON.stringify(['REQ', `decoy${d}`, decoy]))
    }
    await allEose
    sockets.push(ws)
  }
  return {
    info: { connections: sockets.length, subscriptions: sockets.length * (1 + config.decoys) },
    run: () =>
      new Promise<SubscribeResult>((resolve) => {
        running = true
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          running = false
          closeAll(sockets)
          resolve(result)
        }
        onDone = finish
        setTimeout(finish, config.durationMs).unref()
      }),
  }
})
