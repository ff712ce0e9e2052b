/**
 * Generator child for ingest: pre-signed events over N connections, each keeping a fixed
 * number of EVENTs in flight (a new one goes out when an OK comes back), optionally paced
 * to a rate. Latency is EVENT sent → OK received. The first `warmup` events of each
 * connection go out before `ready` and are not counted.
 */

import { readFileSync } from 'node:fs'
import type { NostrEvent } from '../../spec/model/event.ts'
import { epochMs, generatorMain } from '../lib/child.ts'
import { closeAll, type Connection, connect, type Frame } from '../lib/ws.ts'

export interface IngestConfig {
  url: string
  eventsFile: string
  connections: number
  inFlight: number
  warmup: number
  durationMs: number
  /** Events per second over all connections of this child; omit for as fast as OKs come. */
  ratePerSec?: number
  /** Report when each event was sent (epoch ms), for latency joins with subscribers. */
  recordSendTimes?: boolean
}

export interface IngestResult {
  sent: number
  acked: number
  accepted: number
  /** OK true with a `duplicate:` message (stale or tie-losing replacements, re-sends). */
  duplicates: number
  refused: number
  /** Refusal messages, counted (first 10 distinct). */
  refusals: Record<string, number>
  startedAt: number
  endedAt: number
  latenciesMs: number[]
  sendTimes?: Record<string, number>
  /** CPU seconds this generator process used between startedAt and endedAt. */
  cpuSeconds: number
}

interface Lane {
  ws: Connection
  queue: string[]
  ids: string[]
  next: number
  outstanding: Map<string, number>
  onOk: (id: string, accepted: boolean, message: string) => void
}

generatorMain<IngestConfig, IngestResult>(async (config) => {
  const events = JSON.parse(readFileSync(config.eventsFile, 'utf8')) as NostrEvent[]
  const per = Math.ceil(events.length / config.connections)
  const lanes: Lane[] = []
  for (let c = 0; c < config.connections; c++) {
    const mine = events.slice(c * per, (c + 1) * per)
    const lane: Lane = {
      ws: undefined as unknown as Connection,
      queue: mine.map((e) => JSON.stringify(['EVENT', e])),
      ids: mine.map((e) => e.id),
      next: 0,
      outstanding: new Map(),
      onOk: () => {},
    }
    lane.ws = await connect(config.url, (frame: Frame) => {
      if (frame[0] === 'OK') lane.onOk(String(frame[1]), frame[2] === true, String(frame[3] ?? ''))
    })
    lanes.push(lane)
  }

  // Warm-up: the first events of every lane, in flight the same way, not measured.
  await Promise.all(
    lanes.map(
      (lane) =>
        new Promise<void>((resolve) => {
          const until = Math.min(config.warmup, lane.queue.length)
          if (until === 0) return resolve()
          let acked = 0
          lane.onOk = () => {
            acked += 1
            if (lane.next < until) lane.ws.send(lane.queue[lane.next++] as string)
            if (acked === until) resolve()
          }
          while (lane.next < until && lane.next < config.inFlight) lane.ws.send(lane.queue[lane.next++] as string)
        }),
    ),
  )

  return {
    info: { lanes: lanes.length, events: events.length },
    run: () => measure(config, lanes),
  }
})

function measure(config: IngestConfig, lanes: Lane[]): Promise<IngestResult> {
  const result: IngestResult = {
    sent: 0,
    acked: 0,
    accepted: 0,
    duplicates: 0,
    refused: 0,
    refusals: {},
    startedAt: epochMs(),
    endedAt: 0,
    latenciesMs: [],
    cpuSeconds: 0,
  }
  const cpuAtStart = process.cpuUsage()
  const sendTimes: Record<string, number> | undefined = config.recordSendTimes ? {} : undefined
  if (sendTimes) result.sendTimes = sendTimes
  const t0 = performance.now()
  const stopSendingAt = t0 + config.durationMs
  const interval = config.ratePerSec === undefined ? 0 : 1000 / config.ratePerSec
  let scheduled = 0 // paced sends so far, over all lanes
  let pacer: NodeJS.Timeout | undefined

  return new Promise((resolve) => {
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      if (pacer) clearInterval(pacer)
      result.endedAt = epochMs()
      const cpu = process.cpuUsage(cpuAtStart)
      result.cpuSeconds = (cpu.user + cpu.system) / 1e6
      closeAll(lanes.map((l) => l.ws))
      resolve(result)
    }
    const allDone = () => lanes.every((l) => l.outstanding.size === 0 && (l.next >= l.queue.length || performance.now() >= stopSendingAt))
    const trySend = (lane: Lane) => {
      while (lane.outstanding.size < config.inFlight && lane.next < lane.queue.length) {
        const now = performance.now()
        if (now >= stopSendingAt) break
        if (interval > 0 && now < t0 + scheduled * interval) break
        scheduled += 1
        const i = lane.next++
        lane.outstanding.set(lane.ids[i] as string, now)
        if (sendTimes) sendTimes[lane.ids[i] as string] = epochMs()
        lane.ws.send(lane.queue[i] as string)
        result.sent += 1
      }
    }
    for (const lane of lanes) {
      lane.onOk = (id, accepted, message) => {
        const sentAt = lane.outstanding.get(id)
        if (sentAt === undefined) return
        lane.outstanding.delete(id)
        result.acked += 1
        result.latenciesMs.push(performance.now() - sentAt)
        if (!accepted) {
          result.refused += 1
          const key = message.slice(0, 120)
          if (key in result.refusals || Object.keys(result.refusals).length < 10) result.refusals[key] = (result.refusals[key] ?? 0) + 1
        } else if (message.startsWith('duplicate:')) result.duplicates += 1
        else result.accepted += 1
        trySend(lane)
        if (allDone()) finish()
      }
    }
    for (const lane of lanes) trySend(lane)
    if (interval > 0) pacer = setInterval(() => lanes.forEach(trySend), Math.max(1, Math.min(10, interval)))
    // Stop sending at the deadline; give outstanding OKs 5 s more, then report what came.
    setTimeout(() => {
      if (allDone()) finish()
      setTimeout(finish, 5_000).unref()
    }, config.durationMs).unref()
    if (allDone()) finish()
  })
}
