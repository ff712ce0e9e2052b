import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryMonitor } from './proc.ts'

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A sysfs-like kdamonds tree: one kdamond per entry, each with one context. */
function kdamonds(entries: Array<{ state: string; pid: number; operations?: string; sampleUs?: number; aggrUs?: number }>): string {
  const root = mkdtempSync(join(tmpdir(), 'kdamonds-'))
  roots.push(root)
  writeFileSync(join(root, 'nr_kdamonds'), `${entries.length}\n`)
  entries.forEach((entry, i) => {
    const dir = join(root, String(i))
    const intervals = join(dir, 'contexts', '0', 'monitoring_attrs', 'intervals')
    mkdirSync(intervals, { recursive: true })
    writeFileSync(join(dir, 'state'), `${entry.state}\n`)
    writeFileSync(join(dir, 'pid'), `${entry.pid}\n`)
    writeFileSync(join(dir, 'contexts', '0', 'operations'), `${entry.operations ?? 'paddr'}\n`)
    writeFileSync(join(intervals, 'sample_us'), `${entry.sampleUs ?? 500_000}\n`)
    writeFileSync(join(intervals, 'aggr_us'), `${entry.aggrUs ?? 5_000_000}\n`)
  })
  return root
}

describe('memoryMonitor', () => {
  it('describes a kdamond that is on, with its operations and intervals', () => {
    const monitor = memoryMonitor(kdamonds([{ state: 'on', pid: 78 }]))
    expect(monitor).toEqual({ pids: [78], description: 'DAMON on: kdamond pid 78 (paddr, sampling every 500 ms, aggregating every 5000 ms)' })
  })

  it('leaves out kdamonds that are off, and is null when none is on', () => {
    expect(memoryMonitor(kdamonds([{ state: 'off', pid: 0 }]))).toBeNull()
    const monitor = memoryMonitor(kdamonds([{ state: 'off', pid: 0 }, { state: 'on', pid: 91, operations: 'vaddr', sampleUs: 5_000 }]))
    expect(monitor?.pids).toEqual([91])
    expect(monitor?.description).toContain('vaddr, sampling every 5 ms')
  })

  it('is null on a kernel without DAMON', () => {
    expect(memoryMonitor(join(tmpdir(), 'no-such-kdamonds-dir'))).toBeNull()
  })
})
