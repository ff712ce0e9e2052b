/** The relays under test, each in its own process: the reference relay and the peer. */

import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Role } from '../report.ts'
import { info as peerInfo, start as startPeerHost } from '../../third-party/hosts/nostr-relay.ts'

export interface Target {
  /** The relay of this commit, the relay of an older commit (--baseline), the peer, or the relay on PostgreSQL (--pg). */
  role: Role
  /** What runs, for the report. */
  software: string
  url: string
  /**
   * Every instance's URL when several relay processes serve one database (the first is
   * `url`): ingest generators take turns, fan-out publishes to the first and subscribes on
   * the last, so every delivery crosses instances.
   */
  urls?: string[]
  /** The process measured (the first instance's). */
  pid: number
  notes: string[]
  close(): Promise<void>
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/**
 * The reference relay as `npm run relay` runs it (node + tsx, no npm wrapper), on a fresh
 * SQLite file in a temporary directory (WAL; OK only after the WAL holding the batch is synced).
 * `root`: another checkout to run it from (the baseline of an older commit).
 */
export async function startReference(
  options: { relayArgs?: string[]; nodeArgs?: string[]; root?: string; role?: Role; pgUrl?: string } = {},
): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nip-ap-bench-'))
  const role = options.role ?? 'reference'
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      tsxLoader,
      'reference-relay/src/main.ts',
      '--port',
      '0',
      ...(options.pgUrl === undefined ? ['--db', path.join(dir, 'relay.db')] : ['--pg', options.pgUrl]),
      ...(options.relayArgs ?? []),
    ],
    { cwd: options.root ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const logs: string[] = []
  createInterface({ input: child.stderr }).on('line', (line) => {
    logs.push(line)
    if (/WARNING|error|^writer: \d/i.test(line)) process.stderr.write(`  ${role} relay: ${line}\n`)
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} relay did not start within 60 s`)), 60_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^listening (ws:\/\/\S+)$/.exec(line.trim())
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    })
    child.once('exit', (code) => reject(new Error(`${role} relay exited (${code}): ${logs.slice(-5).join(' | ')}`)))
  })
  const software = await relaySoftware(url)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    role,
    software,
    url,
    pid: child.pid as number,
    notes: [
      `startup log: ${logs.filter((l) => /verifier/.test(l)).join(' | ') || '(none)'}`,
      options.pgUrl === undefined
        ? 'SQLite file, WAL; OK is sent only after the batch commits and a WAL sync begun after that commit ends.'
        : 'PostgreSQL (local cluster, Unix socket, fsync and synchronous_commit on); OK is sent only after the batch transaction commits.',
    ],
    close: async () => {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A checkout of `ref` (an older commit of this repository) in a temporary directory, with this
 * checkout's node_modules, for the baseline relay. Returns its root and a cleanup.
 */
export function checkoutBaseline(ref: string): { root: string; commit: string; remove(): void } {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim()
  const root = mkdtempSync(path.join(tmpdir(), 'nip-ap-bench-baseline-'))
  const archive = execFileSync('git', ['archive', '--format=tar', commit], { cwd: repoRoot, maxBuffer: 512 * 1024 * 1024 })
  execFileSync('tar', ['-x', '-C', root], { input: archive })
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir')
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) }
}

/** NIP-11 `software` (it names the verifier that runs). */
async function relaySoftware(url: string): Promise<string> {
  try {
    const response = await fetch(url.replace(/^ws/, 'http'), { headers: { Accept: 'application/nostr+json' } })
    const doc = (await response.json()) as { software?: string; version?: string }
    return `${doc.software ?? 'unknown'} ${doc.version ?? ''}`.trim()
  } catch (error) {
    return `unknown (NIP-11: ${(error as Error).message})`
  }
}

/** The peer: @nostr-relay/core with its SQLite repository on `ws` (third-party/hosts). */
export async function startPeer(): Promise<Target> {
  const hosted = await startPeerHost({ startTimeoutMs: 30_000 })
  return {
    role: 'peer',
    software: `${peerInfo.package} ${hosted.version} + @nostr-relay/event-repository-sqlite on ws`,
    url: hosted.url,
    pid: hosted.pid,
    notes: [
      ...peerInfo.notes.filter((n) => /cached|SQLite|Library relay/.test(n)),
      'Its REQ results are cached per filter for 1 s by default (filterResultCacheTtl): repeated identical REQs within 1 s are answered from memory.',
    ],
    close: () => hosted.close(),
  }
}

/**
 * The reference relay on PostgreSQL: `instances` relay processes on one database, as one
 * target (role postgres for one instance, postgres-2 for two).
 */
export async function startPostgresReference(pgUrl: string, instances: 1 | 2): Promise<Target> {
  const role: Role = instances === 1 ? 'postgres' : 'postgres-2'
  const started = await Promise.allSettled(Array.from({ length: instances }, () => startReference({ role, pgUrl })))
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s) => s.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(running.map((t) => t.close()))
    throw (failed as PromiseRejectedResult).reason
  }
  const [first] = running as [Target, ...Target[]]
  return {
    ...first,
    urls: running.map((t) => t.url),
    notes: [...first.notes, ...(instances > 1 ? [`${instances} relay processes on one database; CPU and memory are the first instance's.`] : [])],
    close: async () => {
      await Promise.all(running.map((t) => t.close()))
    },
  }
}
