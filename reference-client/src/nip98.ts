/** NIP-98 HTTP auth: a signed kind 27235 event in `Authorization: Nostr <base64>`. */

import { createHash } from 'node:crypto'
import { finalizeEvent } from 'nostr-tools/pure'
import { HttpAuthKind } from '../../spec/model/kinds.ts'

/**
 * Signs an auth event for one request. `payload` is the sha256 of the exact body bytes,
 * so the relay can tie the token to this body and nothing else.
 */
export function buildHttpAuthHeader(secretKey: Uint8Array, url: string, method: string, body: string | undefined, now: number): string {
  const tags = [
    ['u', url],
    ['method', method.toUpperCase()],
  ]
  if (body !== undefined) tags.push(['payload', createHash('sha256').update(body, 'utf8').digest('hex')])
  const event = finalizeEvent({ kind: HttpAuthKind, created_at: now, tags, content: '' }, secretKey)
  return `Nostr ${Buffer.from(JSON.stringify(event), 'utf8').toString('base64')}`
}
