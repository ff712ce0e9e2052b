import { StatField, threadStatFields } from '../../lib/proc-stat.ts'

/** The nice value of every thread of a process (Linux keeps one per thread). */
export function threadNices(pid: number | 'self' = 'self'): number[] {
  return [...threadStatFields(pid).values()].map((fields) => Number(fields[StatField.nice]))
}
