/**
 * The HTTP bridge once a POST body is in hand: NIP-98, body parsing, then one of the three
 * routes against a backend that is the relay's own pipeline. Free of uWebSockets.js; the
 * websocket stage feeds it and writes its HttpReply back.
 *
 * Precedence (spec section 16.1): 404 (the relay's catch-all route), then 405 and the
 * preflight (routes.ts) and 413 (body.ts) before this; then 401/429 (auth), then 400 (body
 * not JSON or not of the route's shape), then the route. Every refused event is a 400.
 */

import type { Filter } from '../../../spec/model/filter.ts'
import type { SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
import { CountGateRefusal, passesReadGate } from '../../../spec/model/read-gate.ts'
import { mayWriteAs, RelayAuthMessages } from '../../../spec/model/relay-auth.ts'
import type { ThreadQuery, TopLevelQuery } from '../../../spec/model/thread.ts'
import type { StoredEvent } from '../storage/event-store.ts'
import { ReadsBusyError } from '../storage/read-gate.ts'
import { authenticate, authenticateOrigin, type HttpAuthMode, type Requester, type SignatureCheck } from './auth.ts'
import { parseFilterList, parseJsonBody } from './parse.ts'
import { concatenateAnswers, isPlainQuery, planQuery, type QueryPart, withoutLimit } from './query-plan.ts'
import { ReplayCache } from './replay-cache.ts'
import { absoluteRequestUrl, type RequestTarget } from './request-url.ts'
import { errorReply, eventsReply, type HttpReply, jsonReply } from './responses.ts'
import type { BridgeRoute } from './routes.ts'

/** The answer of the ingest pipeline to one event (the same as an OK over WebSocket). */
export interface SubmitOutcome {
  id: string | null
  accepted: boolean
  message: string
}

/** What the bridge needs from the relay. Every door shares these, so both see one store. */
export interface BridgeBackend {
  /** Runs one parsed JSON value through the same ingest pipeline as a WebSocket EVENT. */
  submitEvent(event: unknown, requester: Requester): Promise<SubmitOutcome>
  /** NIP-01 filters answered exactly as a REQ answers them: the union, newest first. */
  query(filters: Filter[], requester: Requester): Promise<StoredEvent[]> | StoredEvent[]
  /** Replies under a root (spec/model selectThreadReplies semantics). */
  threadReplies(query: ThreadQuery, conditions: Filter, requester: Requester): Promise<StoredEvent[]> | StoredEvent[]
  /** A channel's top-level feed (spec/model selectTopLevel semantics). */
  topLevel(query: TopLevelQuery, conditions: Filter, requester: Requester): Promise<StoredEvent[]> | StoredEvent[]
  /** NIP-45 count over plain filters, exactly as a WebSocket COUNT answers it. */
  count(filters: Filter[], requester: Requester): Promise<number> | number
  /** Ids of every event a part matches, no limit and no clamp (for /count with extensions). */
  matchingIds(part: QueryPart, requester: Requester): Promise<Iterable<string>> | Iterable<string>
}

export interface BridgeSettings {
  auth: HttpAuthMode
  /** Origin (and optional path prefix) to use for NIP-98 `u` checks; null: from Host. */
  publicUrl: string | null
  /** host:port the relay listens on, used when a request has no Host header. */
  listenAddress: string
  maxFilters: number
  /** Milliseconds since the epoch. */
  clock: () => number
  /** NIP-98 signature checks: the relay's verifier, off the event loop. */
  verifySignature: SignatureCheck
  log: (line: string) => void
  /** NIP-98 checks left out on purpose (test faults only). */
  authSkips?: ReadonlySet<SkippableHttpAuthCheck>
  /**
   * The origin relay's bridge (origin mode, spec sections 16-17): its NIP-98 texts, another
   * key's event 403, the read gate 403, `/query` and `/count` per filter, repeats kept.
   */
  origin?: boolean
}

export interface BridgeRequest {
  route: BridgeRoute
  method: string
  target: RequestTarget
  authorization: string | undefined
  body: Uint8Array
}

export class HttpBridge {
  constructor(
    private readonly settings: BridgeSettings,
    private readonly backend: BridgeBackend,
    readonly replay: ReplayCache = new ReplayCache(),
  ) {}

  async handle(request: BridgeRequest): Promise<HttpReply> {
    try {
      return await this.route(request)
    } catch (error) {
      if (error instanceof ReadsBusyError) return errorReply(429, error.message, { 'retry-after': '1' })
      this.settings.log(`http bridge: ${request.route} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return errorReply(500, formatReason('error', 'internal error while answering the request'))
    }
  }

  private async route(request: BridgeRequest): Promise<HttpReply> {
    const { settings } = this
    const input = {
      authorization: request.authorization,
      url: absoluteRequestUrl(request.target, settings.publicUrl, settings.listenAddress),
      method: request.method,
      body: request.body,
      now: Math.floor(settings.clock() / 1000),
    }
    const auth =
      settings.origin === true && settings.auth === 'nip98'
        ? authenticateOrigin(input, this.replay, settings.authSkips)
        : await authenticate(settings.auth, input, this.replay, settings.verifySignature, settings.authSkips)
    if (!auth.ok) return auth.reply
    const json = parseJsonBody(request.body)
    if (!json.ok) return errorReply(400, json.message)
    switch (request.route) {
      case 'events':
        return this.events(json.value, auth.requester)
      case 'query':
        return this.query(json.value, auth.requester)
      case 'count':
        return this.count(json.value, auth.requester)
    }
  }

  private async events(value: unknown, requester: Requester): Promise<HttpReply> {
    // Another key's event is 403; what is not an event with a pubkey goes on to its 400.
    const head = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { pubkey?: unknown; kind?: unknown }) : {}
    if (this.settings.origin === true && requester.pubkey !== null && typeof head.pubkey === 'string') {
      const event = { pubkey: head.pubkey, kind: typeof head.kind === 'number' ? head.kind : -1 }
      if (!mayWriteAs(event, requester.pubkey)) return errorReply(403, RelayAuthMessages.pubkeyMismatch)
    }
    const outcome = await this.backend.submitEvent(value, requester)
    if (!outcome.accepted) return errorReply(400, outcome.message)
    return jsonReply(200, { event_id: outcome.id, accepted: true, message: outcome.message })
  }

  private async query(value: unknown, requester: Requester): Promise<HttpReply> {
    const filters = parseFilterList(value, this.settings.maxFilters)
    if (!filters.ok) return errorReply(400, filters.message)
    const gated = this.gate(filters.value, requester)
    if (gated !== null) return gated
    const parts = planQuery(filters.value)
    const origin = this.settings.origin === true
    if (isPlainQuery(parts) && !origin) return eventsReply(await this.backend.query(filters.value, requester))
    const answers: StoredEvent[][] = []
    for (const part of parts) answers.push(await this.answerPart(part, requester))
    // The origin answers filter after filter, an event once per filter that matches it (AP-HTTP-3).
    return eventsReply(origin ? answers.flat() : concatenateAnswers(answers))
  }

  /** Origin mode: filters that could reach private kinds, only for their reader (AP-AUTH-14). */
  private gate(filters: Filter[], requester: Requester): HttpReply | null {
    if (this.settings.origin !== true || passesReadGate(filters, requester.pubkey ?? '')) return null
    return errorReply(403, CountGateRefusal)
  }

  private answerPart(part: QueryPart, requester: Requester): Promise<StoredEvent[]> | StoredEvent[] {
    switch (part.type) {
      case 'filter':
        return this.backend.query([part.filter], requester)
      case 'thread':
        return this.backend.threadReplies(part.query, part.conditions, requester)
      case 'top-level':
        return this.backend.topLevel(part.query, part.conditions, requester)
    }
  }

  private async count(value: unknown, requester: Requester): Promise<HttpReply> {
    const filters = parseFilterList(value, this.settings.maxFilters)
    if (!filters.ok) return errorReply(400, filters.message)
    const gated = this.gate(filters.value, requester)
    if (gated !== null) return gated
    const parts = planQuery(filters.value)
    if (this.settings.origin === true) {
      // The origin adds up each filter's count (AP-HTTP-4).
      let total = 0
      for (const part of parts) {
        total += part.type === 'filter' ? await this.backend.count([part.filter], requester) : [...(await this.backend.matchingIds(withoutLimit(part), requester))].length
      }
      return jsonReply(200, { count: total })
    }
    if (isPlainQuery(parts)) return jsonReply(200, { count: await this.backend.count(filters.value, requester) })
    const ids = new Set<string>()
    for (const part of parts) for (const id of await this.backend.matchingIds(withoutLimit(part), requester)) ids.add(id)
    return jsonReply(200, { count: ids.size })
  }
}
