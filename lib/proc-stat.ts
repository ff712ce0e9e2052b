/**
 * Linux's /proc stat lines, read in one place: the bench takes CPU time and nice value per
 * thread from them (bench/lib/proc.ts), the tests the nice value per thread
 * (scripts/test-support/thread-nices.ts).
 */

import { readdirSync, readFileSync } from 'node:fs'

/** Indexes into statFields' result (stat fields 14, 15 and 19, counted from 1). */
export const StatField = { utime: 11, stime: 12, nice: 16 } as const

/** Fields 3 on of a stat line (the command name in parentheses may hold spaces: count from after it). */
export function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/**
 * The stat fields of every thread of a process, by thread id. A thread that ends while it is
 * read is left out; a process that is gone has none.
 */
export function threadStatFields(pid: number | 'self'): Map<string, string[]> {
  const threads = new Map<string, string[]>()
  let tids: string[]
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return threads
  }
  for (const tid of tids) {
    try {
      threads.set(tid, statFields(`/proc/${pid}/task/${tid}/stat`))
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads
}
