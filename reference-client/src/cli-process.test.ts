import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRelay } from '../../reference-relay/src/index.ts'
import { personaHome } from './home.ts'
import { processStateOf, readRunState } from './run-state.ts'
import { stopAgent } from './spawn.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const cliPath = join(repo, 'reference-client/src/cli.ts')
const binPath = join(repo, 'bin/persona.js')

interface ProcessRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI as its own process, from a directory outside the repo, with a deadline. */
function runProcess(argv: string[], env: Record<string, string | undefined>, cwd: string): Promise<ProcessRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { env: env as NodeJS.ProcessEnv, cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0
      resolve({ code, stdout, stderr })
    })
  })
}

describe('persona CLI as real processes', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>
  const scratch = scratchDirs('persona-cli-process-')
  let dir: string
  let env: Record<string, string | undefined>
  beforeAll(async () => {
    relay = await startRelay({ port: 0 })
    dir = scratch()
    env = { PATH: process.env.PATH, HOME: dir, PERSONA_HOME: join(dir, 'home'), PERSONA_RELAY: relay.url }
  })
  afterAll(async () => {
    const home = personaHome(join(dir, 'home'))
    if (processStateOf(readRunState(home.runDir, 'proc')) === 'running') await stopAgent(home, 'proc', { deadlineMs: 2000 })
    await relay.close()
  })

  test('node --import tsx cli.ts: help, a usage error, key generate, publish to the relay', { timeout: 120_000 }, async () => {
    const viaTsx = (args: string[]) => runProcess(['--import', 'tsx', cliPath, ...args], env, repo)
    const help = await viaTsx(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Exit codes:')
    const unknown = await viaTsx(['nonsense'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^usage: unknown command/)
    const key = await viaTsx(['key', 'generate', '--json'])
    expect(key.code).toBe(0)
    expect(JSON.parse(key.stdout)).toMatchObject({ ok: true })
    const published = await viaTsx(['publish', 'proc-persona', '--display-name', 'Proc', '--system-prompt', 'Run.', '--json'])
    expect(published.code).toBe(0)
    expect(JSON.parse(published.stdout)).toMatchObject({ ok: true, sync: 'sent' })
  })

  test('bin/persona.js from another directory: the agent outlives the CLI process that started it', { timeout: 120_000 }, async () => {
    const viaBin = (args: string[]) => runProcess([binPath, ...args], env, dir)
    expect((await viaBin(['agent', 'create', 'proc', '--persona', 'proc-persona'])).code).toBe(0)
    const started = await viaBin(['agent', 'start', 'proc', '--json'])
    expect(started.code).toBe(0)
    const pid = (JSON.parse(started.stdout) as { agent: { pid: number } }).agent.pid
    const status = await viaBin(['agent', 'status', 'proc', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ agents: [{ name: 'proc', state: 'running', pid, drift: 'up-to-date' }] })
    const stopped = await viaBin(['agent', 'stop', 'proc', '--json'])
    expect(stopped.code).toBe(0)
    expect(JSON.parse(stopped.stdout)).toMatchObject({ agent: { state: 'exited' } })
    const missing = await viaBin(['get', 'no-such-persona'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^error: no persona no-such-persona/m)
  })
})
