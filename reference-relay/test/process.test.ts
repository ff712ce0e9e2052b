/**
 * The relay as a real child process: the CLI, durability of acknowledged events across
 * SIGKILL, and graceful SIGTERM. It runs as `node --import tsx reference-relay/src/main.ts`,
 * one process: the `tsx` launcher would put a parent in between that does not pass SIGKILL
 * on and that force-kills a child too busy to confirm a signal within 30 ms.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { newKey, persona, sign, TestClient } from './helpers.ts'
import { SqliteStore } from '../src/storage/sqlite-store.ts'
import { checkOriginHistory, writeOriginHistory } from './origin-history.ts'
import { threadNices } from '../../scripts/test-support/thread-nices.ts'

const root = resolve(import.meta.dirname, '../..')
const node = process.execPath
const loader = ['--import', 'tsx']
const main = join(root, 'reference-relay/src/main.ts')
const dir = mkdtempSync(join(tmpdir(), 'relay-process-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Spawned {
  child: ChildProcess
  url: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(node, [...loader, main, ...args], { cwd: root })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolveRun({ code, stdout, stderr }))
  })
}

/** Relays started and not exited yet: a test that fails half way leaves none running. */
const running = new Set<ChildProcess>()
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

function startProcess(args: string[]): Promise<Spawned> {
  const child = spawn(node, [...loader, main, '--port', '0', '--quiet', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => {
      running.delete(child)
      r({ code, signal })
    }),
  )
  return new Promise((resolveStart, reject) => {
    let out = ''
    let err = ''
    child.stderr?.on('data', (d) => (err += d))
    child.stdout?.on('data', (d) => {
      out += d
      const match = /listening (ws:\/\/\S+)\n/.exec(out)
      if (match?.[1]) resolveStart({ child, url: match[1], exited })
    })
    void exited.then(({ code }) => reject(new Error(`relay exited early (${code}): ${err}`)))
  })
}

const httpOf = (url: string) => url.replace(/^ws:/, 'http:')

/** Sends every event at once and records each id the relay acknowledged as stored. */
function publishAll(client: TestClient, events: NostrEvent[], onAck: (count: number) => void): Set<string> {
  const acked = new Set<string>()
  for (const event of events) {
    void client.next((f) => f[0] === 'OK' && f[1] === event.id, 60_000).then(
      (frame) => {
        if (frame[2] === true) acked.add(event.id)
        onAck(acked.size)
      },
      () => {},
    )
    client.send(['EVENT', event])
  }
  return acked
}

async function storedIds(url: string, ids: string[]): Promise<Set<string>> {
  const client = await TestClient.connect(url)
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += 500) {
    for (const id of await client.ids(`f${i}`, { ids: ids.slice(i, i + 500) })) found.add(id)
  }
  client.close()
  return found
}

describe('command line', () => {
  test('--help lists the flags and exits 0', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    for (const flag of ['--host', '--port', '--db', '--memory', '--skew', '--public-url']) expect(stdout).toContain(flag)
  })

  test('an unknown flag or a bad value exits 2 with a message', async () => {
    const [unknown, badPort, both] = await Promise.all([
      runCli(['--bogus']),
      runCli(['--port', 'seven']),
      runCli(['--db', join(dir, 'x.db'), '--memory']),
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("error: Unknown option '--bogus'")
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toContain('error: --port must be a non-negative integer')
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('error: --db and --memory exclude each other')
    const [tooNice, notNumber] = await Promise.all([runCli(['--bulk-nice', '20']), runCli(['--bulk-nice', 'low'])])
    expect(tooNice.code).toBe(2)
    expect(tooNice.stderr).toContain('error: --bulk-nice must be from 0 to 19')
    expect(notNumber.code).toBe(2)
    expect(notNumber.stderr).toContain('error: --bulk-nice must be a non-negative integer')
  })

  test.runIf(process.platform === 'linux' && getPriority() <= 9)('the bulk threads run 10 steps nicer by default, as --bulk-nice says otherwise', async () => {
    const base = getPriority()
    const plain = await startProcess(['--db', join(dir, 'nice-default.db')])
    const chosen = await startProcess(['--db', join(dir, 'nice-3.db'), '--bulk-nice', '3'])
    try {
      const pid = (relay: Spawned) => relay.child.pid as number
      // The writer thread starts with the store; the verifier workers before the relay listens.
      expect(threadNices(pid(plain)).filter((nice) => nice === Math.min(19, base + 10)).length).toBeGreaterThanOrEqual(2)
      expect(threadNices(pid(chosen)).filter((nice) => nice === Math.min(19, base + 3)).length).toBeGreaterThanOrEqual(2)
      expect(threadNices(pid(chosen))).not.toContain(Math.min(19, base + 10))
    } finally {
      for (const relay of [plain, chosen]) relay.child.kill('SIGTERM')
      await Promise.all([plain.exited, chosen.exited])
    }
  })
})

describe('one database, one mode', () => {
  test('a file written in one mode is refused by the other at start: exit 1 with an error: line, the file left as it was', async () => {
    const originFile = join(dir, 'mode-origin.db')
    const openFile = join(dir, 'mode-open.db')
    const origin = new SqliteStore(originFile)
    origin.settleRules('origin', originFile)
    origin.close()
    // A file of the open mode from before the record: events and no record.
    const open = new SqliteStore(openFile)
    open.insert(sign(newKey(), { kind: 1, content: 'open' }))
    open.close()
    const [openOnOrigin, originOnOpen] = await Promise.all([
      runCli(['--port', '0', '--db', originFile]),
      runCli(['--port', '0', '--origin', '--db', openFile]),
    ])
    expect(openOnOrigin.code).toBe(1)
    expect(openOnOrigin.stderr).toContain(`error: ${originFile} belongs to origin mode (written with --origin); start the relay with --origin, or use another database`)
    expect(originOnOpen.code).toBe(1)
    expect(originOnOpen.stderr).toContain(`error: ${openFile} belongs to the open mode (written without --origin); start the relay without --origin, or use another database`)
    const reopened = new SqliteStore(openFile)
    expect(reopened.size()).toBe(1)
    reopened.close()
  })
})

describe('native uWebSockets.js', () => {
  test('the relay refuses to start on the package\'s slow JavaScript fallback', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
      const child = spawn(node, [...loader, main, '--port', '0'], { cwd: root, env: { ...process.env, UWS_USE_FALLBACK: '1' } })
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      child.on('exit', (code) => resolveRun({ code, stderr }))
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('uWebSockets.js did not load its native binary')
  })
})

// Each test starts the relay twice as a real process (tsx, worker threads): on a loaded machine
// that alone can take tens of seconds. No timing is asserted.
describe('durability', { timeout: 120_000 }, () => {
  test('every event acknowledged before SIGKILL is found after a restart on the same file', async () => {
    const db = join(dir, 'kill.db')
    const first = await startProcess(['--db', db])
    const client = await TestClient.connect(first.url)
    const key = newKey()
    const events = Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0 ? sign(key, { kind: 1, content: `note ${i}` }) : persona(key, `slug-${i}`),
    )
    let killed = false
    const acked = publishAll(client, events, (count) => {
      // Kill mid-stream, right after a batch of acknowledgements.
      if (count >= 200 && !killed) {
        killed = true
        first.child.kill('SIGKILL')
      }
    })
    expect((await first.exited).signal).toBe('SIGKILL')
    await client.closed
    expect(acked.size).toBeGreaterThanOrEqual(200)

    const second = await startProcess(['--db', db])
    const found = await storedIds(second.url, [...acked])
    expect([...acked].filter((id) => !found.has(id))).toEqual([])
    second.child.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
  })

  test('origin mode on a SQLite file: a thread, a deletion and a persona acknowledged before SIGKILL are served and decided by after a restart', async () => {
    const db = join(dir, 'origin.db')
    const first = await startProcess(['--origin', '--db', db])
    const history = await writeOriginHistory(first.url, httpOf(first.url))
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')

    const second = await startProcess(['--origin', '--db', db])
    await checkOriginHistory(second.url, httpOf(second.url), history)
    second.child.kill('SIGTERM')
    expect((await second.exited).code).toBe(0)
  })

  test('SIGTERM answers what was received, exits 0, and the answers hold after restart', async () => {
    const db = join(dir, 'term.db')
    const first = await startProcess(['--db', db])
    const client = await TestClient.connect(first.url)
    const key = newKey()
    const events = Array.from({ length: 100 }, (_, i) => sign(key, { kind: 1, content: `t${i}` }))
    let signalled = false
    const acked = publishAll(client, events, () => {
      if (!signalled) {
        signalled = true
        first.child.kill('SIGTERM')
      }
    })
    const exit = await first.exited
    expect(exit.code).toBe(0)
    const closed = await client.closed
    expect(closed.code).toBe(1001)
    expect(acked.size).toBeGreaterThan(0)

    const second = await startProcess(['--db', db])
    const found = await storedIds(second.url, [...acked])
    expect(found.size).toBe(acked.size)
    second.child.kill('SIGINT')
    expect((await second.exited).code).toBe(0)
  })
})
