/**
 * Which process a pid names right now. A pid alone is not an identity: after the process
 * exits (or the machine reboots) the number can be given to an unrelated process. The
 * identity adds the process's start time (and, on Linux, the boot it started in), so a
 * run file can tell its own agent from a stranger that inherited the number.
 */

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let bootId: string | undefined

function currentBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    } catch {
      bootId = 'unknown-boot'
    }
  }
  return bootId
}

/**
 * `<boot id>:<start time in clock ticks>` from /proc on Linux; `ps:<start time>` from
 * `ps -o lstart=` elsewhere; null when there is no such process.
 */
export function processStartIdentity(pid: number | null): string | null {
  if (pid === null || !Number.isSafeInteger(pid) || pid <= 0) return null
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // Field 2 (comm) may hold spaces and parentheses; fields after the last ')' start at field 3.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const startTicks = fields[19] // field 22: starttime
      return startTicks === undefined ? null : `${currentBootId()}:${startTicks}`
    } catch {
      return null
    }
  }
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return started === '' ? null : `ps:${started}`
  } catch {
    return null
  }
}

/** True only when `pid` is alive and is the very process whose identity was recorded. */
export function isSameProcess(pid: number | null, identity: string | null | undefined): boolean {
  if (identity === null || identity === undefined) return false
  return processStartIdentity(pid) === identity
}
