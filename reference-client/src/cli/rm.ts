/** persona rm SLUG: a NIP-09 deletion with `a` and `k`, stored as a tombstone and queued. */

import { formatAddress } from '../../../spec/model/head.ts'
import { PersonaKind } from '../../../spec/model/kinds.ts'
import { reasonPrefixOf } from '../../../spec/model/reasons.ts'
import { checkSlug } from '../../../spec/model/slug.ts'
import { buildPersonaDeletion } from '../delete.ts'
import { refreshPersonas } from '../sync.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { fail } from './io.ts'
import { sendQueued } from './send.ts'

export async function runRm(ctx: CommandContext, _values: unknown, positionals: string[]): Promise<number> {
  const slug = positionals[0] as string
  const slugCheck = checkSlug(slug)
  if (!slugCheck.ok) fail(ExitCode.invalid, slugCheck.message)
  const key = ctx.ownerKey()
  const store = ctx.store()
  const session = await ctx.relay()
  if (session) {
    const refreshed = await refreshPersonas(store, session.client, key.pubkey, slug)
    if (!refreshed.ok) ctx.note(`could not read the relay's head (${refreshed.message}); using the local store`)
  } else {
    ctx.note(`${ctx.relayProblem}; the deletion is stored locally and queued for sync`)
  }
  const read = store.readPersona(key.pubkey, slug)
  if (read.status === 'missing') fail(ExitCode.notFound, `error: no persona ${slug} to delete`)
  if (read.status === 'deleted') fail(ExitCode.notFound, `error: persona ${slug} is already deleted (${read.deletion.id})`)
  const built = buildPersonaDeletion({
    secretKey: key.secretKey,
    slug,
    now: ctx.nowSeconds(),
    lastCreatedAt: store.lastTimestampOf(key.pubkey, slug),
    window: session?.window,
  })
  if (!built.ok) fail(reasonPrefixOf(built.message) === 'blocked' ? ExitCode.refused : ExitCode.invalid, built.message)
  const deletion = built.event
  store.transaction(() => {
    store.putDeletion(deletion)
    store.dropPendingFor(formatAddress(PersonaKind, key.pubkey, slug))
    store.enqueueSync(deletion, ctx.nowSeconds())
  })
  const sent = await sendQueued(ctx, session, deletion.id)
  ctx.emit(
    { ok: sent.status !== 'refused', slug, pubkey: key.pubkey, deletion_id: sent.id, created_at: deletion.created_at, sync: sent.status, relay_message: sent.message },
    [`${slug}: deleted${sent.status === 'sent' ? '' : sent.status === 'queued' ? ' locally, deletion queued for sync' : `; the relay REFUSED the deletion: ${sent.message}`}`, `deletion ${sent.id}`],
  )
  return sent.status === 'refused' ? ExitCode.refused : ExitCode.ok
}
