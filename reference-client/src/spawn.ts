/**
 * Starting and stopping an agent's process from its pinned snapshot. The process runs
 * under a detached supervisor (supervisor.ts) that records pid, start and stop times and
 * the exit code in run/NAME.json; logs go to logs/NAME.log.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { AgentRecord, PersonaSnapshot } from './agents.ts'
import { FileMode, type PersonaHome } from './home.ts'
import { isChildAlive, isSupervisorAlive, processStateOf, readRunState, type RunState, writeRunState } from './run-state.ts'
import { snapshotEnvironment } from './snapshot.ts'
import { checkSpawnInput, type SpawnCheck } from './spawn-input.ts'

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/**
 * The harmless default agent: prints who it is, then idles until SIGTERM and exits 0.
 * It reads only the PERSONA_* variables and writes only to its log.
 */
export const DefaultAgentScript = [
  'const e = process.env;',
  'console.log(`persona agent ${e.PERSONA_AGENT}: ${e.PERSONA_NAME} (persona ${e.PERSONA_SLUG}, version ${(e.PERSONA_SOURCE_VERSION || "").slice(0, 12)}) is up`);',
  'process.on("SIGTERM", () => { console.log(`persona agent ${e.PERSONA_AGENT}: stopping`); process.exit(0); });',
  'setInterval(() => {}, 1 << 30);',
].join(' ')

export function defaultAgentCommand(): string {
  // `exec` lets node replace the shell, so signals reach it and its own exit code is recorded.
  return `exec ${shellQuote(process.execPath)} -e ${shellQuote(DefaultAgentScript)}`
}

/**
 * Whether an agent can be spawned at all: its pinned PERSONA_* variables, pinned env vars
 * and command must fit in a process environment (spawn-input.ts). Checked at create, at
 * respawn and backfill, and again at start for records written by older clients.
 */
export function checkAgentSpawnable(snapshot: PersonaSnapshot, agentName: string, command: string | null): SpawnCheck {
  return checkSpawnInput(snapshotEnvironment(snapshot, agentName, {}), command ?? defaultAgentCommand())
}

export type StartResult = { ok: true; run: RunState } | { ok: false; message: string }
export type StopResult = { ok: true; run: RunState; forced: boolean } | { ok: false; message: string }

const supervisorPath = fileURLToPath(new URL('./supervisor.ts', import.meta.url))

/** The tsx loader as an absolute file URL, so the supervisor starts from any working directory. */
function tsxLoader(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  } catch {
    return 'tsx'
  }
}

export interface StartOptions {
  /** Base environment of the child (PATH and friends); the snapshot is laid over it. */
  baseEnv: Record<string, string | undefined>
  deadlineMs?: number
}

export function startAgent(home: PersonaHome, agent: AgentRecord, options: StartOptions): Promise<StartResult> {
  const snapshot = agent.snapshot
  if (snapshot === null) {
    return Promise.resolve({
      ok: false,
      message: agent.backfill_error ?? `error: agent ${agent.name} has no persona snapshot; it will not start from an empty pin`,
    })
  }
  const current = readRunState(home.runDir, agent.name)
  if (processStateOf(current) === 'running') {
    return Promise.resolve({ ok: false, message: `error: agent ${agent.name} is already running (pid ${current?.pid})` })
  }
  const spawnable = checkAgentSpawnable(snapshot, agent.name, agent.command)
  if (!spawnable.ok) return Promise.resolve({ ok: false, message: `${spawnable.message}; agent ${agent.name} not started` })
  const command = agent.command ?? defaultAgentCommand()
  const logFile = join(home.logDir, `${agent.name}.log`)
  const env = snapshotEnvironment(snapshot, agent.name, options.baseEnv)
  const deadlineMs = options.deadlineMs ?? 15_000
  const log = openSync(logFile, 'a', FileMode)
  let supervisor: ChildProcess
  try {
    supervisor = spawn(process.execPath, ['--import', tsxLoader(), supervisorPath, home.runDir, agent.name, logFile, command], {
      detached: true,
      stdio: ['ignore', 'pipe', log],
      env,
    })
  } catch (error) {
    return Promise.resolve({ ok: false, message: `error: cannot start the supervisor of ${agent.name}: ${(error as Error).message}` })
  } finally {
    closeSync(log)
  }

  return new Promise((resolve) => {
    let output = ''
    let settled = false
    const settle = (result: StartResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      supervisor.stdout?.destroy()
      supervisor.unref()
      resolve(result)
    }
    const timer = setTimeout(() => {
      settle({ ok: false, message: `error: agent ${agent.name}: supervisor did not report within ${deadlineMs} ms (see ${logFile})` })
    }, deadlineMs)
    supervisor.once('error', (error) => settle({ ok: false, message: `error: cannot start the supervisor: ${error.message}` }))
    supervisor.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (!output.includes('\n')) return
      const run = readRunState(home.runDir, agent.name)
      if (run === undefined) settle({ ok: false, message: `error: agent ${agent.name}: supervisor wrote no run state` })
      else settle({ ok: true, run })
    })
    supervisor.stdout?.once('end', () => {
      const run = readRunState(home.runDir, agent.name)
      settle(
        run?.error
          ? { ok: false, message: run.error }
          : { ok: false, message: `error: agent ${agent.name}: supervisor exited before reporting (see ${logFile})` },
      )
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Signals the agent's process group, but only while its leader is the child the run file recorded. */
function signalAgentGroup(run: RunState, signal: NodeJS.Signals): void {
  if (run.pid === null || !isChildAlive(run)) return
  try {
    process.kill(-run.pid, signal)
  } catch {
    // already gone
  }
}

/** Signals the supervisor, but only while it is still the process that wrote the run file. */
function signalSupervisor(run: RunState, signal: NodeJS.Signals): boolean {
  if (!isSupervisorAlive(run)) return false
  try {
    process.kill(run.supervisor_pid, signal)
    return true
  } catch {
    return false
  }
}

/** Waits until the run state says exited (the supervisor recorded the end) or the deadline passes. */
export async function waitForExit(runDir: string, name: string, deadlineMs: number): Promise<RunState | undefined> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const run = readRunState(runDir, name)
    if (run === undefined || run.state === 'exited') return run
    if (!isSupervisorAlive(run) && !isChildAlive(run)) return run
    if (Date.now() >= deadline) return undefined
    await sleep(25)
  }
}

/**
 * SIGTERM through the supervisor; SIGKILL to the group after the deadline. A pid is
 * signalled only while it is still the process the run file recorded (process-identity.ts):
 * after a reboot or when the number was reused, the run is `lost` and nothing is signalled.
 */
export async function stopAgent(home: PersonaHome, name: string, options: { deadlineMs?: number } = {}): Promise<StopResult> {
  const run = readRunState(home.runDir, name)
  const state = processStateOf(run)
  if (run === undefined || state !== 'running') {
    const why = state === 'lost' ? `: neither pid ${run?.supervisor_pid} nor ${run?.pid} is still the process this client started, so nothing was signalled` : ''
    return { ok: false, message: `error: agent ${name} is not running (${state})${why}` }
  }
  const deadlineMs = options.deadlineMs ?? 5000
  if (!signalSupervisor(run, 'SIGTERM')) signalAgentGroup(run, 'SIGTERM')
  const ended = await waitForExit(home.runDir, name, deadlineMs)
  if (ended !== undefined && ended.state === 'exited') return { ok: true, run: ended, forced: false }
  signalAgentGroup(run, 'SIGKILL')
  signalSupervisor(run, 'SIGKILL')
  const forced: RunState = { ...run, state: 'exited', stopped_at: new Date().toISOString(), exit_code: null, signal: 'SIGKILL' }
  writeRunState(home.runDir, name, forced)
  return { ok: true, run: forced, forced: true }
}
