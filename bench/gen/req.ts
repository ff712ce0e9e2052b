/**
 * Generator child for REQ by address: `{"kinds":[30175],"authors":[pk],"#d":[slug]}` at a
 * fixed aggregate rate (open loop: request n is due at t0 + n/rate whatever happened to
 * earlier ones), spread over several connections, each REQ closed after its EOSE. Latency
 * runs from the moment a request was due to its EOSE, so a relay that falls behind is
 * charged for the queueing too (no coordinated omission).
 */

import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { epochMs, generatorMain } from '../lib/child.ts'
import { closeAll, type Connection, connect, type Frame } from '../lib/ws.ts'

export interface ReqConfig {
  url: string
  /** JSON array of [pubkey, slug] addresses that are stored. */
  addressesFile: string
  connections: number
  ratePerSec: number
  durationMs: number
  warmup: number
  /** Seed for the choice of addresses. */
  seed: number
}

export interface ReqResult {
  due: number
  answered: number
  /** REQs whose answer held no event although the address is stored. */
  empty: number
  startedAt: number
  endedAt: number
  latenciesMs: number[]
  /** When each answered REQ was due (epoch ms), in the order of `latenciesMs`. */
  dueAtEpochMs: number[]
  /**
   * This generator's own event-loop delay while it ran (ms): how late it could have been in
   * sending a due REQ or reading an EOSE, which its latencies include. On a machine the
   * relay and other generators share, this tells the probe's lateness from the relay's.
   */
  probeDelayMs: { p50: number; p99: number; max: number }
}

interface Pending {
  dueAt: number
  events: number
}

generatorMain<ReqConfig, ReqResult>(async (config) => {
  const addresses = JSON.parse(readFileSync(config.addressesFile, 'utf8')) as Array<[string, string]>
  let rng = config.seed % 2147483648
  const pick = () => {
    rng = (rng * 1103515245 + 12345) % 2147483648
    return addresses[rng % addresses.length] as [string, string]
  }
  const pending = new Map<string, Pending>()
  let onAnswer: (subId: string, p: Pending) => void = () => {}
  const sockets: Connection[] = []
  for (let c = 0; c < config.connections; c++) {
    let ws: Connection | undefined
    ws = await connect(config.url, (frame: Frame) => {
      const subId = String(frame[1])
      const p = pending.get(subId)
      if (p === undefined) return
      if (frame[0] === 'EVENT') p.events += 1
      else if (frame[0] === 'EOSE' || frame[0] === 'CLOSED') {
        pending.delete(subId)
        if (frame[0] === 'EOSE') ws?.send(JSON.stringify(['CLOSE', subId]))
        onAnswer(subId, p)
      }
    })
    sockets.push(ws)
  }
  let counter = 0
  const request = (dueAt: number) => {
    const [pubkey, slug] = pick()
    const subId = `a${counter}`
    const ws = sockets[counter % sockets.length] as Connection
    counter += 1
    pending.set(subId, { dueAt, events: 0 })
    ws.send(JSON.stringify(['REQ', subId, { kinds: [30175], authors: [pubkey], '#d': [slug] }]))
  }

  // Warm-up, closed loop, not measured.
  await new Promise<void>((resolve) => {
    let answered = 0
    onAnswer = () => {
      answered += 1
      if (answered === config.warmup) resolve()
      else if (counter < config.warmup) request(performance.now())
    }
    for (let i = 0; i < Math.min(8, config.warmup); i++) request(performance.now())
    if (config.warmup === 0) resolve()
  })

  return {
    run: () =>
      new Promise<ReqResult>((resolve) => {
        const delay = monitorEventLoopDelay({ resolution: 1 })
        delay.enable()
        const result: ReqResult = {
          due: 0,
          answered: 0,
          empty: 0,
          startedAt: epochMs(),
          endedAt: 0,
          latenciesMs: [],
          dueAtEpochMs: [],
          probeDelayMs: { p50: 0, p99: 0, max: 0 },
        }
        const t0 = performance.now()
        const interval = 1000 / config.ratePerSec
        const total = Math.floor((config.durationMs / 1000) * config.ratePerSec)
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          clearInterval(timer)
          result.endedAt = epochMs()
          delay.disable()
          const ms = (ns: number) => Math.round(ns / 1e4) / 100
          result.probeDelayMs = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }
          closeAll(sockets)
          resolve(result)
        }
        onAnswer = (_subId, p) => {
          result.answered += 1
          if (p.events === 0) result.empty += 1
          result.latenciesMs.push(performance.now() - p.dueAt)
          result.dueAtEpochMs.push(performance.timeOrigin + p.dueAt)
          if (result.due === total && pending.size === 0) finish()
        }
        const timer = setInterval(() => {
          const now = performance.now()
          while (result.due < total && t0 + result.due * interval <= now) {
            request(t0 + result.due * interval)
            result.due += 1
          }
        }, 1)
        setTimeout(finish, config.durationMs + 5_000).unref()
      }),
  }
})
