/** The run state of an agent's process, written by its supervisor to run/NAME.json. */

import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { readTextFile, writePrivateFile } from './home.ts'

export interface RunState {
  supervisor_pid: number
  /** The agent child's pid (leader of its own process group); null when it never started. */
  pid: number | null
  command: string
  started_at: string
  stopped_at: string | null
  exit_code: number | null
  signal: string | null
  state: 'running' | 'exited'
  /** Set when the child could not be spawned at all. */
  error: string | null
}

export type ProcessState = 'never-started' | 'running' | 'exited' | 'lost'

export function runStateFile(runDir: string, name: string): string {
  return join(runDir, `${name}.json`)
}

export function readRunState(runDir: string, name: string): RunState | undefined {
  const text = readTextFile(runStateFile(runDir, name))
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as RunState
  } catch {
    return undefined
  }
}

export function writeRunState(runDir: string, name: string, state: RunState): void {
  writePrivateFile(runStateFile(runDir, name), `${JSON.stringify(state, null, 2)}\n`)
}

export function removeRunState(runDir: string, name: string): void {
  const path = runStateFile(runDir, name)
  if (existsSync(path)) rmSync(path)
}

export function isProcessAlive(pid: number | null): boolean {
  if (pid === null || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** `lost`: the file says running but neither the supervisor nor the child is alive (killed hard, reboot). */
export function processStateOf(run: RunState | undefined): ProcessState {
  if (run === undefined) return 'never-started'
  if (run.state === 'exited') return 'exited'
  return isProcessAlive(run.supervisor_pid) || isProcessAlive(run.pid) ? 'running' : 'lost'
}
