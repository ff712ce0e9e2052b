/**
 * Spawning and stopping that a hostile persona or a stale run file cannot turn against the
 * user: values that cannot enter an environment are refused at create (nothing spawned,
 * nothing leaked), and a recorded pid is signalled only when it is still the process the
 * client started.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('agents from hostile personas and stale run files', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup()
  })
  const scratch = scratchDirs('persona-agent-safety-')
  const home = (): Promise<CliHome> => cliHome(null, scratch())

  async function publishBody(owner: CliHome, slug: string, body: Record<string, unknown>): Promise<void> {
    const file = join(owner.dir, `${slug}.json`)
    writeFileSync(file, JSON.stringify(body))
    const run = await owner.run('publish', slug, '--file', file)
    expect(run.code, run.stderr).toBe(0)
  }

  function agentsFile(owner: CliHome): { version: number; agents: Array<Record<string, unknown>> } | undefined {
    const path = join(owner.home, 'agents.json')
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined
  }

  test('a persona field holding a NUL byte is refused at create with invalid: (exit 3); no record, nothing spawned', async () => {
    const owner = await home()
    await publishBody(owner, 'nul', { display_name: 'Nul', system_prompt: 'before\u0000after' })
    const created = await owner.run('agent', 'create', 'n1', '--persona', 'nul')
    expect(created.code).toBe(3)
    expect(created.stderr).toMatch(/^invalid: .*system_prompt.*NUL/m)
    expect(agentsFile(owner)?.agents ?? []).toEqual([])
    // a name in the pool with a NUL is refused the same way
    await publishBody(owner, 'nul-name', { display_name: 'Nul', system_prompt: 'ok', name_pool: ['A\u0000B'] })
    expect((await owner.run('agent', 'create', 'n2', '--persona', 'nul-name')).code).toBe(3)
  })

  test('an env value too long for an environment is refused at create (exit 3)', async () => {
    const owner = await home()
    await publishBody(owner, 'plain', { display_name: 'Plain', system_prompt: 'ok' })
    const created = await owner.run('agent', 'create', 'big', '--persona', 'plain', '--env', `BIG=${'x'.repeat(200_000)}`)
    expect(created.code).toBe(3)
    expect(created.stderr).toMatch(/^invalid: .*BIG.*bytes/m)
    expect(agentsFile(owner)?.agents ?? []).toEqual([])
    expect((await owner.run('agent', 'create', 'nul-env', '--persona', 'plain', '--env', 'K=a\u0000b')).code).toBe(3)
  })

  test('a record from an older file whose pin holds a NUL is refused at start: no log opened, no descriptor leaked', async () => {
    const owner = await home()
    await publishBody(owner, 'plain', { display_name: 'Plain', system_prompt: 'ok' })
    expect((await owner.run('agent', 'create', 'old', '--persona', 'plain')).code).toBe(0)
    const file = agentsFile(owner)!
    const snapshot = file.agents[0]!.snapshot as Record<string, unknown>
    snapshot.system_prompt = 'evil\u0000prompt'
    writeFileSync(join(owner.home, 'agents.json'), JSON.stringify(file))
    const before = openDescriptors()
    const started = await owner.run('agent', 'start', 'old')
    expect(started.code).toBe(3)
    expect(started.stderr).toMatch(/^invalid: .*NUL/m)
    expect(openDescriptors()).toBe(before)
    expect(existsSync(join(owner.home, 'logs', 'old.log'))).toBe(false)
    expect(existsSync(join(owner.home, 'run', 'old.json'))).toBe(false)
  })

  test('stop never signals a pid from a stale run file: a reused pid belongs to someone else', async () => {
    const owner = await home()
    await publishBody(owner, 'plain', { display_name: 'Plain', system_prompt: 'ok' })
    expect((await owner.run('agent', 'create', 'stale', '--persona', 'plain')).code).toBe(0)
    // an unrelated process (its own group) that happens to hold the pid the run file names
    const bystander: ChildProcess = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' })
    cleanups.push(() => {
      if (bystander.pid !== undefined && alive(bystander.pid)) process.kill(-bystander.pid, 'SIGKILL')
    })
    const pid = bystander.pid!
    mkdirSync(join(owner.home, 'run'), { recursive: true })
    writeFileSync(
      join(owner.home, 'run', 'stale.json'),
      JSON.stringify({ supervisor_pid: pid, pid, command: 'x', started_at: '2020-01-01T00:00:00.000Z', stopped_at: null, exit_code: null, signal: null, state: 'running', error: null }),
    )
    const stopped = await owner.run('agent', 'stop', 'stale')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(alive(pid)).toBe(true)
    expect(stopped.code).toBe(8)
    expect(stopped.stderr).toContain('not running (lost)')
    const status = await owner.run('agent', 'status', 'stale', '--json')
    expect((status.json().agents as Array<{ state: string }>)[0]?.state).toBe('lost')
    // and start is not blocked by it
    const started = await owner.run('agent', 'start', 'stale')
    expect(started.code).toBe(0)
    expect((await owner.run('agent', 'stop', 'stale')).code).toBe(0)
    expect(alive(pid)).toBe(true)
  })
})
