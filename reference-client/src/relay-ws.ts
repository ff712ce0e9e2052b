/**
 * The relay over WebSocket, through the project's one NIP-01 driver (lib/nip01): every wait
 * has a deadline, a session keeps at most the driver's bounded frame buffer (trimmed after
 * each operation), and a failure becomes a `failed` outcome with an `error:` message instead
 * of a hung command. With the owner's key it answers the relay's NIP-42 challenge when the
 * relay refuses something with `auth-required:`, once per connection, then sends the refused
 * message once more.
 */

import { Nip01Connection } from '../../lib/nip01/connection.ts'
import { isNip01Error } from '../../lib/nip01/errors.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { formatReason, reasonPrefixOf } from '../../spec/model/reasons.ts'
import { DefaultTimeoutMs, type PublishOutcome, type QueryOutcome, type RelayClient } from './relay-types.ts'

export type ConnectResult = { ok: true; relay: RelayClient } | { ok: false; message: string }

export interface ConnectOptions {
  timeoutMs?: number
  /** The owner's key: used only to answer NIP-42 challenges. */
  secretKey?: Uint8Array
}

function errorMessage(error: unknown): string {
  if (isNip01Error(error)) return formatReason('error', error.message)
  return formatReason('error', error instanceof Error ? error.message : String(error))
}

export async function connectRelayWs(url: string, options: ConnectOptions = {}): Promise<ConnectResult> {
  const timeoutMs = options.timeoutMs ?? DefaultTimeoutMs
  try {
    // A relay that sends garbage frames is tolerated: they are not NIP-01 and answer nothing.
    const connection = await Nip01Connection.open(url, { label: url, timeoutMs, malformed: 'ignore', subIdPrefix: 'persona' })
    return { ok: true, relay: wrapConnection(connection, timeoutMs, options.secretKey) }
  } catch (error) {
    return { ok: false, message: errorMessage(error) }
  }
}

function wrapConnection(connection: Nip01Connection, timeoutMs: number, secretKey: Uint8Array | undefined): RelayClient {
  let authAttempt: Promise<boolean> | null = null

  /** NIP-42, once per connection (a relay may allow only one): true when the relay accepted the owner key. */
  function authenticate(): Promise<boolean> {
    if (secretKey === undefined) return Promise.resolve(false)
    authAttempt ??= connection.authenticate(secretKey, { timeoutMs }).then(
      (reply) => reply.accepted,
      () => false,
    )
    return authAttempt
  }

  async function publishOnce(event: NostrEvent): Promise<PublishOutcome> {
    try {
      const reply = await connection.publish(event)
      return reply.accepted ? { status: 'accepted', message: reply.message } : { status: 'refused', message: reply.message }
    } catch (error) {
      return { status: 'failed', message: errorMessage(error) }
    } finally {
      connection.trim()
    }
  }

  /** The outcome, and whether the relay closed the subscription with `auth-required:`. */
  async function queryOnce(filters: Filter[]): Promise<{ outcome: QueryOutcome; authRequired: boolean }> {
    try {
      const reply = await connection.query(filters)
      if (reply.closed === undefined) return { outcome: { ok: true, events: reply.events }, authRequired: false }
      const message = reply.closed === '' ? formatReason('error', 'subscription closed') : reply.closed
      return { outcome: { ok: false, message }, authRequired: reasonPrefixOf(reply.closed) === 'auth-required' }
    } catch (error) {
      return { outcome: { ok: false, message: errorMessage(error) }, authRequired: false }
    } finally {
      connection.trim()
    }
  }

  return {
    url: connection.url,
    transport: 'ws',

    async publish(event) {
      const first = await publishOnce(event)
      if (first.status !== 'refused' || reasonPrefixOf(first.message) !== 'auth-required' || !(await authenticate())) return first
      return publishOnce(event)
    },

    async query(filters) {
      const first = await queryOnce(filters)
      if (!first.authRequired || !(await authenticate())) return first.outcome
      return (await queryOnce(filters)).outcome
    },

    async close() {
      await connection.close()
    },
  }
}
