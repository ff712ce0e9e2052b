/** After a local write: push the queue now when the relay is up, and say what became of one event. */

import { drainPendingSync, type RelayHead } from '../sync.ts'
import type { CommandContext, RelaySession } from './context.ts'

/**
 * `sent`: the relay accepted it and it is the relay's head; `duplicate`: the relay answered
 * `duplicate:` and something else is its head (AP-WRITE-4); `queued`: not delivered yet;
 * `refused`: refused for good.
 */
export type SendStatus = 'sent' | 'duplicate' | 'queued' | 'refused'

export interface SendOutcome {
  status: SendStatus
  /** The event id the relay holds (a stale queued event may have been re-stamped). */
  id: string
  message: string
  /** With `duplicate`: the relay's head that won, or null when it has none or could not be read. */
  head: RelayHead | null
}

export async function sendQueued(ctx: CommandContext, session: RelaySession | null, id: string): Promise<SendOutcome> {
  if (session === null) return { status: 'queued', id, message: ctx.relayProblem ?? 'relay not in use', head: null }
  const key = ctx.maybeOwnerKey()
  const report = await drainPendingSync(ctx.store(), session.client, {
    now: () => ctx.nowSeconds(),
    secretKey: key?.secretKey,
    window: session.window,
    maxMessageLength: session.maxMessageLength,
  })
  ctx.noteRejected(report.rejected)
  const finalId = report.restamped.find((r) => r.from === id)?.to ?? id
  for (const item of report.restamped) if (item.from !== id) ctx.note(`re-stamped stale queued event for ${item.address}`)
  const sent = report.sent.find((item) => item.id === finalId)
  if (sent) return { status: 'sent', id: finalId, message: sent.message, head: null }
  const duplicate = report.duplicate.find((item) => item.id === finalId)
  if (duplicate) return { status: 'duplicate', id: finalId, message: duplicate.message, head: duplicate.head }
  const failed = report.failed.find((item) => item.id === finalId)
  if (failed) return { status: 'refused', id: finalId, message: failed.message, head: null }
  const retrying = report.retrying.find((item) => item.id === finalId)
  return { status: 'queued', id: finalId, message: retrying?.message ?? 'queued behind earlier events', head: null }
}
