/** persona import-legacy FILE: a legacy personas.json into signed events in the store. */

import { readFileSync } from 'node:fs'
import { importLegacyPersonas } from '../migrate.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { fail } from './io.ts'

export async function runImportLegacy(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const file = positionals[0] as string
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    fail(ExitCode.notFound, `error: cannot read ${file}: ${(error as Error).message}`)
  }
  const key = ctx.ownerKey()
  const store = ctx.store()
  const result = importLegacyPersonas(store, { secretKey: key.secretKey, text, now: ctx.nowSeconds() })
  const { report } = result
  for (const error of report.errors) ctx.warn(`record ${error.index}${typeof error.id === 'string' ? ` (${error.id})` : ''} refused: ${error.message}`)
  if (!result.ok) fail(ExitCode.invalid, result.message, { report })

  let sync: { sent: number; pending: number } | null = null
  if (report.imported.length > 0) {
    const session = await ctx.relay()
    if (session === null) ctx.note(`${ctx.relayProblem}; imported personas are queued for sync`)
    const counts = store.queue.count()
    sync = { sent: session?.drain?.sent.length ?? 0, pending: counts.pending }
  }
  if (report.already_migrated) ctx.note('the store already holds personas of this owner: already migrated, nothing imported')
  ctx.emit({ ok: report.errors.length === 0, file, ...report, sync }, [
    `imported ${report.imported.length}, builtins skipped ${report.skipped_builtin.length}, refused ${report.errors.length}${report.already_migrated ? ' (already migrated)' : ''}`,
    ...report.imported.map((item) => `imported  ${item.slug}${item.env_vars > 0 ? ` (${item.env_vars} env var(s) kept local)` : ''}`),
    ...report.skipped_builtin.map((slug) => `builtin   ${slug}`),
  ])
  return report.errors.length > 0 ? ExitCode.partial : ExitCode.ok
}
