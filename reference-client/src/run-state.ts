/** The run state of an agent's process, written by its supervisor to run/NAME.json. */

import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { readTextFile, writePrivateFile } from './home.ts'
import { isSameProcess } from './process-identity.ts'

export interface RunState {
  supervisor_pid: number
  /** processStartIdentity of the supervisor when it started: a pid is signalled only while it still matches. */
  supervisor_identity?: string | null
  /** The agent child's pid (leader of its own process group); null when it never started. */
  pid: number | null
  /** processStartIdentity of the child; absent in run files of older clients (then nothing is signalled). */
  pid_identity?: string | null
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

/** The supervisor is still the process that wrote this run file. */
export function isSupervisorAlive(run: RunState): boolean {
  return isSameProcess(run.supervisor_pid, run.supervisor_identity)
}

/** The agent child is still the process this run file recorded. */
export function isChildAlive(run: RunState): boolean {
  return isSameProcess(run.pid, run.pid_identity)
}

/**
 * `lost`: the file says running but neither the supervisor nor the child it recorded is
 * alive (killed hard, reboot), whatever process may hold those pids now.
 */
export function processStateOf(run: RunState | undefined): ProcessState {
  if (run === undefined) return 'never-started'
  if (run.state === 'exited') return 'exited'
  return isSupervisorAlive(run) || isChildAlive(run) ? 'running' : 'lost'
}
