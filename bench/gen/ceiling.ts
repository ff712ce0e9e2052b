/**
 * Generator child for the verification ceiling: the relay's own worker pool
 * (reference-relay/src/verify/pool.ts, same size and backend) verifies the same pre-signed
 * events with no network and no storage, batches kept in flight so no worker idles.
 */

import { readFileSync } from 'node:fs'
import type { NostrEvent } from '../../spec/model/event.ts'
import { WorkerPoolVerifier } from '../../reference-relay/src/verify/pool.ts'
import { generatorMain } from '../lib/child.ts'

export interface CeilingConfig {
  eventsFiles: string[]
  batchSize: number
  /** Batches outstanding at once. */
  inFlight: number
  /** Pool size; omit for the relay's default (the number of cores). */
  size?: number
}

export interface CeilingResult {
  verifier: string
  events: number
  valid: number
  seconds: number
  perSecond: number
}

generatorMain<CeilingConfig, CeilingResult>(async (config) => {
  const events = config.eventsFiles.flatMap((file) => JSON.parse(readFileSync(file, 'utf8')) as NostrEvent[])
  // Configured as the relay configures it (verify/select.ts): ids are checked before, on the event loop.
  const pool = await WorkerPoolVerifier.start({ checkIds: false, ...(config.size === undefined ? {} : { size: config.size }) })
  // Warm the workers up (JIT, the backend's context) on a slice that is not timed.
  await pool.verify(events.slice(0, Math.min(events.length, 2000)))
  return {
    info: { verifier: pool.name },
    run: async () => {
      const batches: NostrEvent[][] = []
      for (let i = 0; i < events.length; i += config.batchSize) batches.push(events.slice(i, i + config.batchSize))
      let valid = 0
      let next = 0
      const started = performance.now()
      const lane = async () => {
        while (next < batches.length) {
          const verdicts = await pool.verify(batches[next++] as NostrEvent[])
          for (const v of verdicts) if (v) valid += 1
        }
      }
      await Promise.all(Array.from({ length: config.inFlight }, lane))
      const seconds = (performance.now() - started) / 1000
      await pool.close()
      return { verifier: pool.name, events: events.length, valid, seconds, perSecond: Math.round(events.length / seconds) }
    },
  }
})
