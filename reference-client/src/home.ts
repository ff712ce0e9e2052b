/**
 * PERSONA_HOME: the one directory that holds the owner key, the retention store, the agent
 * records and agent logs. The directory is 0700 and every file in it is created 0600,
 * because the key and the pinned env vars are secrets.
 */

import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const DirMode = 0o700
export const FileMode = 0o600

export interface PersonaHome {
  dir: string
  keyFile: string
  storeFile: string
  agentsFile: string
  /** Per-agent run state written by the supervisor, `NAME.run.json`. */
  runDir: string
  logDir: string
}

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

/** Creates a private directory (and its parents) or tightens an existing one to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DirMode })
  chmodSync(dir, DirMode)
}

export function ensureHome(home: PersonaHome): void {
  ensurePrivateDir(home.dir)
  ensurePrivateDir(home.runDir)
  ensurePrivateDir(home.logDir)
}

/** Creates an empty 0600 file when absent (so a library that creates it later keeps the mode). */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', FileMode))
  chmodSync(path, FileMode)
}

/**
 * Writes a whole file atomically: a 0600 temporary beside it, fsync, then rename. Readers
 * never see a half-written file and a crash leaves the old version in place.
 */
export function writePrivateFile(path: string, data: string): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
  const fd = openSync(temporary, 'w', FileMode)
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(temporary, FileMode)
  renameSync(temporary, path)
}

export function readTextFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  return readFileSync(path, 'utf8')
}
