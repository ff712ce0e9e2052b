/**
 * The typed messages stages exchange. Each stage has one inbox (`post`) taking one union;
 * stages never call into each other's state. Replies to a client always go back through the
 * websocket stage as an OutboundMsg.
 *
 *   websocket ─IngesterMsg─▶ ingester ─WriterMsg─▶ writer ─(storage writer thread)
 *                              │  └─ReqWorkerMsg─▶ req-worker ─(storage reader threads)
 *                              │                       │
 *                              └──MonitorMsg──▶ monitor ◀──MonitorMsg (subscribe, answered; publish from the writer)
 *   every stage ─OutboundMsg─▶ websocket
 */

import type { NostrEvent } from '../../spec/model/event.ts'
import type { Filter } from '../../spec/model/filter.ts'

/** A WebSocket connection, numbered by the websocket stage. */
export type ConnId = number

/** The answer to one EVENT, whichever door it came through. */
export interface EventOutcome {
  /** The event id to echo in OK, or null when the message carried no usable id. */
  id: string | null
  accepted: boolean
  message: string
}

/**
 * An answer the store can give before the event is verified, and whether the signature
 * must still be checked before it is sent.
 */
export interface Precheck {
  outcome: EventOutcome
  needsVerification: boolean
}

export type EventReply = (outcome: EventOutcome) => void

/** websocket → ingester */
export type IngesterMsg =
  /** A connection opened (the NIP-42 challenge, when the relay asks for one, goes out now). */
  | { type: 'open'; conn: ConnId }
  | { type: 'frame'; conn: ConnId; text: string }
  /** A frame over max_message_length but under the hard cap: refused politely. */
  | { type: 'oversized'; conn: ConnId; text: string; bytes: number }
  | { type: 'binary'; conn: ConnId }
  /** The connection is gone: what it had in flight is no longer counted against it. */
  | { type: 'disconnect'; conn: ConnId }

/** ingester → writer: an event that passed every stateless check and its signature. */
export type WriterMsg = {
  type: 'write'
  event: NostrEvent
  /** Its size on the wire, for the batch's byte bound. */
  bytes: number
  reply: EventReply
}

/** ingester → req-worker */
export type ReqWorkerMsg =
  | { type: 'req'; conn: ConnId; subId: string; filters: Filter[] }
  | { type: 'count'; conn: ConnId; subId: string; filters: Filter[] }

/** ingester / req-worker / writer → monitor */
export type MonitorMsg =
  /**
   * A REQ: the subscription is live from now on, but its live events wait until its stored
   * events are out (`answered`); `token` names this REQ among later ones with the same id.
   */
  | { type: 'subscribe'; conn: ConnId; subId: string; filters: Filter[]; token: number }
  /** The REQ's stored events, encoded, and the commit its snapshot includes. */
  | { type: 'answered'; conn: ConnId; subId: string; token: number; commit: number; frames: string[] }
  /** The REQ's stored events could not be read: the subscription ends with CLOSED. */
  | { type: 'failed'; conn: ConnId; subId: string; token: number; message: string }
  /** CLOSE, or a refused REQ (which ends the subscription it would have replaced). */
  | { type: 'unsubscribe'; conn: ConnId; subId: string }
  | { type: 'disconnect'; conn: ConnId }
  /** A new event to fan out; `commit`: the batch that stored it, null for an event not stored (ephemeral). */
  | { type: 'publish'; event: NostrEvent; commit: number | null }
  /** Live events were missed (another relay process's, PostgreSQL): every subscription ends with CLOSED `message`. */
  | { type: 'lost'; message: string }

/** any stage → websocket */
export type OutboundMsg =
  | { type: 'send'; conn: ConnId; frames: string[] }
  | { type: 'end'; conn: ConnId; code: number; reason: string }

export interface Inbox<M> {
  post(msg: M): void
}
