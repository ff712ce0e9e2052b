/** persona sync: drain the whole pending-sync queue now, then refresh the owner's personas. */

import { drainPendingSync, refreshPersonas } from '../sync.ts'
import type { CommandContext } from './context.ts'
import { ExitCode } from './exit-codes.ts'
import { fail } from './io.ts'

export async function runSync(ctx: CommandContext): Promise<number> {
  const key = ctx.ownerKey()
  const store = ctx.store()
  if (ctx.options.relay === null) fail(ExitCode.usage, 'error: no relay configured; pass --relay URL or set PERSONA_RELAY')
  const before = store.queue.count()
  const session = await ctx.relay({ drain: 'none' })
  if (session === null) {
    fail(ExitCode.unreachable, `error: ${ctx.relayProblem}; ${before.pending} event(s) still pending`, { pending: before.pending, failed: before.failed })
  }
  const report = await drainPendingSync(store, session.client, {
    now: () => ctx.nowSeconds(),
    secretKey: key.secretKey,
    window: session.window,
    maxMessageLength: session.maxMessageLength,
    force: true,
  })
  ctx.reportDrain(report)
  const refreshed = await refreshPersonas(store, session.client, key.pubkey)
  if (!refreshed.ok) ctx.note(`refresh failed: ${refreshed.message}`)
  else ctx.noteRejected(refreshed.rejected)
  const failedEntries = store.queue.list({ includeFailed: true }).entries.filter((e) => e.state === 'failed')
  const document = {
    ok: report.retrying.length === 0 && failedEntries.length === 0 && report.duplicate.length === 0,
    relay: session.client.url,
    sent: report.sent,
    duplicate: report.duplicate,
    restamped: report.restamped,
    superseded: report.superseded,
    retrying: report.retrying,
    failed: failedEntries.map((e) => ({ id: e.event.id, address: e.address, attempts: e.attempts, message: e.lastError })),
    remaining: report.remaining,
    refreshed: refreshed.ok ? { updated: refreshed.updated, deleted: refreshed.deleted } : null,
  }
  const lines = [
    `sent ${report.sent.length}, not the head ${report.duplicate.length}, re-stamped ${report.restamped.length}, superseded ${report.superseded.length}, retrying ${report.retrying.length}, failed ${failedEntries.length}`,
    ...report.duplicate.map((e) => `not the head  ${e.address}  ${e.message}`),
    ...failedEntries.map((e) => `failed  ${e.address}  ${e.lastError ?? ''}`),
    ...(refreshed.ok && refreshed.updated.length > 0 ? [`updated from the relay: ${refreshed.updated.join(', ')}`] : []),
  ]
  ctx.emit(document, lines)
  if (report.interrupted) return ExitCode.unreachable
  if (report.retrying.length > 0 || failedEntries.length > 0 || report.duplicate.length > 0) return ExitCode.partial
  return ExitCode.ok
}
