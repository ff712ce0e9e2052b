import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { type FakeRelay, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { type CliIo, main, parseTarget } from './cli.ts'
import { RepoRoot } from './engine.ts'
import { validateJson } from './json-schema.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('cli-test-')

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = ''
  let err = ''
  return {
    out: (t) => {
      out += t
    },
    err: (t) => {
      err += t
    },
    isTTY: false,
    stdout: () => out,
    stderr: () => err,
  }
}

async function cli(...argv: string[]) {
  const io = capture()
  const code = await main(argv, io)
  return { code, stdout: io.stdout(), stderr: io.stderr() }
}

const relays: FakeRelay[] = []
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()))
})

describe('usage', () => {
  test('--help on every command, with the exit code table where runs happen', async () => {
    const main = await cli('--help')
    expect(main.code).toBe(0)
    expect(main.stdout).toMatch(/Exit codes:\n {2}0 {2}no unexpected failure[\s\S]*\n {2}3 {2}target unreachable/)
    for (const command of ['run', 'list', 'coverage', 'matrix', 'replay']) {
      const help = await cli(command, '--help')
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: persona-conformance ${command}`))
    }
    expect((await cli('run', '--help')).stdout).toContain('Exit codes:')
  })

  test.each([
    [[], /Usage/],
    [['bogus'], /unknown command "bogus"/],
    [['run', '--bogus'], /^error: unknown option --bogus$/m],
    [['run', 'http://127.0.0.1:1'], /WS_URL must use ws: or wss:/],
    [['run', '--profile', 'gold'], /--profile must be core or origin/],
    [['run', '--seed', 'abc'], /--seed must be an integer/],
    [['run', '--expectations', '/nonexistent/expect.json'], /cannot read expectations file/],
    [['replay', 'slug.x'], /replay needs --seed N/],
    [['matrix', '--out', '/tmp/x'], /at least one --target/],
    [['matrix', '--target', 'bad name=ws://x', '--out', '/tmp/x'], /--target must be NAME=WS_URL/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await cli(...argv)
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toMatch(message)
  })

  test('matrix targets: NAME=WS_URL, NAME=WS_URL,HTTP_URL and NAME=embedded', () => {
    expect(parseTarget('ref=embedded')).toEqual({ name: 'ref' })
    expect(parseTarget('x=ws://h:1')).toEqual({ name: 'x', url: 'ws://h:1' })
    expect(parseTarget('x=ws://h:1,http://h:2')).toEqual({ name: 'x', url: 'ws://h:1', httpUrl: 'http://h:2' })
  })
})

describe('run', () => {
  test('an unreachable target exits 3; --json output validates against its schema; the totals line goes to stderr', async () => {
    const port = await closedPort()
    const out = scratch()
    const result = await cli('run', `ws://127.0.0.1:${port}`, '--timeout', '300', '--out', out, '--json')
    expect(result.code).toBe(3)
    expect(validateJson(JSON.parse(result.stdout), 'cli-run.v1.schema.json')).toEqual([])
    expect(result.stderr.trim().split('\n').pop()).toBe('0 cases, 0 passed, 0 failed, 0 warned, 0 skipped, 0 errored')
    expect(existsSync(join(out, 'index.html'))).toBe(true)
  })
})

describe('list and coverage over the real suites', () => {
  test('list --json names every case once, with known requirement ids, and validates', async () => {
    const result = await cli('list', '--json')
    expect(result.code).toBe(0)
    const listing = JSON.parse(result.stdout) as { cases: Array<{ id: string }> }
    expect(validateJson(listing, 'cli-list.v1.schema.json')).toEqual([])
    expect(listing.cases.length).toBeGreaterThan(0)
  })

  // Loads every suite file and every reference-client test file (collection only).
  test('coverage --json lists uncovered testable requirements first, counts client tests for client requirements, and validates', { timeout: 300_000 }, async () => {
    const result = await cli('coverage', '--json')
    expect(result.code).toBe(0)
    const coverage = JSON.parse(result.stdout) as { requirements: Array<{ id: string; status: string; testable: string; cases: string[]; clientTests: string[] }> }
    expect(validateJson(coverage, 'cli-coverage.v1.schema.json')).toEqual([])
    const statuses = coverage.requirements.map((r) => r.status)
    const firstCovered = statuses.indexOf('covered')
    expect(statuses.slice(firstCovered).includes('uncovered')).toBe(false)
    const client = coverage.requirements.filter((r) => r.testable === 'client')
    expect(client.length).toBeGreaterThan(0)
    for (const row of client) expect(row, row.id).toMatchObject({ status: 'covered', clientTests: expect.arrayContaining([expect.stringMatching(/^reference-client\//)]) })
    for (const row of coverage.requirements.filter((r) => r.testable === 'none')) expect(row.status, row.id).toBe('not-testable')
  })
})

describe('matrix', () => {
  test('two targets: one report per target and a comparison that validates; a failing target makes exit 1', async () => {
    const honest = await startFakeRelay({ behaviour: 'honest' })
    const broken = await startFakeRelay({ behaviour: 'accept-all' })
    relays.push(honest, broken)
    const out = scratch()
    // The CLI has no --include (suites are fixed); drive the matrix module with the fixture suite.
    const { runMatrix } = await import('./matrix.ts')
    const result = await runMatrix({
      targets: [
        { name: 'honest', url: honest.url },
        { name: 'broken', url: broken.url },
      ],
      out,
      run: { include: ['harness/test-fixtures/suites/outcomes/*.case.ts'], only: ['fixture.pass', 'fixture.fail', 'fixture.skip-capability'], timeoutMs: 400, seed: 1 },
    })
    expect(result.exitCode).toBe(1)
    const matrix = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
    expect(validateJson(matrix, 'matrix.v1.schema.json')).toEqual([])
    expect(matrix.cases.map((c: { id: string; results: Record<string, { outcome: string }> }) => [c.id, c.results.honest?.outcome, c.results.broken?.outcome])).toEqual([
      ['fixture.fail', 'fail', 'fail'],
      ['fixture.pass', 'pass', 'pass'],
      ['fixture.skip-capability', 'skip', 'skip'],
    ])
    expect(existsSync(join(out, 'honest', 'index.html')) && existsSync(join(out, 'broken', 'report.json'))).toBe(true)
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('href="honest/index.html#case-fixture.pass"')
  })
})

test('the bin shim runs the CLI through tsx', () => {
  const result = spawnSync(process.execPath, [join(RepoRoot, 'bin/persona-conformance.js'), '--help'], { encoding: 'utf8', timeout: 30_000 })
  expect(result.status).toBe(0)
  expect(result.stdout).toMatch(/^persona-conformance: NIP-AP/)
})

test('run writes its reports under ./reports/latest of the directory it is started in, not of the package', async () => {
  const port = await closedPort()
  const cwd = scratch()
  const result = spawnSync(process.execPath, [join(RepoRoot, 'bin/persona-conformance.js'), 'run', `ws://127.0.0.1:${port}`, '--timeout', '300'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(result.status, result.stderr).toBe(3)
  expect(existsSync(join(cwd, 'reports', 'latest', 'report.json'))).toBe(true)
  expect(result.stderr).toContain(`reports in ${join(cwd, 'reports', 'latest')}`)
})
