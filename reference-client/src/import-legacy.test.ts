/** `persona import-legacy` through the CLI: the data is the sentinel (AMB-32). */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const legacy = [
  { id: 'writer', display_name: 'Writer', system_prompt: 'Write.', env_vars: { API_KEY: 'sk-legacy-secret' } },
  { id: 'reviewer', display_name: 'Reviewer', system_prompt: 'Review.' },
]

describe('persona import-legacy', () => {
  const scratch = scratchDirs('persona-import-legacy-')
  const home = (): Promise<CliHome> => cliHome(null, scratch())

  test('a store that already holds a persona of the owner counts as migrated: nothing is imported', covers('AP-STORE-12'), async () => {
    const owner = await home()
    expect((await owner.run('publish', 'existing', '--display-name', 'E', '--system-prompt', 'e')).code).toBe(0)
    const file = join(owner.dir, 'personas.json')
    writeFileSync(file, JSON.stringify(legacy))
    const run = await owner.run('import-legacy', file, '--json')
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ ok: true, already_migrated: true, imported: [] })
    const listed = await owner.run('ls', '--json')
    expect((listed.json().personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['existing'])
  })

  test('a store whose only trace of the owner is a deletion counts as migrated too: a deleted persona is not brought back', covers('AP-STORE-12'), async () => {
    const owner = await home()
    const file = join(owner.dir, 'personas.json')
    writeFileSync(file, JSON.stringify(legacy))
    expect((await owner.run('import-legacy', file)).code).toBe(0)
    expect((await owner.run('rm', 'writer')).code).toBe(0)
    expect((await owner.run('rm', 'reviewer')).code).toBe(0)
    const again = await owner.run('import-legacy', file, '--json')
    expect(again.json()).toMatchObject({ already_migrated: true, imported: [] })
    expect((await owner.run('get', 'writer')).code).toBe(4)
  })
})
