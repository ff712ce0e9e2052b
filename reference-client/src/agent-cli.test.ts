import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { startRelay } from '../../reference-relay/src/index.ts'
import { hashPersonaContentText } from '../../spec/model/hash.ts'
import { personaHome } from './home.ts'
import { processStateOf, readRunState } from './run-state.ts'
import { shellQuote, stopAgent } from './spawn.ts'
import { runCli, waitFor } from './testing/helpers.ts'
import { covers } from './testing/covers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>

interface Sandbox {
  dir: string
  home: string
  env: Record<string, string | undefined>
  dumpFile: string
  /** A command whose child writes its whole environment to dumpFile as JSON, then exits 0. */
  dumpCommand: string
}

describe('persona agent (real child processes) against the reference relay', () => {
  let relay: Relay
  const sandboxes: Sandbox[] = []
  const scratch = scratchDirs('persona-agent-cli-')
  beforeAll(async () => {
    relay = await startRelay({ port: 0 })
  })
  afterAll(async () => {
    await relay.close()
  })
  afterEach(async () => {
    for (const box of sandboxes.splice(0)) {
      const home = personaHome(box.home)
      for (const name of ['a1', 'a2', 'idle', 'old-one', 'ghost']) {
        if (processStateOf(readRunState(home.runDir, name)) === 'running') await stopAgent(home, name, { deadlineMs: 2000 })
      }
    }
  })

  async function sandbox(): Promise<Sandbox> {
    const dir = scratch()
    const script = join(dir, 'dump-env.cjs')
    writeFileSync(script, "require('fs').writeFileSync(process.env.DUMP_TO, JSON.stringify(process.env))\n")
    const box: Sandbox = {
      dir,
      home: join(dir, 'home'),
      env: { PATH: process.env.PATH, PERSONA_HOME: join(dir, 'home'), PERSONA_RELAY: relay.url },
      dumpFile: join(dir, 'env.json'),
      dumpCommand: `exec ${shellQuote(process.execPath)} ${shellQuote(script)}`,
    }
    sandboxes.push(box)
    expect((await runCli(['key', 'generate'], box.env)).code).toBe(0)
    return box
  }

  async function cli(box: Sandbox, ...argv: string[]) {
    return runCli(argv, box.env)
  }

  async function publish(box: Sandbox, slug: string, prompt: string, extra: string[] = []) {
    const run = await cli(box, 'publish', slug, '--display-name', 'Coder', '--system-prompt', prompt, '--model', 'model-x', '--provider', 'prov-y', '--runtime', 'rt-z', '--name-pool', 'Ada,Bob', ...extra, '--json')
    expect(run.code).toBe(0)
    return run.json()
  }

  /** Waits for the dump child to finish and returns the environment it saw. */
  async function childEnv(box: Sandbox, agent: string): Promise<Record<string, string>> {
    const home = personaHome(box.home)
    const run = await waitFor(() => {
      const state = readRunState(home.runDir, agent)
      return state?.state === 'exited' ? state : undefined
    }, `agent ${agent} to exit`)
    expect(run.exit_code).toBe(0)
    const env = JSON.parse(readFileSync(box.dumpFile, 'utf8')) as Record<string, string>
    rmSync(box.dumpFile)
    return env
  }

  async function status(box: Sandbox, name: string) {
    const run = await cli(box, 'agent', 'status', name, '--json')
    expect(run.code).toBe(0)
    return (run.json().agents as Array<Record<string, unknown>>)[0] as Record<string, unknown>
  }

  test('create pins a snapshot; start spawns the child with it; restart keeps the pin; respawn takes a fresh one; the three drift states', covers('AP-AGENT-1', 'AP-AGENT-2', 'AP-AGENT-3', 'AP-AGENT-4', 'AP-AGENT-5', 'AP-AGENT-6', 'AP-AGENT-7', 'AP-AGENT-8', 'AP-AGENT-9'), async () => {
    const box = await sandbox()
    const v1 = await publish(box, 'coder', 'Write code.')
    const created = await cli(box, 'agent', 'create', 'a1', '--persona', 'coder', '--env', `DUMP_TO=${box.dumpFile}`, '--env', 'API_TOKEN=tok', '--command', box.dumpCommand, '--json')
    expect(created.code).toBe(0)
    expect(created.json().agent).toMatchObject({ drift: 'up-to-date', snapshot: { instance_name: 'Ada', persona_source_version: v1.version } })

    const started = await cli(box, 'agent', 'start', 'a1', '--json')
    expect(started.code).toBe(0)
    const first = await childEnv(box, 'a1')
    expect(first).toMatchObject({
      PERSONA_SLUG: 'coder',
      PERSONA_NAME: 'Ada',
      PERSONA_SYSTEM_PROMPT: 'Write code.',
      PERSONA_MODEL: 'model-x',
      PERSONA_PROVIDER: 'prov-y',
      PERSONA_RUNTIME: 'rt-z',
      PERSONA_SOURCE_VERSION: v1.version as string,
      API_TOKEN: 'tok',
    })
    const afterRun = await status(box, 'a1')
    expect(afterRun).toMatchObject({ state: 'exited', exit_code: 0, drift: 'up-to-date' })
    expect(afterRun.pid).toBe((started.json().agent as { pid: number }).pid)

    // the persona is edited: the agent is out of date but keeps its pin on restart
    const v2 = await publish(box, 'coder', 'Write better code.')
    expect(v2.version).not.toBe(v1.version)
    const drifted = await status(box, 'a1')
    expect(drifted).toMatchObject({ drift: 'out-of-date', live: { status: 'present', version: v2.version }, snapshot: { system_prompt: 'Write code.' } })
    expect(drifted.hint).toContain('persona agent respawn a1')
    const human = await cli(box, 'agent', 'status', 'a1')
    expect(human.stdout).toContain('drift     out-of-date')

    expect((await cli(box, 'agent', 'restart', 'a1')).code).toBe(0)
    const restarted = await childEnv(box, 'a1')
    expect(restarted.PERSONA_SYSTEM_PROMPT).toBe('Write code.')
    expect(restarted.PERSONA_SOURCE_VERSION).toBe(v1.version)

    const respawned = await cli(box, 'agent', 'respawn', 'a1', '--json')
    expect(respawned.code).toBe(0)
    expect(respawned.json()).toMatchObject({ previous_version: v1.version })
    const fresh = await childEnv(box, 'a1')
    expect(fresh.PERSONA_SYSTEM_PROMPT).toBe('Write better code.')
    expect(fresh.PERSONA_SOURCE_VERSION).toBe(v2.version)
    expect(fresh.PERSONA_SOURCE_VERSION).toBe(hashPersonaContentText(JSON.stringify({ display_name: 'Coder', system_prompt: 'Write better code.', model: 'model-x', provider: 'prov-y', runtime: 'rt-z', name_pool: ['Ada', 'Bob'] })))
    expect(fresh.API_TOKEN).toBe('tok')
    expect(await status(box, 'a1')).toMatchObject({ drift: 'up-to-date' })

    // the persona is deleted: orphaned (never out-of-date); respawn refuses and leaves the agent alone
    expect((await cli(box, 'rm', 'coder')).code).toBe(0)
    expect(await status(box, 'a1')).toMatchObject({ drift: 'orphaned', live: { status: 'gone', reason: 'deleted' } })
    const refused = await cli(box, 'agent', 'respawn', 'a1')
    expect(refused.code).toBe(4)
    expect(refused.stderr).toMatch(/^error: persona coder is gone/)
    expect(await status(box, 'a1')).toMatchObject({ snapshot: { persona_source_version: v2.version } })
    // an orphan still runs its pinned snapshot
    expect((await cli(box, 'agent', 'start', 'a1')).code).toBe(0)
    expect((await childEnv(box, 'a1')).PERSONA_SYSTEM_PROMPT).toBe('Write better code.')
  })

  test('the default command runs until stopped; stop records the exit; start and stop conflicts exit 8; rm removes everything', async () => {
    const box = await sandbox()
    await publish(box, 'idler', 'Idle.')
    expect((await cli(box, 'agent', 'create', 'idle', '--persona', 'idler')).code).toBe(0)
    expect((await cli(box, 'agent', 'stop', 'idle')).code).toBe(8)
    const started = await cli(box, 'agent', 'start', 'idle', '--json')
    expect(started.code).toBe(0)
    const pid = (started.json().agent as { pid: number }).pid
    expect(await status(box, 'idle')).toMatchObject({ state: 'running', pid })
    expect((await cli(box, 'agent', 'start', 'idle')).code).toBe(8)
    const listed = await cli(box, 'agent', 'ls', '--json')
    expect(listed.json().agents).toEqual([expect.objectContaining({ name: 'idle', state: 'running', drift: 'up-to-date' })])

    // the default agent says it is up once its SIGTERM handler is installed
    const logFile = join(box.home, 'logs', 'idle.log')
    const log = await waitFor(() => {
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
      return text.includes(' is up') ? text : undefined
    }, 'the default agent to start')
    expect(log).toContain('persona agent idle: Ada (persona idler')
    const stopped = await cli(box, 'agent', 'stop', 'idle', '--json')
    expect(stopped.code).toBe(0)
    expect(stopped.json().agent).toMatchObject({ state: 'exited', exit_code: 0, signal: null, pid })

    expect((await cli(box, 'agent', 'create', 'idle', '--persona', 'idler')).code).toBe(8)
    expect((await cli(box, 'agent', 'create', 'a2', '--persona', 'nope')).code).toBe(4)
    expect((await cli(box, 'agent', 'create', 'bad name', '--persona', 'idler')).code).toBe(3)
    expect((await cli(box, 'agent', 'create', 'a2', '--persona', 'idler', '--env', 'NOEQUALS')).code).toBe(3)
    expect((await cli(box, 'agent', 'create', 'a2')).code).toBe(2)

    expect((await cli(box, 'agent', 'start', 'idle')).code).toBe(0)
    const removed = await cli(box, 'agent', 'rm', 'idle', '--json')
    expect(removed.json()).toMatchObject({ ok: true, was_running: true })
    expect(existsSync(join(box.home, 'run', 'idle.json'))).toBe(false)
    expect((await cli(box, 'agent', 'status', 'idle')).code).toBe(4)
  })

  test('backfill: an older record gets a snapshot once; a record whose persona is missing is refused loudly and never spawned', covers('AP-AGENT-10', 'AP-AGENT-11'), async () => {
    const box = await sandbox()
    await publish(box, 'legacy-persona', 'From before pinning.')
    // an agents.json from before snapshots existed: bare slugs, no snapshot
    writeFileSync(
      join(box.home, 'agents.json'),
      JSON.stringify([
        { name: 'old-one', persona: 'legacy-persona', command: box.dumpCommand, env: { DUMP_TO: box.dumpFile } },
        { name: 'ghost', persona: 'never-published', command: box.dumpCommand, env: { DUMP_TO: box.dumpFile } },
      ]),
    )
    const first = await cli(box, 'agent', 'ls', '--json')
    expect(first.code).toBe(0)
    expect(first.stderr).toContain('backfilled agent old-one from persona legacy-persona')
    expect(first.stderr).toMatch(/WARNING: agent ghost: error: persona never-published does not exist/)

    const ghost = await cli(box, 'agent', 'start', 'ghost')
    expect(ghost.code).toBe(4)
    expect(ghost.stderr).toContain('WARNING: refusing to start agent ghost')
    expect(readRunState(personaHome(box.home).runDir, 'ghost')).toBeUndefined()
    expect(existsSync(box.dumpFile)).toBe(false)
    expect(await status(box, 'ghost')).toMatchObject({ snapshot: null, drift: null })

    expect((await cli(box, 'agent', 'start', 'old-one')).code).toBe(0)
    expect((await childEnv(box, 'old-one')).PERSONA_SYSTEM_PROMPT).toBe('From before pinning.')

    // once: an edit after the backfill is drift, not a silent re-pin
    await publish(box, 'legacy-persona', 'Edited later.')
    const second = await cli(box, 'agent', 'status', 'old-one', '--json')
    expect(second.stderr).not.toContain('backfilled agent old-one')
    expect(second.json().agents).toEqual([expect.objectContaining({ drift: 'out-of-date' })])

    // publishing the missing persona lets the next command backfill the ghost
    await publish(box, 'never-published', 'Now I exist.')
    const third = await cli(box, 'agent', 'start', 'ghost')
    expect(third.code).toBe(0)
    expect(third.stderr).toContain('backfilled agent ghost')
    expect((await childEnv(box, 'ghost')).PERSONA_SYSTEM_PROMPT).toBe('Now I exist.')
  })

  test('status comes from the local store when the relay is down', covers('AP-STORE-5'), async () => {
    const box = await sandbox()
    await publish(box, 'offline-persona', 'Offline.')
    expect((await cli(box, 'agent', 'create', 'a2', '--persona', 'offline-persona', '--command', box.dumpCommand, '--env', `DUMP_TO=${box.dumpFile}`)).code).toBe(0)
    const down = { ...box.env, PERSONA_RELAY: 'ws://127.0.0.1:1' }
    const run = await runCli(['agent', 'status', 'a2', '--json'], down)
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ live_source: 'store', agents: [expect.objectContaining({ drift: 'up-to-date' })] })
    expect(run.stderr).toContain('relay unreachable')
  })
})
