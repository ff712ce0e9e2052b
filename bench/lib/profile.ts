/** Where the relay's main thread spends its time: a summary of a V8 .cpuprofile (node --cpu-prof). */

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
}

export interface HotSpot {
  /** `function (file:line)` */
  where: string
  /** Share of all samples of the main thread. */
  percent: number
}

/**
 * The functions with the most self time, and the idle share, from the profiles in `dir`.
 * Node writes one file per thread, named `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`;
 * thread 0 is the main thread (event loop), the others are the verifier workers.
 */
export function summarizeProfiles(
  dir: string,
  thread: 'main' | 'workers',
  top = 25,
): { files: string[]; idlePercent: number; hot: HotSpot[] } {
  const files = readdirSync(dir).filter((f) => {
    const match = /\.(\d+)\.\d+\.cpuprofile$/.exec(f)
    return match !== null && (match[1] === '0') === (thread === 'main')
  })
  const self = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0
      if (hits === 0) continue
      total += hits
      const { functionName, url, lineNumber } = node.callFrame
      if (functionName === '(idle)') idle += hits
      const short = url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|reference-relay\/|spec\/)/, '$1')
      const where = `${functionName || '(anonymous)'} (${short || 'native'}${short ? `:${lineNumber + 1}` : ''})`
      self.set(where, (self.get(where) ?? 0) + hits)
    }
  }
  const hot = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, hits]) => ({ where, percent: Math.round((hits / Math.max(1, total)) * 1000) / 10 }))
  return { files, idlePercent: Math.round((idle / Math.max(1, total)) * 1000) / 10, hot }
}
