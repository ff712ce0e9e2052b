/**
 * PERSONA_HOME: the one directory that holds the owner key, the retention store, the agent
 * records and agent logs. A new directory is created 0700 and every file in it 0600,
 * because the key and the pinned env vars are secrets. An existing directory is used only
 * when it already is private to this user; it is never chmodded behind the user's back.
 */

import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, type Stats, statSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const DirMode = 0o700
export const FileMode = 0o600

export interface PersonaHome {
  dir: string
  keyFile: string
  storeFile: string
  agentsFile: string
  /** Per-agent run state written by the supervisor, `NAME.json`. */
  runDir: string
  logDir: string
}

export type DirCheck = { ok: true } | { ok: false; message: string }

export function resolveHomeDir(env: Record<string, string | undefined>): string {
  const configured = env.PERSONA_HOME
  if (configured !== undefined && configured !== '') return configured
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.persona')
}

export function personaHome(dir: string): PersonaHome {
  return {
    dir,
    keyFile: join(dir, 'key'),
    storeFile: join(dir, 'store.db'),
    agentsFile: join(dir, 'agents.json'),
    runDir: join(dir, 'run'),
    logDir: join(dir, 'logs'),
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}

/**
 * Whether an existing directory may hold secrets: a directory (symlinks followed), owned by
 * this user, with no permission bits for group or others. `uid` is null where the platform
 * has no owners to compare.
 */
export function checkPrivateDir(label: string, dir: string, stats: Pick<Stats, 'isDirectory' | 'mode' | 'uid'>, uid: number | null): DirCheck {
  if (!stats.isDirectory()) return { ok: false, message: `invalid: ${label} ${dir} is not a directory` }
  if (uid !== null && stats.uid !== uid) return { ok: false, message: `invalid: ${label} ${dir} belongs to user ${stats.uid}, not to you (${uid}); refusing to keep secrets there` }
  if ((stats.mode & 0o077) !== 0) {
    return { ok: false, message: `invalid: ${label} ${dir} is mode ${octal(stats.mode)}, open to other users; refusing to keep secrets there (chmod 700 it yourself, or choose another PERSONA_HOME)` }
  }
  return { ok: true }
}

/** Creates a private directory (and its missing parents) 0700, or accepts an existing one that is already private. */
export function ensurePrivateDir(label: string, dir: string): DirCheck {
  let created: string | undefined
  try {
    created = mkdirSync(dir, { recursive: true, mode: DirMode })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTDIR') return { ok: false, message: `invalid: ${label} ${dir} is not a directory` }
    throw error
  }
  if (created !== undefined) return { ok: true }
  return checkPrivateDir(label, dir, statSync(dir), typeof process.getuid === 'function' ? process.getuid() : null)
}

export function ensureHome(home: PersonaHome): DirCheck {
  for (const [label, dir] of [
    ['PERSONA_HOME', home.dir],
    ['PERSONA_HOME/run', home.runDir],
    ['PERSONA_HOME/logs', home.logDir],
  ] as const) {
    const checked = ensurePrivateDir(label, dir)
    if (!checked.ok) return checked
  }
  return { ok: true }
}

/** Creates an empty 0600 file when absent (so a library that creates it later keeps the mode); an existing file is left as it is. */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', FileMode))
}

/**
 * Writes a whole file atomically: a new 0600 temporary beside it (a random name opened
 * exclusively, so nothing planted there is followed or reused), fsync, then rename. Readers
 * never see a half-written file, a crash leaves the old version in place, and a failure
 * removes the temporary.
 */
export function writePrivateFile(path: string, data: string): void {
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`
  const fd = openSync(temporary, 'wx', FileMode)
  try {
    try {
      writeSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

export function readTextFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  return readFileSync(path, 'utf8')
}
