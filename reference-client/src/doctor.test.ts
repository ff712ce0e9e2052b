import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome, runCli } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

interface Finding {
  severity: string
  check: string
  subject: string
  message: string
  requirement?: string
}

const legacy = [
  { id: 'writer', display_name: 'Writer', system_prompt: 'Write.', name_pool: ['Ann'], env_vars: { API_KEY: 'sk-legacy-secret-123' } },
  { id: 'reviewer', display_name: 'Reviewer', system_prompt: 'Review.' },
]

describe('persona doctor', () => {
  const scratch = scratchDirs('persona-doctor-')

  async function migrated(): Promise<CliHome> {
    const owner = await cliHome(null, scratch())
    const file = join(owner.dir, 'personas.json')
    writeFileSync(file, JSON.stringify(legacy))
    expect((await owner.run('import-legacy', file)).code).toBe(0)
    expect((await owner.run('agent', 'create', 'w1', '--persona', 'writer', '--env', 'EXTRA_TOKEN=tok-pinned-456')).code).toBe(0)
    return owner
  }

  async function doctor(owner: CliHome): Promise<{ code: number; findings: Finding[]; document: Record<string, unknown> }> {
    const run = await owner.run('doctor', '--json')
    const document = run.json()
    return { code: run.code, findings: document.findings as Finding[], document }
  }

  test('a freshly migrated home is clean: every event verifies, env vars stayed local, pins recompute', covers('AP-STORE-11', 'AP-SEC-2', 'AP-AGENT-1'), async () => {
    const owner = await migrated()
    const clean = await doctor(owner)
    expect(clean.findings).toEqual([])
    expect(clean.code).toBe(0)
    expect(clean.document).toMatchObject({ ok: true, checked: { events: 2, deletions: 0, queued: 2, agents: 1 } })
    // the two local values (the snapshot repeats API_KEY) and the owner key (hex and nsec) were looked for
    expect((clean.document.checked as { secrets: number }).secrets).toBe(2 + 2)
  })

  test('a stored row that no longer verifies is an error (exit 3)', covers('AP-STORE-3'), async () => {
    const owner = await migrated()
    const db = new Database(join(owner.home, 'store.db'))
    const row = db.prepare(`SELECT raw FROM events WHERE d_tag = 'reviewer'`).get() as { raw: string }
    db.prepare(`UPDATE events SET raw = ? WHERE d_tag = 'reviewer'`).run(JSON.stringify({ ...JSON.parse(row.raw), content: '{"display_name":"R","system_prompt":"evil"}' }))
    db.close()
    const found = await doctor(owner)
    expect(found.code).toBe(3)
    expect(found.findings).toEqual([expect.objectContaining({ severity: 'error', check: 'event', requirement: 'AP-STORE-3', message: expect.stringContaining('id does not match') })])
  })

  test('a local secret that reached a public event is an error, wherever it sits', covers('AP-SEC-2'), async () => {
    const owner = await migrated()
    // the user pasted the token into a prompt: the event is signed, stored and queued
    expect((await owner.run('publish', 'leaky', '--display-name', 'Leaky', '--system-prompt', 'use sk-legacy-secret-123 please')).code).toBe(0)
    const found = await doctor(owner)
    expect(found.code).toBe(3)
    const secrets = found.findings.filter((f) => f.check === 'secret')
    expect(secrets).toHaveLength(2)
    expect(secrets.map((f) => f.subject)).toEqual(expect.arrayContaining([`events 30175:${owner.pubkey}:leaky`, expect.stringMatching(/^pending_sync \d+$/)]))
    for (const f of secrets) expect(f).toMatchObject({ severity: 'error', requirement: 'AP-SEC-2', message: expect.stringContaining('local env var API_KEY of persona writer') })
  })

  test("an agent whose pinned fields do not hash to its persona_source_version is an error; so is a pin no process can take", covers('AP-AGENT-1'), async () => {
    const owner = await migrated()
    const path = join(owner.home, 'agents.json')
    const file = JSON.parse(readFileSync(path, 'utf8')) as { agents: Array<{ snapshot: Record<string, unknown> }> }
    file.agents[0]!.snapshot.system_prompt = 'Edited by hand.'
    writeFileSync(path, JSON.stringify(file))
    const edited = await doctor(owner)
    expect(edited.code).toBe(3)
    expect(edited.findings).toEqual([expect.objectContaining({ severity: 'error', check: 'agent', subject: 'agent w1', message: expect.stringContaining('does not match the hash of the pinned fields') })])
    file.agents[0]!.snapshot.system_prompt = 'Write.\u0000'
    writeFileSync(path, JSON.stringify(file))
    const nul = await doctor(owner)
    expect(nul.findings.map((f) => f.message)).toContainEqual(expect.stringContaining('NUL byte'))
  })

  test('a record pinned before name_pool was kept is recomputed from its event while that is the head, else a warning', covers('AP-AGENT-1'), async () => {
    const owner = await migrated()
    const path = join(owner.home, 'agents.json')
    const file = JSON.parse(readFileSync(path, 'utf8')) as { agents: Array<{ snapshot: Record<string, unknown> }> }
    delete file.agents[0]!.snapshot.name_pool
    writeFileSync(path, JSON.stringify(file))
    expect((await doctor(owner)).findings).toEqual([])
    expect((await owner.run('publish', 'writer', '--display-name', 'Writer', '--system-prompt', 'Write more.')).code).toBe(0)
    const old = await doctor(owner)
    expect(old.code).toBe(0)
    expect(old.findings).toEqual([expect.objectContaining({ severity: 'warning', check: 'agent', message: expect.stringContaining('cannot be recomputed') })])
  })

  test('files open to other users are warnings; no PERSONA_HOME is exit 4', covers('AP-SEC-5'), async () => {
    const owner = await migrated()
    chmodSync(join(owner.home, 'store.db'), 0o644)
    const found = await doctor(owner)
    expect(found.code).toBe(0)
    // SQLite gives the -wal and -shm files it creates the database file's mode, so they are reported too
    expect(found.findings.map((f) => f.subject)).toContain(join(owner.home, 'store.db'))
    for (const f of found.findings) expect(f).toMatchObject({ severity: 'warning', check: 'home', requirement: 'AP-SEC-5', message: expect.stringMatching(/^mode 0644/) })
    const none = await runCli(['doctor'], { PERSONA_HOME: join(owner.dir, 'nowhere') })
    expect(none.code).toBe(4)
  })
})
