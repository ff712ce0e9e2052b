/** PERSONA_HOME and the files in it: created private, never chmodded behind the user's back. */

import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { checkPrivateDir, writePrivateFile } from './home.ts'
import { covers } from './testing/covers.ts'
import { runCli } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

describe('PERSONA_HOME', () => {
  const temp = scratchDirs('persona-home-')

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

  test('a directory owned by another user, or not a directory at all, is refused; a private one of ours is accepted', covers('AP-SEC-5'), () => {
    const stats = (mode: number, uid: number, dir = true) => ({ isDirectory: () => dir, mode, uid })
    expect(checkPrivateDir('PERSONA_HOME', '/h', stats(0o40700, 1000), 1000)).toEqual({ ok: true })
    expect(checkPrivateDir('PERSONA_HOME', '/h', stats(0o40700, 0), 1000)).toEqual({
      ok: false,
      message: 'invalid: PERSONA_HOME /h belongs to user 0, not to you (1000); refusing to keep secrets there',
    })
    expect(checkPrivateDir('PERSONA_HOME', '/h', stats(0o40710, 1000), 1000)).toMatchObject({ ok: false, message: expect.stringContaining('is mode 0710') })
    expect(checkPrivateDir('PERSONA_HOME', '/h', stats(0o100600, 1000, false), 1000)).toEqual({ ok: false, message: 'invalid: PERSONA_HOME /h is not a directory' })
    // where the platform has no owners, only the mode counts
    expect(checkPrivateDir('PERSONA_HOME', '/h', stats(0o40700, 0), null)).toEqual({ ok: true })
  })

  test('a file where PERSONA_HOME should be is refused with invalid:', async () => {
    const file = join(temp(), 'a-file')
    writeFileSync(file, '')
    const run = await runCli(['key', 'generate'], { PERSONA_HOME: file })
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/^invalid: PERSONA_HOME .*a-file is not a directory/)
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
