/**
 * What Linux says about a process: CPU time from /proc/PID/stat (all threads, so the
 * relay's verifier workers count) and memory from /proc/PID/status.
 */

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
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
  /** The kernel's DAMON memory monitor when one runs (memoryMonitor), described; null when none. */
  memoryMonitor?: string | null
}

/**
 * Linux's DAMON memory monitor, as configured through sysfs: its kdamond kernel threads wake
 * at every sampling interval and check the accessed bits of sampled pages (of all memory for
 * `paddr`). On the bench's 2-core virtual machines it ran every 0.54 s for 10-26 ms, taking
 * a core, and almost every slow quiet REQ fell in one of those bursts
 * (reference-relay/PERFORMANCE.md); the bench reports it so that a reader can tell the
 * machine's stalls from the relay's.
 */
export interface MemoryMonitor {
  /** The kdamond threads that are on. */
  pids: number[]
  description: string
}

export function memoryMonitor(root = '/sys/kernel/mm/damon/admin/kdamonds'): MemoryMonitor | null {
  const read = (...parts: string[]) => readFileSync(join(root, ...parts), 'utf8').trim()
  const pids: number[] = []
  const parts: string[] = []
  let names: string[]
  try {
    names = readdirSync(root).filter((name) => /^\d+$/.test(name))
  } catch {
    return null
  }
  for (const name of names) {
    try {
      if (read(name, 'state') !== 'on') continue
      const pid = Number(read(name, 'pid'))
      if (!(pid > 0)) continue
      pids.push(pid)
      const contexts = readdirSync(join(root, name, 'contexts')).filter((c) => /^\d+$/.test(c))
      const described = contexts.map((c) => {
        const intervals = (file: string) => Number(read(name, 'contexts', c, 'monitoring_attrs', 'intervals', file)) / 1000
        return `${read(name, 'contexts', c, 'operations')}, sampling every ${intervals('sample_us')} ms, aggregating every ${intervals('aggr_us')} ms`
      })
      parts.push(`kdamond pid ${pid} (${described.join('; ') || 'no context'})`)
    } catch {
      // a kdamond that stops while it is read is left out
    }
  }
  return pids.length === 0 ? null : { pids, description: `DAMON on: ${parts.join(', ')}` }
}

/** Nanoseconds the given processes (kernel threads too) have run (/proc/PID/schedstat); one that is gone counts 0. */
function runNanos(pids: readonly number[]): number {
  let total = 0
  for (const pid of pids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // gone, or a kernel without schedstat
    }
  }
  return total
}

/** How often the meter looks whether the memory monitor ran (its bursts last 10-26 ms). */
const MonitorPollMs = 5


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
    memoryMonitor: memoryMonitor()?.description ?? null,
  }
}

/**
 * Samples a process while a workload runs: CPU over the window and peak RSS; and, beside it,
 * the CPU the kernel's memory monitor took in the same window (null when none runs).
 */
export class ProcessMeter {
  readonly #pid: number
  readonly #monitorPids = memoryMonitor()?.pids ?? []
  /** The monitor's run time (ns) when the window began. */
  #monitorStart = 0
  /** When the monitor ran during the window: [from, to] in epoch ms, to the poll's resolution. */
  #bursts: Array<[number, number]> = []
  #poll: ReturnType<typeof setInterval> | undefined
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
    this.#watchMonitor()
    this.#wallStart = performance.now()
  }

  /** Polls the monitor's run time; each poll that finds it grew extends or opens a burst. */
  #watchMonitor(): void {
    this.#bursts = []
    if (this.#monitorPids.length === 0) return
    this.#monitorStart = runNanos(this.#monitorPids)
    let ran = this.#monitorStart
    let at = performance.timeOrigin + performance.now()
    this.#poll = setInterval(() => {
      const now = performance.timeOrigin + performance.now()
      const total = runNanos(this.#monitorPids)
      if (total > ran) {
        const last = this.#bursts[this.#bursts.length - 1]
        if (last !== undefined && last[1] === at) last[1] = now
        else this.#bursts.push([at, now])
      }
      ran = total
      at = now
    }, MonitorPollMs)
    this.#poll.unref()
  }

  /** CPU seconds used since start (also by thread group), the average number of cores busy, and memory. */
  stop(): {
    cpuSeconds: number
    cores: number
    threads: ThreadCpu
    memory: Memory
    memoryMonitorCpuSeconds: number | null
    /** When the kernel's memory monitor ran during the window (epoch ms); null when none runs. */
    memoryMonitorBursts: Array<[number, number]> | null
  } {
    clearInterval(this.#poll)
    const threads = threadCpuSince(this.#pid, this.#threadsStart)
    const cpu = cpuSeconds(this.#pid) - this.#cpuStart
    const wall = (performance.now() - this.#wallStart) / 1000
    const monitor = this.#monitorPids.length === 0 ? null : round((runNanos(this.#monitorPids) - this.#monitorStart) / 1e9)
    return {
      cpuSeconds: round(cpu),
      cores: round(wall > 0 ? cpu / wall : 0),
      threads,
      memory: memory(this.#pid),
      memoryMonitorCpuSeconds: monitor,
      memoryMonitorBursts: this.#monitorPids.length === 0 ? null : this.#bursts,
    }
  }
}

const round = (v: number) => Math.round(v * 100) / 100
