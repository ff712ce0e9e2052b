import { describe, expect, it } from 'vitest'
import { type BenchReport, computeRatios, judgeGoals } from './report.ts'
import type { LatencySummary } from './lib/stats.ts'
import { FullSizes, type WorkloadResult } from './workloads.ts'

const latency = (p99: number): LatencySummary => ({ count: 1000, p50: 1, p90: 2, p99, max: p99, mean: 1 })

/** A REQ workload with its p99, and (when the monitor ran) its p99 apart from the monitor's bursts. */
function reqWorkload(workload: 'req-quiet' | 'flood', p99: number, outsideP99: number | null): WorkloadResult {
  return {
    workload,
    throughput: 1000,
    unit: 'REQ/s',
    latencyMs: latency(p99),
    relay: { cpuSeconds: 1, threads: { main: 1, bulk: 0, other: 0 }, cores: 0.5, peakRssMiB: 300 },
    memoryMonitorCpuSeconds: outsideP99 === null ? null : 0.2,
    details: {
      ...(outsideP99 === null ? {} : { outsideMemoryMonitor: { bursts: 20, requestsLeftOut: 400, latencyMs: latency(outsideP99) } }),
      ...(workload === 'flood' ? { rssBeforeMiB: 300, peakRssMiB: 310, flood: { sent: 50_000, stored: 3000, rateLimited: 47_000 } } : {}),
    },
  }
}

function isolationGoal(quiet: WorkloadResult, flood: WorkloadResult) {
  const report = {
    targets: [{ role: 'reference' as const, software: 'x', notes: [], workloads: [quiet, flood] }],
    ceiling: { perSecond: 30_000 } as BenchReport['ceiling'],
    machine: { cores: 2, cpuModel: 'x', memoryGiB: 24, kernel: 'x', node: 'x' },
    sizes: FullSizes,
  }
  const ratios = computeRatios(report, null)
  return { ratios, goal: judgeGoals({ ...report, ratios }).find((g) => g.goal.includes('flooding')) }
}

describe('the flood isolation goal', () => {
  it('is judged on the plain ratio when no memory monitor ran', () => {
    const { ratios, goal } = isolationGoal(reqWorkload('req-quiet', 10, null), reqWorkload('flood', 25, null))
    expect(ratios.floodIsolation).toBe(2.5)
    expect(ratios.floodIsolationOutsideMemoryMonitor).toBeNull()
    expect(goal?.met).toBe(true)
    expect(goal?.measured).not.toContain('memory monitor')
  })

  it("is judged apart from the monitor's bursts when it ran, which here turns a flattered pass into a failure", () => {
    const { ratios, goal } = isolationGoal(reqWorkload('req-quiet', 19, 8), reqWorkload('flood', 31, 29))
    expect(ratios.floodIsolation).toBe(1.63)
    expect(ratios.floodIsolationOutsideMemoryMonitor).toBe(3.63)
    expect(goal?.met).toBe(false)
    expect(goal?.measured).toContain('p99 29 ms during the flood vs 8 ms quiet, 3.63×')
    expect(goal?.measured).toContain('(judged on the latter)')
  })
})
