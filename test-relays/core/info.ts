// NIP-11 relay information document and the plain-HTTP side of the relay.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Faults } from './faults.ts'
import type { Settings } from './settings.ts'

export function supportedNips(settings: Settings): number[] {
  const nips = [1]
  if (settings.deletions === 'honour') nips.push(9)
  nips.push(11)
  if (settings.auth) nips.push(42)
  if (settings.count === 'serve') nips.push(45)
  return nips
}

export function informationDocument(settings: Settings, restrictedWrites: boolean): Record<string, unknown> {
  const document: Record<string, unknown> = {
    name: 'nip-ap test relay (core)',
    description: 'An in-memory NIP-01/09/11/45 relay with NIP-AP persona rules, written to test a conformance suite.',
    supported_nips: supportedNips(settings),
  }
  if (settings.nip11 === 'full') {
    const limitation: Record<string, unknown> = {
      max_message_length: settings.maxMessageLength,
      max_subscriptions: settings.maxSubscriptions,
      max_limit: settings.maxLimit,
      max_subid_length: settings.maxSubidLength,
      max_event_tags: settings.maxEventTags,
      max_content_length: settings.maxContentLength,
      auth_required: settings.auth,
      restricted_writes: restrictedWrites,
      default_limit: settings.defaultLimit,
    }
    if (settings.clockWindow?.advertised) {
      limitation.created_at_lower_limit = settings.clockWindow.seconds
      limitation.created_at_upper_limit = settings.clockWindow.seconds
    }
    if (settings.nip11Extras) {
      limitation.min_pow_difficulty = 0
      limitation.payment_required = false
    }
    document.limitation = limitation
  }
  if (settings.nip11Extras) {
    document.software = 'https://example.invalid/nip-ap-test-relay'
    document.version = '0.1.0'
    document.posting_policy = 'https://example.invalid/posting-policy'
    document.relay_countries = ['*']
    document.language_tags = ['en']
    document.x_test_relay = { purpose: 'conformance-suite variation', persona_kind: 30175 }
  }
  return document
}

const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
}

/** True when the request path is the relay's single endpoint. */
export const isRelayPath = (url: string | undefined): boolean => (url ?? '/').split('?')[0] === '/'

export function serveHttp(
  request: IncomingMessage,
  response: ServerResponse,
  settings: Settings,
  faults: Faults,
  document: Record<string, unknown>,
): void {
  const cors = settings.nip11 !== 'off' && !faults.has('nip11-no-cors') ? corsHeaders : {}
  if (!isRelayPath(request.url) && !faults.has('any-path')) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...cors }).end('not found\n')
    return
  }
  if (request.method === 'OPTIONS') {
    response.writeHead(204, cors).end()
    return
  }
  const accept = request.headers.accept ?? ''
  if (settings.nip11 !== 'off' && accept.includes('application/nostr+json')) {
    const body = JSON.stringify(document)
    response.writeHead(200, { 'Content-Type': 'application/nostr+json', ...cors })
    response.end(request.method === 'HEAD' ? undefined : body)
    return
  }
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...cors })
  response.end('<!doctype html><title>relay</title><p>This is a Nostr relay. Connect with a WebSocket client.</p>\n')
}
