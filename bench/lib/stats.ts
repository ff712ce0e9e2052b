/** Latency summaries: nearest-rank percentiles over a sample, in milliseconds. */

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort()
  const list = Array.from(sorted)
  const total = list.reduce((sum, v) => sum + v, 0)
  const round = (v: number) => Math.round(v * 1000) / 1000
  return {
    count: list.length,
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p99: round(percentile(list, 99)),
    max: round(list.length === 0 ? Number.NaN : (list[list.length - 1] as number)),
    mean: round(list.length === 0 ? Number.NaN : total / list.length),
  }
}

/**
 * The latencies of the requests whose time in flight (due → answered) overlaps none of the
 * windows (all times epoch ms): what a workload measured when something outside the relay
 * (the kernel's memory monitor) was not running.
 */
export function latenciesOutside(latenciesMs: readonly number[], dueAtEpochMs: readonly number[], windows: ReadonlyArray<readonly [number, number]>): number[] {
  const kept: number[] = []
  latenciesMs.forEach((latency, i) => {
    const due = dueAtEpochMs[i] as number
    if (!windows.some(([from, to]) => due <= to && due + latency >= from)) kept.push(latency)
  })
  return kept
}
