/** PERSONA_HOME and the files in it: created private, never chmodded behind the user's back. */

import { chmodSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { writePrivateFile } from './home.ts'
import { covers } from './testing/covers.ts'
import { makeTempDir, runCli } from './testing/helpers.ts'

describe('PERSONA_HOME', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  function temp(): string {
    const t = makeTempDir()
    cleanups.push(t.remove)
    return t.dir
  }

  test('a new home is created 0700 and its key file 0600', covers('AP-SEC-5'), async () => {
    const home = join(temp(), 'new-home')
    const run = await runCli(['key', 'generate'], { PERSONA_HOME: home })
    expect(run.code).toBe(0)
    expect(statSync(home).mode & 0o777).toBe(0o700)
    expect(statSync(join(home, 'key')).mode & 0o777).toBe(0o600)
  })

  test('an existing home readable by others is refused with invalid: (exit 3) and left as it was', covers('AP-SEC-5'), async () => {
    const home = join(temp(), 'shared')
    mkdirSync(home)
    chmodSync(home, 0o755)
    const run = await runCli(['key', 'generate'], { PERSONA_HOME: home })
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/^invalid: PERSONA_HOME .*shared is mode 0755/)
    expect(statSync(home).mode & 0o777).toBe(0o755)
    expect(readdirSync(home)).toEqual([])
  })

  test('a write that fails leaves no temporary file behind', () => {
    const dir = temp()
    const target = join(dir, 'occupied')
    mkdirSync(target)
    expect(() => writePrivateFile(target, 'data')).toThrow()
    expect(readdirSync(dir)).toEqual(['occupied'])
    expect(existsSync(join(target, 'data'))).toBe(false)
  })
})
