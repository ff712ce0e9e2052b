/** NIP-11 relay information document: every limit it advertises is one the relay enforces. */

import packageJson from '../../package.json' with { type: 'json' }
import { advertisedWindow, type RelayConfig } from './config.ts'
import type { HttpReply, HttpRequestInfo, HttpRoute } from './websocket.ts'

export const SupportedNips = [1, 9, 10, 11, 45] as const

export interface RelayInformation {
  name: string
  description: string
  software: string
  version: string
  supported_nips: number[]
  limitation: {
    max_message_length: number
    max_subscriptions: number
    max_filters: number
    max_subid_length: number
    max_limit: number
    default_limit: number
    max_event_tags: number
    max_content_length: number
    created_at_lower_limit: number
    created_at_upper_limit: number
    auth_required: boolean
    payment_required: boolean
    restricted_writes: boolean
  }
}

export function relayInformation(config: RelayConfig, verifierName: string): RelayInformation {
  const { limits } = config
  const window = advertisedWindow(config)
  return {
    name: 'NIP-AP reference relay',
    description:
      'Reference relay of the NIP-AP conformance project (kind 30175 agent personas). ' +
      'created_at limits are seconds relative to the relay clock.',
    software: `${packageJson.name}/reference-relay (verifier: ${verifierName})`,
    version: packageJson.version,
    // NIP-98 guards the HTTP bridge only while its auth is on.
    supported_nips: [...SupportedNips, ...(config.origin ? [42] : []), ...(config.httpAuth === 'nip98' ? [98] : [])],
    limitation: {
      max_message_length: limits.maxMessageLength,
      max_subscriptions: limits.maxSubscriptions,
      max_filters: limits.maxFilters,
      max_subid_length: limits.maxSubidLength,
      max_limit: limits.maxLimit,
      default_limit: limits.maxLimit,
      max_event_tags: limits.maxEventTags,
      max_content_length: limits.maxContentLength,
      created_at_lower_limit: window.lower,
      created_at_upper_limit: window.upper,
      auth_required: config.origin,
      payment_required: false,
      restricted_writes: false,
    },
  }
}

/**
 * CORS of the NIP-11 document and the HTTP bridge alike. The `*` of Allow-Headers does not
 * cover Authorization (Fetch standard), which NIP-98 needs, so it is named.
 */
export const CorsHeaders: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, *',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
}

function wantsRelayInformation(request: HttpRequestInfo): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('application/nostr+json')
}

/** GET / (NIP-11 or a short text) and OPTIONS on every path (CORS preflight). */
export function nip11Routes(document: () => RelayInformation): HttpRoute[] {
  return [
    {
      method: 'get',
      pattern: '/',
      handle: (request): HttpReply => {
        if (wantsRelayInformation(request)) {
          return {
            status: 200,
            headers: { ...CorsHeaders, 'Content-Type': 'application/nostr+json' },
            body: JSON.stringify(document()),
          }
        }
        return {
          status: 200,
          headers: { ...CorsHeaders, 'Content-Type': 'text/plain; charset=utf-8' },
          body: 'NIP-AP reference relay: connect with a Nostr WebSocket client, or GET / with Accept: application/nostr+json.\n',
        }
      },
    },
    {
      method: 'options',
      pattern: '/*',
      handle: (): HttpReply => ({ status: 204, headers: { ...CorsHeaders, 'Access-Control-Max-Age': '86400' } }),
    },
  ]
}
