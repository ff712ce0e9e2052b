/** persona key generate | show | import */

import { existsSync } from 'node:fs'
import { generateOwnerKey, loadOwnerKey, type OwnerKey, parseSecretKey, saveOwnerKey } from '../keys.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { fail } from './io.ts'

function describe(ctx: CommandContext, key: OwnerKey, action: string): number {
  ctx.emit({ ok: true, action, pubkey: key.pubkey, npub: key.npub, key_file: ctx.home.keyFile }, [
    `pubkey ${key.pubkey}`,
    `npub   ${key.npub}`,
  ])
  return ExitCode.ok
}

function refuseOverwrite(ctx: CommandContext, force: boolean): void {
  if (!force && existsSync(ctx.home.keyFile)) {
    fail(ExitCode.conflict, `error: an owner key already exists at ${ctx.home.keyFile}; pass --force to replace it (the old key is lost)`)
  }
}

export async function runKeyGenerate(ctx: CommandContext, values: { force?: boolean }): Promise<number> {
  refuseOverwrite(ctx, values.force === true)
  ctx.ensureHome()
  const key = generateOwnerKey()
  saveOwnerKey(ctx.home.keyFile, key)
  ctx.note(`wrote a new owner key to ${ctx.home.keyFile} (mode 0600)`)
  return describe(ctx, key, 'generated')
}

export async function runKeyShow(ctx: CommandContext): Promise<number> {
  const loaded = loadOwnerKey(ctx.home.keyFile)
  if (!loaded.ok) fail('missing' in loaded ? ExitCode.notFound : ExitCode.error, loaded.message)
  return describe(ctx, loaded.key, 'show')
}

export async function runKeyImport(ctx: CommandContext, values: { force?: boolean }, positionals: string[]): Promise<number> {
  const source = positionals[0] ?? '-'
  const text = source === '-' ? await ctx.io.readStdin() : source
  const parsed = parseSecretKey(text)
  if (!parsed.ok) fail(ExitCode.invalid, parsed.message)
  refuseOverwrite(ctx, values.force === true)
  ctx.ensureHome()
  saveOwnerKey(ctx.home.keyFile, parsed.key)
  ctx.note(`imported the owner key into ${ctx.home.keyFile} (mode 0600)`)
  return describe(ctx, parsed.key, 'imported')
}
