
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { packageVersion } from '../../lib/cli/args.ts'
import { closedPort } from '../test-fixtures/fake-relay.ts'
import { type CliIo, main } from './cli.ts'
import { ExitCodes } from './verdict.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('cli-conventions-')

async function cli(...argv: string[]) {
  let out = ''
  let err = ''
  const io: CliIo = {
    out: (t) => {
      out += t
    },
    err: (t) => {
      err += t
    },
    isTTY: false,
  }
  const code = await main(argv, io)
  return { code, stdout: out, stderr: err }
}

describe('persona-conformance command-line conventions', () => {
  test('options before the command, values included, act as after it', async () => {
    const out = scratch()
    const url = `ws://127.0.0.1:${await closedPort()}`
    const before = await cli('--timeout', '300', '--json', 'run', url, '--out', out)
    expect(before.code, before.stderr).toBe(ExitCodes.unreachable)
    expect(JSON.parse(before.stdout)).toMatchObject({ target: { url }, out })
    const after = await cli('run', url, '--timeout', '300', '--json', '--out', out)
    expect(after.code).toBe(ExitCodes.unreachable)
    expect(Object.keys(JSON.parse(after.stdout))).toEqual(Object.keys(JSON.parse(before.stdout)))
  })

  test('--help before the command is that command\'s help', async () => {
    const result = await cli('--help', 'run')
    expect(result.code).toBe(ExitCodes.ok)
    expect(result.stdout).toContain('Usage: persona-conformance run [WS_URL] [options]')
  })

  test.each([
    [['lsit'], 'error: unknown command "lsit" (did you mean list?)'],
    [['covrage'], 'error: unknown command "covrage" (did you mean coverage?)'],
    [['run', '--stirct'], 'error: unknown option --stirct (did you mean --strict?)'],
    [['run', '--expectation', 'x.json'], 'error: unknown option --expectation (did you mean --expectations?)'],
    [['list', '--jsn'], 'error: unknown option --jsn (did you mean --json?)'],
    [['frobnicate'], 'error: unknown command "frobnicate"'],
  ])('%j exits 2 naming the nearest command or option', async (argv, message) => {
    const result = await cli(...argv)
    expect(result.code).toBe(ExitCodes.usage)
    expect(result.stderr.split('\n')[0]).toBe(message)
  })

  test('--version, before or after a command, prints the package version', async () => {
    for (const argv of [['--version'], ['run', '--version']]) {
      const result = await cli(...argv)
      expect(result.code).toBe(ExitCodes.ok)
      expect(result.stdout).toBe(`persona-conformance ${packageVersion()}\n`)
    }
    expect(JSON.parse((await cli('--version', '--json')).stdout)).toEqual({ version: packageVersion() })
  })
})
