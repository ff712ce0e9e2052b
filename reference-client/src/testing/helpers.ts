/**
 * Fixtures shared by the client's tests: homes, signed events, an in-process CLI runner.
 * Temporary directories come from scripts/test-support/scratch-dirs.ts (removed after each test file).
 */

import { join } from 'node:path'
import { finalizeEvent } from 'nostr-tools/pure'
import { personaDeletionTags } from '../../../spec/model/deletion.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
import { DeletionKind, PersonaKind } from '../../../spec/model/kinds.ts'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { main } from '../cli.ts'
import type { CliIo } from '../cli/io.ts'

export function signPersona(secretKey: Uint8Array, slug: string, body: Record<string, unknown>, createdAt: number, tags?: string[][]): NostrEvent {
  return finalizeEvent({ kind: PersonaKind, created_at: createdAt, tags: tags ?? [['d', slug]], content: JSON.stringify(body) }, secretKey)
}

export function signDeletion(secretKey: Uint8Array, slug: string, createdAt: number): NostrEvent {
  return finalizeEvent({ kind: DeletionKind, created_at: createdAt, tags: personaDeletionTags(getPublicKey(secretKey), slug), content: '' }, secretKey)
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

export interface CliRun {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (for --json runs). */
  json: () => Record<string, unknown>
}

/** Runs `persona ARGS` in-process against the given environment. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, options: { stdin?: string; clock?: () => number } = {}): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env,
    readStdin: async () => options.stdin ?? '',
    clock: options.clock ?? Date.now,
  }
  const code = await main(argv, io)
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> }
}

/** Polls until `probe` returns a value, or throws after the deadline. */
export async function waitFor<T>(probe: () => T | undefined, what: string, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export interface CliHome {
  /** The directory holding the home (and anything else the test writes). */
  dir: string
  /** PERSONA_HOME. */
  home: string
  env: Record<string, string | undefined>
  secretKey: Uint8Array
  pubkey: string
  /** Runs `persona ARGS` in this home. */
  run: (...argv: string[]) => Promise<CliRun>
}

/**
 * A fresh PERSONA_HOME in `dir` (a fresh scratch directory the test file removes, from
 * scratchDirs) with a newly generated owner key imported, pointed at `relay` (none: offline).
 */
export async function cliHome(relay: string | null, dir: string): Promise<CliHome> {
  const home = join(dir, 'home')
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, PERSONA_HOME: home, PERSONA_RELAY: relay ?? undefined }
  const secretKey = generateSecretKey()
  const run = (...argv: string[]) => runCli(argv, env)
  const imported = await runCli(['key', 'import', '-'], env, { stdin: Buffer.from(secretKey).toString('hex') })
  if (imported.code !== 0) throw new Error(`key import failed: ${imported.stderr}`)
  return { dir, home, env, secretKey, pubkey: getPublicKey(secretKey), run }
}

/** The seven NIP-01 fields only (finalizeEvent adds a symbol-keyed cache that deep equality sees). */
export function plainEvent(event: NostrEvent): NostrEvent {
  return JSON.parse(JSON.stringify(event)) as NostrEvent
}
