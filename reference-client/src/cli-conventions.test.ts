import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { packageVersion } from '../../lib/cli/args.ts'
import { startRelay } from '../../reference-relay/src/index.ts'
import { runCli } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>

describe('persona command-line conventions', () => {
  let relay: Relay
  let env: Record<string, string | undefined>
  const scratch = scratchDirs('persona-cli-conventions-')
  beforeAll(async () => {
    relay = await startRelay({ port: 0 })
    env = { PATH: process.env.PATH, PERSONA_HOME: join(scratch(), 'home') }
    expect((await runCli(['key', 'generate'], env)).code).toBe(0)
  })
  afterAll(async () => {
    await relay.close()
  })

  test('global options before the command work as after it', async () => {
    const published = await runCli(['--relay', relay.url, '--json', 'publish', 'early', '--display-name', 'Early', '--system-prompt', 'p'], env)
    expect(published.code, published.stderr).toBe(0)
    expect(published.json()).toMatchObject({ ok: true, slug: 'early', sync: 'sent' })
    const before = await runCli(['--relay', relay.url, '--json', 'ls'], env)
    const after = await runCli(['ls', '--relay', relay.url, '--json'], env)
    expect(before.code).toBe(0)
    expect(before.stdout).toBe(after.stdout)
    expect(before.json()).toMatchObject({ source: 'relay' })
  })

  test('global options may stand between a group and its subcommand', async () => {
    const shown = await runCli(['key', '--json', 'show'], env)
    expect(shown.code).toBe(0)
    expect(shown.json()).toMatchObject({ ok: true })
  })

  test.each([
    [['lst'], 'usage: unknown command "lst" (did you mean ls?)'],
    [['pubish', 'x'], 'usage: unknown command "pubish" (did you mean publish?)'],
    [['agent', 'creat', 'a'], 'usage: unknown command "agent creat" (did you mean agent create?)'],
    [['ls', '--rely', 'ws://x'], 'usage: unknown option --rely (did you mean --relay?)'],
    [['publish', 's', '--display-nam', 'D'], 'usage: unknown option --display-nam (did you mean --display-name?)'],
  ])('%j: exit 2 and the nearest command or option', async (argv, message) => {
    const result = await runCli(argv, env)
    expect(result.code).toBe(2)
    expect(result.stderr.split('\n')[0]).toBe(message)
  })

  test.each([
    [['agent', 'create', 'a', '--persona', 's', '--', 'sleep', '30'], 'usage: unexpected arguments "sleep" "30": persona agent create takes at most 1 argument'],
    [['key', 'show', 'extra'], 'usage: unexpected argument "extra": persona key show takes no arguments'],
    [['get'], 'usage: missing argument (persona get SLUG'],
    [['agent', 'create', 'a'], 'usage: --persona SLUG is required'],
  ])('%j: exit 2 and what is wrong with the arguments', async (argv, message) => {
    const result = await runCli(argv, env)
    expect(result.code).toBe(2)
    expect(result.stderr.split('\n')[0]?.startsWith(message), result.stderr).toBe(true)
  })

  test('an unknown word far from every command gets no guess', async () => {
    const result = await runCli(['frobnicate'], env)
    expect(result.stderr.split('\n')[0]).toBe('usage: unknown command "frobnicate"')
  })

  test('--version anywhere prints the package version', async () => {
    for (const argv of [['--version'], ['ls', '--version']]) {
      const result = await runCli(argv, env)
      expect(result.code).toBe(0)
      expect(result.stdout).toBe(`persona ${packageVersion()}\n`)
    }
    expect((await runCli(['--version', '--json'], env)).json()).toEqual({ ok: true, version: packageVersion() })
  })
})
