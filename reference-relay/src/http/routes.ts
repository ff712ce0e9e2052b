/** The bridge's three paths and the decision that needs no body: preflight, 405, or read on. */

import { formatReason } from '../../../spec/model/reasons.ts'
import { errorReply, type HttpReply, preflightReply } from './responses.ts'

export type BridgeRoute = 'events' | 'query' | 'count'

export const BridgePaths: Readonly<Record<string, BridgeRoute>> = {
  '/events': 'events',
  '/query': 'query',
  '/count': 'count',
}

export function bridgeRouteOf(path: string): BridgeRoute | null {
  return BridgePaths[path] ?? null
}

/**
 * What to do with a request to a bridge path before reading its body: `read` means POST,
 * go on and collect the body; otherwise the reply to send at once.
 */
export function routeRequest(method: string): { action: 'read' } | { action: 'reply'; reply: HttpReply } {
  const verb = method.toUpperCase()
  if (verb === 'POST') return { action: 'read' }
  if (verb === 'OPTIONS') return { action: 'reply', reply: preflightReply() }
  return {
    action: 'reply',
    reply: errorReply(405, formatReason('unsupported', `method ${verb} is not allowed here; use POST`), { allow: 'POST, OPTIONS' }),
  }
}
