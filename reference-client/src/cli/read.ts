/** persona get SLUG and persona ls: the store's view, refreshed from the relay when it answers. */

import { formatAddress } from '../../../spec/model/head.ts'
import { PersonaKind } from '../../../spec/model/kinds.ts'
import { checkSlug } from '../../../spec/model/slug.ts'
import { parsePubkey } from '../keys.ts'
import { viewPersona } from '../persona.ts'
import { refreshPersonas } from '../sync.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { isoTime, oneLine, shortHex, table } from './format.ts'
import { fail } from './io.ts'

function authorOf(ctx: CommandContext, author: string | undefined): string {
  if (author === undefined) return ctx.ownerKey().pubkey
  const parsed = parsePubkey(author)
  if (!parsed.ok) fail(ExitCode.invalid, parsed.message)
  return parsed.pubkey
}

async function refresh(ctx: CommandContext, pubkey: string, slug?: string): Promise<'relay' | 'store'> {
  const store = ctx.store()
  const session = await ctx.relay()
  if (session === null) {
    ctx.note(`${ctx.relayProblem}; answering from the local store`)
    return 'store'
  }
  const refreshed = await refreshPersonas(store, session.client, pubkey, slug)
  if (!refreshed.ok) {
    ctx.note(`relay read failed (${refreshed.message}); answering from the local store`)
    return 'store'
  }
  ctx.noteRejected(refreshed.rejected)
  return 'relay'
}

export async function runGet(ctx: CommandContext, values: { author?: string }, positionals: string[]): Promise<number> {
  const slug = positionals[0] as string
  const slugCheck = checkSlug(slug)
  if (!slugCheck.ok) fail(ExitCode.invalid, slugCheck.message)
  const pubkey = authorOf(ctx, values.author)
  const source = await refresh(ctx, pubkey, slug)
  const store = ctx.store()
  const read = store.personas.read(pubkey, slug)
  if (read.status === 'missing') fail(ExitCode.notFound, `error: no persona ${slug} for ${pubkey}`)
  if (read.status === 'deleted') fail(ExitCode.notFound, `error: persona ${slug} was deleted (${read.deletion.id} at ${isoTime(read.deletion.created_at)})`)
  if (read.status === 'corrupt') fail(ExitCode.error, read.message)
  const view = viewPersona(read.event)
  const pending = store.queue.addresses().has(formatAddress(PersonaKind, pubkey, slug))
  const envNames = Object.keys(store.env.read(pubkey, slug))
  if (!view.ok) {
    ctx.emit({ ok: false, slug, pubkey, id: read.event.id, error: view.message, event: read.event }, [`${slug}: unreadable body: ${view.message}`])
    return ExitCode.invalid
  }
  const { content } = view
  ctx.emit(
    {
      ok: true,
      slug,
      pubkey,
      id: view.id,
      created_at: view.created_at,
      version: view.version,
      content,
      unknown_fields: view.unknown_fields,
      env_var_names: envNames,
      pending_sync: pending,
      source,
      event: read.event,
    },
    [
      `slug          ${slug}`,
      `author        ${pubkey}`,
      `id            ${view.id}`,
      `created_at    ${view.created_at} (${isoTime(view.created_at)})`,
      `version       ${view.version}`,
      `display_name  ${content.display_name}`,
      `system_prompt ${content.system_prompt}`,
      `model         ${content.model ?? '-'}`,
      `provider      ${content.provider ?? '-'}`,
      `runtime       ${content.runtime ?? '-'}`,
      `avatar_url    ${content.avatar_url ?? '-'}`,
      `name_pool     ${content.name_pool.length > 0 ? content.name_pool.join(', ') : '-'}`,
      `local env     ${envNames.length > 0 ? `${envNames.join(', ')} (values hidden)` : '-'}`,
      `sync          ${pending ? 'pending' : 'synced or not queued'}`,
    ],
  )
  return ExitCode.ok
}

export async function runLs(ctx: CommandContext, values: { author?: string }): Promise<number> {
  const pubkey = authorOf(ctx, values.author)
  const source = await refresh(ctx, pubkey)
  const store = ctx.store()
  const { events, corrupt } = store.personas.list(pubkey)
  for (const entry of corrupt) ctx.warn(`stored persona ${entry.key} failed verification and is ignored: ${entry.message}`)
  const pending = store.queue.addresses()
  const personas = events.map((event) => {
    const view = viewPersona(event)
    const queued = pending.has(formatAddress(PersonaKind, pubkey, view.slug))
    return view.ok
      ? { slug: view.slug, id: view.id, created_at: view.created_at, version: view.version, display_name: view.content.display_name, model: view.content.model, pending_sync: queued }
      : { slug: view.slug, id: view.id, created_at: view.created_at, version: null, display_name: null, model: null, pending_sync: queued, error: view.message }
  })
  const rows = [['SLUG', 'DISPLAY NAME', 'MODEL', 'VERSION', 'SYNC']]
  for (const p of personas) {
    rows.push([p.slug, oneLine(p.display_name ?? '(unreadable)', 32), p.model ?? '-', p.version ? shortHex(p.version) : '-', p.pending_sync ? 'pending' : ''])
  }
  ctx.emit({ ok: true, pubkey, source, personas }, personas.length === 0 ? [] : table(rows))
  if (personas.length === 0) ctx.note('no personas')
  return ExitCode.ok
}
