/**
 * The HTTP bridge once a POST body is in hand: NIP-98, body parsing, then one of the three
 * routes against a backend that is the relay's own pipeline. Free of uWebSockets.js; the
 * websocket stage feeds it and writes its HttpReply back.
 *
 * Order of checks: 405 and preflight (routes.ts) and 413 (body.ts) come before this;
 * then 401/429 (auth), then 400 (body not JSON or not the right shape), then the route.
 */

import type { NostrEvent } from '../../../spec/model/event.ts'
import type { Filter } from '../../../spec/model/filter.ts'
import type { SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import { formatReason, reasonPrefixOf } from '../../../spec/model/reasons.ts'
import { authenticate, type HttpAuthMode, type Requester } from './auth.ts'
import { parseFilterList, parseJsonBody } from './parse.ts'
import { checkCountFilters, combineAnswers, planQuery, type QueryPart } from './query-plan.ts'
import { ReplayCache } from './replay-cache.ts'
import { absoluteRequestUrl, type RequestTarget } from './request-url.ts'
import { errorReply, type HttpReply, jsonReply } from './responses.ts'
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
  /** Answers one part of a /query; plain filters exactly as a REQ answers them. */
  queryPart(part: QueryPart, requester: Requester): Promise<NostrEvent[]> | NostrEvent[]
  /** NIP-45 count over plain filters. */
  count(filters: Filter[], requester: Requester): Promise<number> | number
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
  log: (line: string) => void
  /** NIP-98 checks left out on purpose (test faults only). */
  authSkips?: ReadonlySet<SkippableHttpAuthCheck>
}

export interface BridgeRequest {
  route: BridgeRoute
  method: string
  target: RequestTarget
  authorization: string | undefined
  body: Uint8Array
}

/** Status of a refused event: server trouble is 500, rate limits 429, everything else 400. */
export function refusalStatus(message: string): number {
  const prefix = reasonPrefixOf(message)
  if (prefix === 'error') return 500
  if (prefix === 'rate-limited') return 429
  return 400
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
      this.settings.log(`http bridge: ${request.route} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return errorReply(500, formatReason('error', 'internal error while answering the request'))
    }
  }

  private async route(request: BridgeRequest): Promise<HttpReply> {
    const { settings } = this
    const auth = authenticate(
      settings.auth,
      {
        authorization: request.authorization,
        url: absoluteRequestUrl(request.target, settings.publicUrl, settings.listenAddress),
        method: request.method,
        body: request.body,
        now: Math.floor(settings.clock() / 1000),
      },
      this.replay,
      settings.authSkips,
    )
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
    const outcome = await this.backend.submitEvent(value, requester)
    if (!outcome.accepted) return errorReply(refusalStatus(outcome.message), outcome.message)
    return jsonReply(200, { event_id: outcome.id, accepted: true, message: outcome.message })
  }

  private async query(value: unknown, requester: Requester): Promise<HttpReply> {
    const filters = parseFilterList(value, this.settings.maxFilters)
    if (!filters.ok) return errorReply(400, filters.message)
    const answers: NostrEvent[][] = []
    for (const part of planQuery(filters.value)) answers.push(await this.backend.queryPart(part, requester))
    return jsonReply(200, combineAnswers(answers))
  }

  private async count(value: unknown, requester: Requester): Promise<HttpReply> {
    const filters = parseFilterList(value, this.settings.maxFilters)
    if (!filters.ok) return errorReply(400, filters.message)
    const plain = checkCountFilters(filters.value)
    if (!plain.ok) return errorReply(400, plain.message)
    return jsonReply(200, { count: await this.backend.count(filters.value, requester) })
  }
}
