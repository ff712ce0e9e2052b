/** What every relay transport (WebSocket, HTTP bridge) answers. */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'

/**
 * `accepted`: the relay said OK true (a `duplicate:` answer is also accepted: the relay
 * already holds this or a newer version). `refused`: OK false with the relay's message.
 * `failed`: no answer (timeout, connection lost, transport error): worth retrying.
 */
export type PublishOutcome =
  | { status: 'accepted'; message: string }
  | { status: 'refused'; message: string }
  | { status: 'failed'; message: string }

export type QueryOutcome = { ok: true; events: unknown[] } | { ok: false; message: string }

export type TransportName = 'ws' | 'http'

export interface RelayClient {
  readonly url: string
  readonly transport: TransportName
  publish(event: NostrEvent): Promise<PublishOutcome>
  /** Raw events as the relay sent them; callers verify before trusting them. */
  query(filters: Filter[]): Promise<QueryOutcome>
  close(): Promise<void>
}

export const DefaultTimeoutMs = 5000
