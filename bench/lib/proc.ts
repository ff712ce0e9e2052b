/**
 * What Linux says about a process: CPU time from /proc/PID/stat (all threads, so the
 * relay's verifier workers count) and memory from /proc/PID/status.
 */

import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / clockTicks()
}

export interface Memory {
  /** Resident set size now, MiB. */
  rssMiB: number
  /** Peak resident set size (VmHWM) since start or the last resetPeak, MiB. */
  peakMiB: number
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
}

/** Resets VmHWM to the current RSS (Linux `clear_refs` 5); false when not permitted. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

export interface Machine {
  cores: number
  cpuModel: string
  memoryGiB: number
  kernel: string
  node: string
}

export function describeMachine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const meminfo = readFileSync('/proc/meminfo', 'utf8')
  let cores = 0
  try {
    cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim())
  } catch {
    cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length
  }
  return {
    cores,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memoryGiB: Math.round(Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) / 1024 / 1024),
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
  }
}

/** Samples a process while a workload runs: CPU over the window and peak RSS. */
export class ProcessMeter {
  readonly #pid: number
  #cpuStart = 0
  #wallStart = 0
  readonly peakResettable: boolean

  constructor(pid: number) {
    this.#pid = pid
    this.peakResettable = resetPeak(pid)
  }

  start(): void {
    resetPeak(this.#pid)
    this.#cpuStart = cpuSeconds(this.#pid)
    this.#wallStart = performance.now()
  }

  /** CPU seconds used since start, the average number of cores busy, and memory. */
  stop(): { cpuSeconds: number; cores: number; memory: Memory } {
    const cpu = cpuSeconds(this.#pid) - this.#cpuStart
    const wall = (performance.now() - this.#wallStart) / 1000
    return { cpuSeconds: round(cpu), cores: round(wall > 0 ? cpu / wall : 0), memory: memory(this.#pid) }
  }
}

const round = (v: number) => Math.round(v * 100) / 100
