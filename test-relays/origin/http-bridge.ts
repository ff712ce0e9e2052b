// The HTTP side of the relay (crates/buzz-relay/src/router.rs, api/bridge.rs): NIP-11 on `/` and
// `/info`, `/health`, and the bridge `POST /events`, `/query`, `/count`. Bodies are capped at
// 1 MiB before anything else; auth runs before the body is parsed.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseEvent } from './event.ts'
import { parseFilter, type Filter } from './filter.ts'
import { verifyBridgeAuth, type ReplayMemory } from './http-auth.ts'
import { ingestEvent } from './ingest.ts'
import { MAX_BODY_BYTES } from './limits.ts'
import { relayInformation } from './nip11.ts'
import { bridgeQuery, countEvents, searchEvents } from './read.ts'
import { ENGRAM_GATE_TEXT, P_GATE_TEXT_COUNT_HTTP, readGateRefusal } from './read-gates.ts'
import type { RelayCore } from './relay-core.ts'
import { parseStrictJson, type JsonValue } from './strict-json.ts'

const BRIDGE_SEARCH_DEFAULT_LIMIT = 100
const BRIDGE_SEARCH_MAX_LIMIT = 500

const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' }

function reply(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { ...CORS, 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function replyEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...CORS, 'content-length': 0, ...headers })
  res.end()
}

const apiError = (res: ServerResponse, status: number, error: string): void => reply(res, status, { error })

/** The body, or null once it is known to exceed the cap (the caller answers 413). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.resolve(null)
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) over = true
      if (!over) chunks.push(chunk)
    })
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

const BRIDGE_ROUTES = new Set(['/events', '/query', '/count'])
const GET_ROUTES = new Set(['/', '/info', '/.well-known/nostr.json', '/health', '/_liveness', '/_readiness'])

export class HttpBridge {
  constructor(
    private readonly core: RelayCore,
    private readonly replay: ReplayMemory,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://relay').pathname
    const method = req.method ?? 'GET'
    if (method === 'OPTIONS' && header(req, 'access-control-request-method') !== undefined) {
      replyEmpty(res, 200, { 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' })
      return
    }
    if (GET_ROUTES.has(path)) {
      if (method !== 'GET' && method !== 'HEAD') return replyEmpty(res, 405, { allow: 'GET,HEAD' })
      return this.get(path, res)
    }
    if (BRIDGE_ROUTES.has(path)) {
      if (method !== 'POST') return replyEmpty(res, 405, { allow: 'POST' })
      return this.post(path, req, res)
    }
    replyEmpty(res, 404)
  }

  private get(path: string, res: ServerResponse): void {
    if (path === '/health' || path === '/_liveness') return reply(res, 200, 'ok', 'text/plain; charset=utf-8')
    if (path === '/_readiness') return reply(res, 200, { status: 'ready' })
    if (path === '/.well-known/nostr.json') return reply(res, 200, { names: {} })
    // `/` without a WebSocket upgrade serves NIP-11 whatever the Accept header says.
    reply(res, 200, relayInformation(this.core.defects))
  }

  private async post(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { core } = this
    const limit = core.defects.has('http-body-unlimited') ? Number.POSITIVE_INFINITY : MAX_BODY_BYTES
    const body = await readBody(req, limit)
    if (body === null) return reply(res, 413, 'length limit exceeded', 'text/plain; charset=utf-8')
    const auth = verifyBridgeAuth(
      {
        authorization: header(req, 'authorization'),
        xPubkey: header(req, 'x-pubkey'),
        method: 'POST',
        url: `${core.httpUrl}${path}`,
        body,
      },
      core.now(),
      this.replay,
      core.defects,
    )
    if (!auth.ok) return apiError(res, 401, auth.error)
    const text = body.toString('utf8')
    if (path === '/events') return this.postEvent(text, auth.pubkey, res)
    if (path === '/query') return this.postQuery(text, auth.pubkey, res)
    return this.postCount(text, auth.pubkey, res)
  }

  private postEvent(text: string, pubkey: string, res: ServerResponse): void {
    const json = parseStrictJson(text)
    const parsed = json.ok ? parseEvent(json.value) : { ok: false as const, error: json.error }
    if (!parsed.ok) return apiError(res, 400, `invalid event JSON: ${parsed.error}`)
    const outcome = ingestEvent(parsed.value, pubkey, 'http', this.core.ingestContext)
    if (outcome.kind === 'result') {
      return reply(res, 200, { event_id: outcome.eventId, accepted: outcome.accepted, message: outcome.message })
    }
    if (this.core.defects.has('http-refusal-200')) {
      return reply(res, 200, { event_id: parsed.value.id, accepted: false, message: outcome.message })
    }
    apiError(res, outcome.kind === 'auth-failed' ? 403 : 400, outcome.message)
  }

  /** The filters of a bridge body, or the 400 text. */
  private parseFilters(text: string): { raws: JsonValue[]; filters: Filter[] } | string {
    const json = parseStrictJson(text)
    if (!json.ok) return `invalid filters: ${json.error}`
    if (!Array.isArray(json.value)) return 'invalid filters: expected an array of filters'
    const filters: Filter[] = []
    for (const raw of json.value) {
      const f = parseFilter(raw)
      if (!f.ok) return `invalid filters: ${f.error}`
      filters.push(f.value)
    }
    return { raws: json.value, filters }
  }

  /** 403 text when a read gate refuses the filters. */
  private gateRefusal(filters: Filter[], reader: string): string | null {
    if (this.core.defects.has('kindless-served')) return null
    const gate = readGateRefusal(filters, reader)
    return gate === null ? null : gate === 'p-gated' ? P_GATE_TEXT_COUNT_HTTP : ENGRAM_GATE_TEXT
  }

  private postQuery(text: string, reader: string, res: ServerResponse): void {
    const { core } = this
    const parsed = this.parseFilters(text)
    if (typeof parsed === 'string') return apiError(res, 400, parsed)
    const refusal = this.gateRefusal(parsed.filters, reader)
    if (refusal !== null) return apiError(res, 403, refusal)
    const accessible = core.store.accessibleChannels(reader)
    const filters = core.readFilters(parsed.filters)
    if (filters.some((f) => f.search !== undefined)) {
      const hits = searchEvents(core.store, filters, accessible, BRIDGE_SEARCH_DEFAULT_LIMIT, BRIDGE_SEARCH_MAX_LIMIT)
      return reply(res, 200, hits.map((s) => s.event))
    }
    const outcome = bridgeQuery(core.store, parsed.raws, filters, reader, accessible, core.defects)
    if (!outcome.ok) return apiError(res, outcome.status, outcome.error)
    reply(res, 200, outcome.events.map((s) => s.event))
  }

  private postCount(text: string, reader: string, res: ServerResponse): void {
    const { core } = this
    const parsed = this.parseFilters(text)
    if (typeof parsed === 'string') return apiError(res, 400, parsed)
    const refusal = this.gateRefusal(parsed.filters, reader)
    if (refusal !== null) return apiError(res, 403, refusal)
    const count = countEvents(core.store, core.readFilters(parsed.filters), core.store.accessibleChannels(reader))
    reply(res, 200, { count })
  }
}
