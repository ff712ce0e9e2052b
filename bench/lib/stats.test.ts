import { describe, expect, it } from 'vitest'
import { latenciesOutside, summarize } from './stats.ts'

describe('latenciesOutside', () => {
  it('leaves out every request in flight during a window, and only those', () => {
    // Requests due at 0, 10, 20, 30 ms taking 5 ms each (the third 15 ms); one window 22-24 ms.
    const latencies = [5, 5, 15, 5]
    const due = [0, 10, 20, 30].map((t) => 1_000 + t)
    expect(latenciesOutside(latencies, due, [[1_022, 1_024]])).toEqual([5, 5, 5])
    // A window touching the end of one request and the start of another excludes both.
    expect(latenciesOutside(latencies, due, [[1_015, 1_020]])).toEqual([5, 5])
    expect(latenciesOutside(latencies, due, [])).toEqual(latencies)
  })

  it('feeds a summary of what is left', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => (i >= 90 ? 50 : 1))
    const due = latencies.map((_, i) => i * 100)
    const outside = latenciesOutside(latencies, due, [[9_000, 9_999]])
    expect(summarize(outside)).toMatchObject({ count: 90, p99: 1 })
    expect(summarize(latencies).p99).toBe(50)
  })
})
