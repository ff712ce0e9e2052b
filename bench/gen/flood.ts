/**
 * Generator child for the flood: one connection sends every pre-signed EVENT of its file
 * as fast as the socket takes them, without waiting for any OK, and counts the OKs that come
 * back by kind (stored, duplicate, rate-limited, other refusals). Meanwhile the REQ
 * generator measures what another connection sees (bench/workloads.ts, runFlood).
 */

import { readFileSync } from 'node:fs'
import type { NostrEvent } from '../../spec/model/event.ts'
import { epochMs, generatorMain } from '../lib/child.ts'
import { closeAll, connect, type Frame } from '../lib/ws.ts'

export interface FloodConfig {
  url: string
  eventsFile: string
  /** Stop waiting for OKs this long after the last EVENT went out. */
  drainMs: number
}

export interface FloodResult {
  sent: number
  oks: number
  stored: number
  duplicates: number
  rateLimited: number
  refused: number
  /** Until the last EVENT was handed to the socket. */
  sendSeconds: number
  /** Until the last OK came (or the drain deadline). */
  seconds: number
  startedAt: number
  endedAt: number
  closedByRelay: { code: number; reason: string } | null
}

generatorMain<FloodConfig, FloodResult>(async (config) => {
  const frames = (JSON.parse(readFileSync(config.eventsFile, 'utf8')) as NostrEvent[]).map((event) => JSON.stringify(['EVENT', event]))
  const result: FloodResult = {
    sent: 0,
    oks: 0,
    stored: 0,
    duplicates: 0,
    rateLimited: 0,
    refused: 0,
    sendSeconds: 0,
    seconds: 0,
    startedAt: 0,
    endedAt: 0,
    closedByRelay: null,
  }
  let onOk: () => void = () => {}
  let finished = false
  const ws = await connect(config.url, (frame: Frame) => {
    if (frame[0] !== 'OK') return
    result.oks += 1
    const message = String(frame[3] ?? '')
    if (frame[2] !== true) {
      if (message.startsWith('rate-limited:')) result.rateLimited += 1
      else result.refused += 1
    } else if (message.startsWith('duplicate:')) result.duplicates += 1
    else result.stored += 1
    onOk()
  })
  void ws.closed.then(({ code, reason }) => {
    if (finished) return
    result.closedByRelay = { code, reason }
    onOk()
  })
  return {
    info: { events: frames.length },
    run: () =>
      new Promise<FloodResult>((resolve) => {
        const started = performance.now()
        result.startedAt = epochMs()
        const finish = () => {
          if (finished) return
          finished = true
          result.seconds = (performance.now() - started) / 1000
          result.endedAt = epochMs()
          closeAll([ws])
          resolve(result)
        }
        onOk = () => {
          if (result.oks === frames.length || result.closedByRelay !== null) finish()
        }
        // Everything at once: `ws` queues what the socket does not take yet.
        try {
          for (const frame of frames) {
            ws.send(frame)
            result.sent += 1
          }
        } catch {
          // The relay closed the connection: what was sent is counted.
        }
        result.sendSeconds = (performance.now() - started) / 1000
        setTimeout(finish, config.drainMs).unref()
      }),
  }
})
