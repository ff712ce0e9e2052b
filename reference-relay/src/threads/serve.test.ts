import { describe, expect, test } from 'vitest'
import type { SettledJob, SettledResult } from '../../test-support/settled-test-worker.ts'
import { bundleOf, startBundledWorker } from './bundle.ts'
import { WorkerPool } from './worker-pool.ts'

async function settledPool(failSettle = 0) {
  const counters = new SharedArrayBuffer(8)
  const bundle = await bundleOf(new URL('../../test-support/settled-test-worker.ts', import.meta.url))
  const pool = await WorkerPool.start<SettledJob, SettledResult>({
    name: 'settled test thread',
    size: 1,
    spawn: () => startBundledWorker(bundle, { counters, failSettle }),
    jobTimeoutMs: 0,
    retryOnExit: false,
    terminateHung: false,
    startTimeoutMs: 60_000,
    log: () => {},
  })
  return { pool, counts: new Int32Array(counters) }
}

describe('serveSettledJobs', () => {
  test('every answer follows a settle begun after its job was handled; one settle covers the jobs handled while another ran; answers keep their order', async () => {
    const { pool, counts } = await settledPool()
    try {
      const answered: number[] = []
      const runs = Array.from({ length: 30 }, (_, value) =>
        pool.run({ value }).then((result) => {
          // Settles run one after another, so settle number begunAtHandle + 1 began after the job.
          expect(Atomics.load(counts, 1)).toBeGreaterThanOrEqual(result.begunAtHandle + 1)
          answered.push(result.value)
        }),
      )
      await Promise.all(runs)
      expect(answered).toEqual(Array.from({ length: 30 }, (_, value) => value))
      // Jobs sent together share settles: far fewer settles than jobs.
      expect(Atomics.load(counts, 0)).toBeLessThan(30)
      expect(Atomics.load(counts, 0)).toBeGreaterThanOrEqual(1)
    } finally {
      await pool.close()
    }
  })

  test('a job that throws fails alone, in order; a failed settle fails the jobs it was to cover', async () => {
    const { pool } = await settledPool(1)
    try {
      const first = pool.run({ value: 1 })
      await expect(first).rejects.toThrow('settle 1 failed')
      const outcomes = await Promise.allSettled([pool.run({ value: 2 }), pool.run({ value: 3, fail: true }), pool.run({ value: 4 })])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((outcomes[1] as PromiseRejectedResult).reason.message).toContain('failed: 3')
    } finally {
      await pool.close()
    }
  })
})
