/**
 * A throwaway PostgreSQL cluster for tests and the bench: `initdb` into a temporary
 * directory, the server on a Unix socket in that directory (no TCP), removed when stopped.
 *
 * The server runs under a small shell watchdog whose stdin is a pipe from this process:
 * when this process closes it (stop()) or goes away for any reason (a failed test, SIGINT,
 * SIGKILL), the watchdog shuts the server down and removes the directory. As root (CI, these
 * machines) `initdb` refuses to run, so the directory is handed to the `postgres` user and
 * every command runs as that user through `runuser`.
 *
 * Binaries: Debian's /usr/lib/postgresql/<version>/bin (the highest version), else the
 * directory `pg_config --bindir` names, else `initdb` on PATH.
 */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface PostgresBinaries {
  bindir: string
  /** The major version, from the directory name or `postgres --version`. */
  version: string
}

/** Where the PostgreSQL server binaries are, or null when this machine has none. */
export function findPostgres(): PostgresBinaries | null {
  if (userInfo().uid === 0) {
    // As root the cluster runs as the postgres user, which the package creates.
    try {
      postgresUid()
    } catch {
      return null
    }
  }
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0] !== undefined) return { bindir: path.join(debian, versions[0], 'bin'), version: versions[0] }
  }
  for (const probe of [() => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim(), () => path.dirname(whichSync('initdb'))]) {
    try {
      const bindir = probe()
      if (existsSync(path.join(bindir, 'initdb')) && existsSync(path.join(bindir, 'postgres'))) {
        const version = /(\d+)(\.\d+)?/.exec(execFileSync(path.join(bindir, 'postgres'), ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown'
        return { bindir, version }
      }
    } catch {
      // not this way
    }
  }
  return null
}

function whichSync(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name)
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  throw new Error(`${name} not on PATH`)
}

/** CI sets NIP_AP_REQUIRE_POSTGRES=1: then missing binaries fail the PostgreSQL tests instead of skipping them. */
export const PostgresRequired = process.env.NIP_AP_REQUIRE_POSTGRES === '1'

export const postgresBinaries = findPostgres()

/**
 * Whether the PostgreSQL tests must be skipped: no binaries and not required. Test files
 * use it with `describe.skipIf(skipPostgres)`; the warning says so loudly, once per file.
 */
export const skipPostgres = postgresBinaries === null && !PostgresRequired

export function warnIfSkipped(what: string): void {
  if (!skipPostgres) return
  const line = '!'.repeat(100)
  console.warn(
    `\n${line}\n!!! SKIPPED: ${what}: no PostgreSQL server binaries on this machine (looked in /usr/lib/postgresql/*/bin, ` +
      `pg_config --bindir, PATH).\n!!! These tests did NOT run. Install Debian's \`postgresql\` package; CI sets ` +
      `NIP_AP_REQUIRE_POSTGRES=1, which turns this skip into a failure.\n${line}\n`,
  )
}

export interface ClusterOptions {
  /**
   * Durable settings (fsync, synchronous_commit on: an acknowledged commit is on disk), as
   * the bench uses to compare with SQLite's synchronous=FULL. Default false: tests run with
   * fsync off, since no test crashes the server itself (relay processes are killed, not it).
   */
  durable?: boolean
  /** More `-c name=value` server settings. */
  settings?: Record<string, string>
}

export interface Cluster {
  readonly version: string
  /** Directory of the Unix socket. */
  readonly socketDir: string
  readonly port: number
  /** Connection URL of a database of this cluster (`?schema=` and other parameters appended). */
  url(database: string, params?: Record<string, string>): string
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>
  /** One query as the superuser on database `postgres`. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult<R>>
  /** Shuts the server down and removes its directory. */
  stop(): Promise<void>
}

const Port = 5432

const WatchdogScript = `
dir="$1"; bin="$2"; shift 2
"$bin/postgres" -D "$dir/data" "$@" >"$dir/server.log" 2>&1 &
server=$!
stop() { kill -INT "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"; exit 0; }
trap stop TERM INT HUP
read -r _ || true
stop
`

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binaries = postgresBinaries
  if (binaries === null) {
    throw new Error(
      'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin, pg_config --bindir, PATH)' +
        (PostgresRequired ? '; NIP_AP_REQUIRE_POSTGRES=1 requires them' : ''),
    )
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'nip-ap-pg-'))
  const asRoot = userInfo().uid === 0
  // initdb refuses to run as root: the cluster belongs to the postgres user then.
  const run = (command: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args])
  if (asRoot) chownSync(dir, postgresUid(), postgresGid())
  try {
    const [cmd, args] = run(path.join(binaries.bindir, 'initdb'), [
      '-D',
      path.join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ])
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? (error as Error).message}`)
  }
  const durable = options.durable ?? false
  const settings: Record<string, string> = {
    listen_addresses: '',
    port: String(Port),
    unix_socket_directories: dir,
    max_connections: '300',
    fsync: durable ? 'on' : 'off',
    synchronous_commit: durable ? 'on' : 'off',
    full_page_writes: durable ? 'on' : 'off',
    ...options.settings,
  }
  const serverArgs = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])
  const [cmd, args] = run('sh', ['-c', WatchdogScript, 'pg-watchdog', dir, binaries.bindir, ...serverArgs])
  // Its own process group: a Ctrl-C in the terminal reaches it only through the closed pipe.
  const watchdog = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  watchdog.stdin?.on('error', () => {})
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()))
  const url = (database: string, params: Record<string, string> = {}) => {
    const query = new URLSearchParams({ host: dir, port: String(Port), ...params }).toString()
    return `postgres://postgres@localhost/${encodeURIComponent(database)}?${query}`
  }
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres') => {
    const client = new pg.Client({ host: dir, port: Port, user: 'postgres', database })
    await client.connect()
    try {
      return await client.query<R>(sql, params)
    } finally {
      await client.end()
    }
  }
  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      watchdog.stdin?.end()
      const timer = setTimeout(() => watchdog.kill('SIGKILL'), 30_000)
      await exited
      clearTimeout(timer)
      // The watchdog removes the directory; this covers a watchdog that was killed.
      rmSync(dir, { recursive: true, force: true })
    })())
  try {
    await waitReady(dir, watchdog, exited)
  } catch (error) {
    const log = readLog(dir)
    await stop()
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`)
  }
  return {
    version: binaries.version,
    socketDir: dir,
    port: Port,
    url,
    createDatabase: async (name) => {
      await query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
      return url(name)
    },
    query,
    stop,
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'server.log'), 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    return '(no server log)'
  }
}

async function waitReady(dir: string, watchdog: ChildProcess, exited: Promise<void>): Promise<void> {
  let gone = false
  void exited.then(() => (gone = true))
  const deadline = Date.now() + 60_000
  for (;;) {
    if (gone) throw new Error(`the server exited (watchdog code ${watchdog.exitCode})`)
    const client = new pg.Client({ host: dir, port: Port, user: 'postgres', database: 'postgres' })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      await client.end()
      return
    } catch (error) {
      await client.end().catch(() => {})
      if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${(error as Error).message}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
}
