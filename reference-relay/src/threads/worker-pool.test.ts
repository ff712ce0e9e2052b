import { Worker } from 'node:worker_threads'
import { describe, expect, test } from 'vitest'
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.ts'

type Job = { op: 'echo' | 'fail' | 'crash' | 'hang'; value?: unknown }

const script = new URL('../../test-support/pool-test-worker.js', import.meta.url)

function options(overrides: Partial<WorkerPoolOptions> = {}, logs: string[] = []): WorkerPoolOptions {
  return {
    name: 'test thread',
    size: 2,
    spawn: () => new Worker(script),
    jobTimeoutMs: 0,
    retryOnExit: false,
    terminateHung: true,
    startTimeoutMs: 20_000,
    restartDelayMs: { initial: 10, max: 40 },
    log: (line) => logs.push(line),
    ...overrides,
  }
}

describe('worker pool', () => {
  test('answers jobs, and a job that throws fails alone', async () => {
    const pool = await WorkerPool.start<Job, unknown>(options())
    try {
      expect(pool.info).toEqual({ started: true })
      expect(await Promise.all([1, 2, 3, 4].map((value) => pool.run({ op: 'echo', value })))).toEqual([1, 2, 3, 4])
      await expect(pool.run({ op: 'fail', value: 'x' })).rejects.toThrow('failed: x')
      expect(await pool.run({ op: 'echo', value: 5 })).toBe(5)
      expect(pool.pending).toBe(0)
    } finally {
      await pool.close()
    }
  })

  test('a job over its deadline fails, its worker is replaced, and later jobs are answered', async () => {
    const logs: string[] = []
    const pool = await WorkerPool.start<Job, unknown>(options({ size: 1, jobTimeoutMs: 300 }, logs))
    try {
      await expect(pool.run({ op: 'hang' })).rejects.toThrow('test thread: no answer within 300 ms')
      expect(pool.restarts).toBe(1)
      expect(await pool.run({ op: 'echo', value: 'after' })).toBe('after')
      expect(logs.some((line) => line.includes('overran a job'))).toBe(true)
    } finally {
      await pool.close()
    }
  })

  test('a worker that dies is replaced after a delay that doubles while it keeps dying; its job is sent again once when allowed', async () => {
    const logs: string[] = []
    const pool = await WorkerPool.start<Job, unknown>(options({ size: 1, retryOnExit: true }, logs))
    try {
      // Sent again once, killing the replacement too: then it fails.
      await expect(pool.run({ op: 'crash' })).rejects.toThrow(/exited with code 3/)
      await expect(pool.run({ op: 'crash' })).rejects.toThrow(/exited with code 3/)
      expect(pool.restarts).toBe(4)
      const delays = logs.map((line) => /starting another in (\d+) ms/.exec(line)?.[1]).filter((d) => d !== undefined)
      expect(delays).toEqual(['10', '20', '40', '40'])
      // An answered job resets the backoff.
      expect(await pool.run({ op: 'echo', value: 1 })).toBe(1)
      await expect(pool.run({ op: 'crash' })).rejects.toThrow(/exited/)
      expect(logs.at(-1)).toMatch(/starting another in 20 ms/)
    } finally {
      await pool.close()
    }
  })

  test('without retry, the jobs of a dead worker fail at once', async () => {
    const pool = await WorkerPool.start<Job, unknown>(options({ size: 1, retryOnExit: false }))
    try {
      await expect(pool.run({ op: 'crash' })).rejects.toThrow('test thread 0 exited with code 3')
      expect(await pool.run({ op: 'echo', value: 2 })).toBe(2)
    } finally {
      await pool.close()
    }
  })

  test('launched without waiting, jobs wait for a ready worker; a worker that cannot start is retried', async () => {
    let spawned = 0
    const logs: string[] = []
    const pool = WorkerPool.launch<Job, unknown>(
      options({ size: 1, spawn: () => new Worker(script, { workerData: { refuseToStart: spawned++ < 2 } }) }, logs),
    )
    try {
      expect(await pool.run({ op: 'echo', value: 'eventually' })).toBe('eventually')
      expect(spawned).toBe(3)
      expect(logs.filter((line) => line.includes('exited with code 4'))).toHaveLength(2)
    } finally {
      await pool.close()
    }
  })

  test('a closed pool fails what was pending and refuses new jobs', async () => {
    const pool = await WorkerPool.start<Job, unknown>(options({ size: 1 }))
    const pending = expect(pool.run({ op: 'hang' })).rejects.toThrow('test thread pool closed')
    await pool.close()
    await pending
    await expect(pool.run({ op: 'echo' })).rejects.toThrow('test thread pool is closed')
  })
})
