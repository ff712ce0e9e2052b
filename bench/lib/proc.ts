/**
 * What Linux says about a process: CPU time from /proc/PID/stat (all threads, so the
 * relay's verifier workers count) and memory from /proc/PID/status.
 */

import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { StatField, statFields, threadStatFields } from '../../lib/proc-stat.ts'

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

/** User + system CPU seconds in a process's or a thread's stat fields (statFields). */
const cpuOfFields = (fields: string[]): number => (Number(fields[StatField.utime]) + Number(fields[StatField.stime])) / clockTicks()

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  return cpuOfFields(statFields(`/proc/${pid}/stat`))
}

/** CPU seconds per thread, grouped: the main thread, threads running nicer than it (the relay's bulk threads), the rest. */
export interface ThreadCpu {
  main: number
  bulk: number
  other: number
}

function threadSnapshot(pid: number): Map<string, { cpu: number; nice: number }> {
  const threads = new Map<string, { cpu: number; nice: number }>()
  for (const [tid, fields] of threadStatFields(pid)) threads.set(tid, { cpu: cpuOfFields(fields), nice: Number(fields[StatField.nice]) })
  return threads
}

function threadCpuSince(pid: number, before: Map<string, { cpu: number; nice: number }>): ThreadCpu {
  const now = threadSnapshot(pid)
  const mainNice = now.get(String(pid))?.nice ?? 0
  const out: ThreadCpu = { main: 0, bulk: 0, other: 0 }
  for (const [tid, { cpu, nice }] of now) {
    const used = cpu - (before.get(tid)?.cpu ?? 0)
    if (tid === String(pid)) out.main += used
    else if (nice > mainNice) out.bulk += used
    else out.other += used
  }
  return { main: round(out.main), bulk: round(out.bulk), other: round(out.other) }
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
  #threadsStart = new Map<string, { cpu: number; nice: number }>()
  readonly peakResettable: boolean

  constructor(pid: number) {
    this.#pid = pid
    this.peakResettable = resetPeak(pid)
  }

  start(): void {
    resetPeak(this.#pid)
    this.#cpuStart = cpuSeconds(this.#pid)
    this.#threadsStart = threadSnapshot(this.#pid)
    this.#wallStart = performance.now()
  }

  /** CPU seconds used since start (also by thread group), the average number of cores busy, and memory. */
  stop(): { cpuSeconds: number; cores: number; threads: ThreadCpu; memory: Memory } {
    const threads = threadCpuSince(this.#pid, this.#threadsStart)
    const cpu = cpuSeconds(this.#pid) - this.#cpuStart
    const wall = (performance.now() - this.#wallStart) / 1000
    return { cpuSeconds: round(cpu), cores: round(wall > 0 ? cpu / wall : 0), threads, memory: memory(this.#pid) }
  }
}

const round = (v: number) => Math.round(v * 100) / 100
