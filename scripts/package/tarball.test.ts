/**
 * The npm package as a relay author gets it: `npm pack` here, `npm install <tarball>` into
 * an empty directory (dependencies from the registry; better-sqlite3 and bcrypto may build
 * from source), then both bins from that directory with npx: help, list, a run against a
 * relay started from the installed package, a run against the embedded relay, and the
 * unreachable exit code. Reports must land in the working directory, never in node_modules.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Report } from '../../harness/src/types.ts'
import { RepoRoot } from '../action/composite.ts'
import { userEnv } from './clean-env.ts'

const exec = promisify(execFile)
const TotalsLine = /^(\d+) cases, (\d+) passed, (\d+) failed, (\d+) warned, (\d+) skipped, (\d+) errored$/m
const ReportFiles = ['index.html', 'junit.xml', 'report.json', 'report.jsonl', 'summary.md']

interface PackedFile {
  path: string
  size: number
}

let work: string
let app: string
let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: PackedFile[] }
let installedPackage: string
let relay: ChildProcess | undefined

/** Every file under dir with its mtime, relative to dir. */
function snapshot(dir: string): Map<string, number> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  return new Map(entries.map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), statSync(join(e.parentPath, e.name)).mtimeMs]))
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('npx', ['--no', '--', ...args], { cwd: app, env: userEnv(), maxBuffer: 64 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    if (typeof e.code !== 'number') throw error
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** The reference relay as shipped in the package, started from the user's directory. */
function startInstalledRelay(): Promise<string> {
  const main = join(installedPackage, 'reference-relay', 'src', 'main.ts')
  relay = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--memory'], { cwd: app, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  const child = relay
  return new Promise((resolve, reject) => {
    let output = ''
    const seen = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /listening (ws:\/\/\S+)/.exec(output)
      if (listening) resolve(listening[1] as string)
    }
    child.stdout?.on('data', seen)
    child.stderr?.on('data', seen)
    child.on('exit', (code) => reject(new Error(`relay exited with ${code}: ${output}`)))
  })
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'nip-ap-package-'))
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: RepoRoot, env: userEnv(), maxBuffer: 64 * 1024 * 1024 })
  packed = (JSON.parse(stdout) as Array<typeof packed>)[0] as typeof packed
  app = join(work, 'app')
  mkdirSync(app)
  const started = Date.now()
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename)], { cwd: app, env: userEnv(), maxBuffer: 64 * 1024 * 1024 })
  const seconds = (Date.now() - started) / 1000
  installedPackage = join(app, 'node_modules', 'nip-ap-conformance')
  console.log(
    `tarball ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ` +
      `${packed.entryCount} files; npm install ${seconds.toFixed(0)} s on Node ${process.versions.node}`,
  )
})

afterAll(() => {
  relay?.kill('SIGTERM')
  // The install is a few hundred MiB; a user's directory, not something to keep.
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

describe('the tarball', () => {
  test('holds the CLIs and what they load at run time', () => {
    const paths = new Set(packed.files.map((f) => f.path))
    for (const needed of [
      'package.json',
      'README.md',
      'bin/persona-conformance.js',
      'bin/persona.js',
      'harness/src/cli.ts',
      'harness/vitest.suites.config.ts',
      'harness/src/suite-setup.ts',
      'lib/nip01/connection.ts',
      'suites/slug/valid-slugs-accepted.test.ts',
      'spec/requirements.json',
      'spec/vectors/events.json',
      'reference-relay/src/main.ts',
      'reference-relay/src/verify/worker.js',
      'reference-relay/src/storage/checkpoint-worker.js',
      'reference-client/src/cli.ts',
      'reference-client/src/supervisor.ts',
    ]) {
      expect(paths.has(needed), needed).toBe(true)
    }
  })

  test("leaves out the repository's own tests, fixtures, reports, benchmarks and tooling", () => {
    const stray = packed.files
      .map((f) => f.path)
      .filter(
        (path) =>
          (path.endsWith('.test.ts') && !path.startsWith('suites/')) ||
          /^(reports|bench|third-party|test-relays|scripts|\.ci|\.github|node_modules)\//.test(path) ||
          /(^|\/)(test|testing|test-fixtures)\/|test-helpers/.test(path) ||
          ['action.yml', 'tsconfig.json', 'vitest.config.ts', 'package-lock.json'].includes(path),
      )
    expect(stray).toEqual([])
  })

  test('installs as a package that can be published (not private) with honest engines', () => {
    const manifest = JSON.parse(readFileSync(join(installedPackage, 'package.json'), 'utf8')) as {
      private?: boolean
      engines?: { node?: string }
      bin?: Record<string, string>
    }
    expect(manifest.private).toBeUndefined()
    expect(manifest.engines?.node).toBe('^20.19.0 || ^22.12.0')
    expect(Object.keys(manifest.bin ?? {}).sort()).toEqual(['persona', 'persona-conformance'])
  })
})

describe('the installed commands, run from an empty directory', () => {
  test('persona-conformance --help and persona --help', async () => {
    const conformance = await cli(['persona-conformance', '--help'])
    expect(conformance.code).toBe(0)
    expect(conformance.stdout).toContain('Usage: persona-conformance <command>')
    const persona = await cli(['persona', '--help'])
    expect(persona.code).toBe(0)
    expect(persona.stdout).toContain('Usage: persona COMMAND')
  })

  test('--version of both bins is the packed version', async () => {
    const version = (JSON.parse(readFileSync(join(installedPackage, 'package.json'), 'utf8')) as { version: string }).version
    expect((await cli(['persona-conformance', '--version'])).stdout).toBe(`persona-conformance ${version}\n`)
    expect((await cli(['persona', '--version'])).stdout).toBe(`persona ${version}\n`)
  })

  test('list loads every suite file from the installed package', async () => {
    const listed = await cli(['persona-conformance', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const cases = (JSON.parse(listed.stdout) as { cases: Array<{ id: string; file: string }> }).cases
    const suiteFiles = packed.files.filter((f) => f.path.startsWith('suites/') && f.path.endsWith('.test.ts')).map((f) => f.path)
    expect(new Set(cases.map((c) => c.file))).toEqual(new Set(suiteFiles))
  })

  test('run ws://... against a relay writes the five reports into the working directory only', async () => {
    const url = await startInstalledRelay()
    const before = snapshot(installedPackage)
    const result = await cli(['persona-conformance', 'run', url, '--only', 'slug'])
    expect(result.code, result.stderr).toBe(0)
    const totals = TotalsLine.exec(result.stdout)
    expect(totals, result.stdout).not.toBeNull()
    expect(Number(totals?.[2])).toBeGreaterThan(0)
    expect(readdirSync(join(app, 'reports', 'latest')).sort()).toEqual(ReportFiles)
    const report = JSON.parse(readFileSync(join(app, 'reports', 'latest', 'report.json'), 'utf8')) as Report
    expect(report.target.url).toBe(url)
    expect(snapshot(installedPackage)).toEqual(before)
  })

  test('run with no URL uses the embedded reference relay', async () => {
    const result = await cli(['persona-conformance', 'run', '--only', 'slug', '--out', 'embedded'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(TotalsLine)
    const report = JSON.parse(readFileSync(join(app, 'embedded', 'report.json'), 'utf8')) as Report
    expect(report.target.embedded).toBe(true)
  })

  test('an unreachable relay exits 3', async () => {
    const result = await cli(['persona-conformance', 'run', 'ws://127.0.0.1:9', '--only', 'slug', '--timeout', '500', '--out', 'unreachable'])
    expect(result.code).toBe(3)
  })
})
