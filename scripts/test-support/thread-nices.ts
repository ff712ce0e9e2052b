import { readdirSync, readFileSync } from 'node:fs'

/**
 * The nice value of every thread of a process (Linux keeps one per thread): field 19 of each
 * /proc/PID/task/TID/stat, counted after the command name, which is in parentheses and may
 * hold spaces. A thread that ends while it is read is left out.
 */
export function threadNices(pid: number | 'self' = 'self'): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
    } catch {
      return []
    }
  })
}
