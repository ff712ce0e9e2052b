/**
 * The typed messages stages exchange. Each stage has one inbox (`post`) taking one union;
 * replies to a client always go back through the websocket stage as an OutboundMsg.
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
 * An answer the writer can give from the store before the event is verified, and whether
 * the signature must still be checked before it is sent.
 */
export interface Precheck {
  outcome: EventOutcome
  needsVerification: boolean
}

export type EventReply = (outcome: EventOutcome) => void

/** websocket → ingester */
export type IngesterMsg =
  | { type: 'frame'; conn: ConnId; text: string }
  /** A frame over max_message_length but under the hard cap: refused politely. */
  | { type: 'oversized'; conn: ConnId; text: string; bytes: number }
  | { type: 'binary'; conn: ConnId }

/** ingester → writer: an event that passed every stateless check and its signature. */
export type WriterMsg = { type: 'write'; event: NostrEvent; reply: EventReply }

/** ingester → req-worker */
export type ReqWorkerMsg =
  | { type: 'req'; conn: ConnId; subId: string; filters: Filter[] }
  | { type: 'count'; conn: ConnId; subId: string; filters: Filter[] }

/** ingester / req-worker / writer → monitor */
export type MonitorMsg =
  | { type: 'subscribe'; conn: ConnId; subId: string; filters: Filter[] }
  | { type: 'unsubscribe'; conn: ConnId; subId: string }
  | { type: 'disconnect'; conn: ConnId }
  /** A new event to fan out to matching live subscriptions. */
  | { type: 'publish'; event: NostrEvent }

/** any stage → websocket */
export type OutboundMsg =
  | { type: 'send'; conn: ConnId; frames: string[] }
  | { type: 'end'; conn: ConnId; code: number; reason: string }

export interface Inbox<M> {
  post(msg: M): void
}
