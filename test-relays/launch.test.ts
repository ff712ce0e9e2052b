import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { startTestRelay, testRelayCatalog, testRelays, TestRelayOptionError } from './launch.ts'
import { TestClient } from './testing/client.ts'

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('startTestRelay', () => {
  test('starts the core relay on a free port and closes it', async () => {
    const relay = await startTestRelay({ relay: 'core', port: 0 })
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
    expect(relay.httpUrl).toBe(relay.url.replace('ws:', 'http:'))
    const client = await TestClient.connect(relay.url)
    await client.barrier()
    await relay.close()
    await client.closed()
    await expect(TestClient.connect(relay.url)).rejects.toThrow()
  })

  test('refuses unknown names, conflicting variations and stray authKeys with the valid names', async () => {
    await expect(startTestRelay({ relay: 'core', variations: ['nope'] })).rejects.toThrow(/unknown variation "nope".*valid: no-nip11/)
    await expect(startTestRelay({ relay: 'core', defects: ['nope'] })).rejects.toThrow(/unknown defect "nope".*valid: null/)
    await expect(startTestRelay({ relay: 'core', variations: ['blocked-prefix', 'nonstandard-prefix'] })).rejects.toThrow(
      TestRelayOptionError,
    )
    await expect(startTestRelay({ relay: 'core', authKeys: ['ab'.repeat(32)] })).rejects.toThrow(/auth-required/)
    // @ts-expect-error: a relay name the registry does not hold
    await expect(startTestRelay({ relay: 'elsewhere' })).rejects.toThrow(/unknown relay "elsewhere"; valid: core/)
  })

  test('the catalog lists every registered relay with cited variations and defects', () => {
    const catalogs = testRelayCatalog()
    expect(catalogs.map((c) => c.relay)).toEqual(Object.keys(testRelays))
    for (const catalog of catalogs) {
      for (const entry of [...catalog.variations.map((v) => v.permittedBy), ...catalog.defects.map((d) => d.breaks)]) {
        expect(entry.length).toBeGreaterThan(0)
      }
      const names = [...catalog.variations, ...catalog.presets, ...catalog.defects].map((e) => e.name)
      expect(new Set(names).size).toBe(names.length)
    }
  })
})

test('the README tables list every core variation and defect', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
  const core = testRelayCatalog().find((c) => c.relay === 'core')!
  const missing = [...core.variations, ...core.defects].map((e) => e.name).filter((name) => !readme.includes(`| \`${name}\` |`))
  expect(missing).toEqual([])
})

describe('cli', () => {
  test('--help prints usage and exits 0', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^usage: /)
  })

  test('--list --json prints the catalog', async () => {
    const result = await runCli(['--list', '--json'])
    expect(result.code).toBe(0)
    const parsed = JSON.parse(result.stdout) as { relays: { relay: string; defects: unknown[] }[] }
    expect(parsed.relays[0]?.relay).toBe('core')
    expect(parsed.relays[0]?.defects.length).toBeGreaterThanOrEqual(45)
  })

  test('an unknown name exits 2 with an error naming the valid ones', async () => {
    const result = await runCli(['core', '--defect', 'nope'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^error: unknown defect "nope" for relay core; valid: null, /)
    const relay = await runCli(['elsewhere'])
    expect(relay.code).toBe(2)
    expect(relay.stderr).toMatch(/^error: unknown relay "elsewhere"; valid: core/)
  })

  test('starts a relay, prints where it listens, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'core', '--vary', 'plain-ok', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        const match = /^listening (ws:\/\/\S+)$/m.exec(stdout)
        if (match?.[1] !== undefined) resolve(match[1])
      })
      child.on('close', (code) => reject(new Error(`exited ${code} before listening`)))
    })
    try {
      const url = await listening
      const client = await TestClient.connect(url)
      await client.barrier()
      client.close()
      child.kill('SIGTERM')
      const [code] = (await once(child, 'close')) as [number | null]
      expect(code).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
