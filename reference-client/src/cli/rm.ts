/** persona rm SLUG: a NIP-09 deletion with `a` and `k`, stored as a tombstone and queued. */

import { DefaultSkewSeconds, symmetricWindow } from '../../../spec/model/clock.ts'
import { formatAddress } from '../../../spec/model/head.ts'
import { checkEventMessageSize } from '../../../spec/model/message-size.ts'
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
    else ctx.noteRejected(refreshed.rejected)
  } else {
    ctx.note(`${ctx.relayProblem}; the deletion is stored locally and queued for sync`)
  }
  const read = store.personas.read(key.pubkey, slug)
  if (read.status === 'missing') fail(ExitCode.notFound, `error: no persona ${slug} to delete`)
  if (read.status === 'deleted') fail(ExitCode.notFound, `error: persona ${slug} is already deleted (${read.deletion.id})`)
  // a corrupt row is deleted like any other: the deletion covers whatever the address holds
  const built = buildPersonaDeletion({
    secretKey: key.secretKey,
    slug,
    now: ctx.nowSeconds(),
    lastCreatedAt: store.personas.lastTimestampOf(key.pubkey, slug),
    window: session?.window ?? symmetricWindow(DefaultSkewSeconds),
  })
  if (!built.ok) fail(reasonPrefixOf(built.message) === 'blocked' ? ExitCode.refused : ExitCode.invalid, built.message)
  const deletion = built.event
  const size = checkEventMessageSize(deletion, session?.maxMessageLength)
  if (!size.ok) fail(ExitCode.refused, size.message)
  store.transaction(() => {
    const put = store.personas.putDeletion(deletion)
    if (put.status !== 'stored') fail(ExitCode.error, `error: the store did not keep the deletion (${put.message})`)
    store.queue.dropFor(formatAddress(PersonaKind, key.pubkey, slug))
    store.queue.enqueue(deletion, ctx.nowSeconds())
  })
  const sent = await sendQueued(ctx, session, deletion.id)
  ctx.emit(
    { ok: sent.status === 'sent' || sent.status === 'queued', slug, pubkey: key.pubkey, deletion_id: sent.id, created_at: deletion.created_at, sync: sent.status, relay_message: sent.message },
    [`${slug}: deleted${sent.status === 'sent' ? '' : sent.status === 'queued' ? ' locally, deletion queued for sync' : `; the relay REFUSED the deletion: ${sent.message}`}`, `deletion ${sent.id}`],
  )
  return sent.status === 'refused' ? ExitCode.refused : ExitCode.ok
}
