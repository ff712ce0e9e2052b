/**
 * The agent supervisor: a small detached process that runs the agent's command, records
 * its pid, and when it ends records the stop time and exit code, so the short-lived CLI
 * does not have to outlive its agents to know how they ended.
 *
 * argv: RUN_DIR NAME LOG_FILE COMMAND. The child runs `/bin/sh -c COMMAND` in its own
 * process group with this process's environment (the snapshot, prepared by spawn.ts).
 * Prints one line `{"pid":N}` on stdout once the run state is written, then nothing else.
 * SIGTERM, SIGINT and SIGHUP are forwarded to the child's process group.
 */

import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { FileMode } from './home.ts'
import { processStartIdentity } from './process-identity.ts'
import { type RunState, writeRunState } from './run-state.ts'

const [runDir, name, logFile, command] = process.argv.slice(2)
if (runDir === undefined || name === undefined || logFile === undefined || command === undefined) {
  process.stderr.write('usage: supervisor RUN_DIR NAME LOG_FILE COMMAND\n')
  process.exit(2)
}

const log = openSync(logFile, 'a', FileMode)
const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', log, log], env: process.env })
closeSync(log)

let state: RunState = {
  supervisor_pid: process.pid,
  supervisor_identity: processStartIdentity(process.pid),
  pid: child.pid ?? null,
  pid_identity: processStartIdentity(child.pid ?? null),
  command,
  started_at: new Date().toISOString(),
  stopped_at: null,
  exit_code: null,
  signal: null,
  state: 'running',
  error: null,
}

function finish(update: Partial<RunState>): void {
  state = { ...state, ...update, state: 'exited', stopped_at: new Date().toISOString() }
  writeRunState(runDir as string, name as string, state)
  process.exit(0)
}

child.once('error', (error) => finish({ error: `error: cannot run the agent command: ${error.message}`, exit_code: 127 }))
child.once('exit', (code, signal) => finish({ exit_code: code, signal }))

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // the group is already gone; the exit handler records the end
    }
  })
}

if (child.pid !== undefined) {
  writeRunState(runDir, name, state)
  process.stdout.write(`${JSON.stringify({ pid: child.pid })}\n`)
}
