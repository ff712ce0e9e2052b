/** NIP-98 on the bridge: turns a request into a requester, a 401, or a 429. */

import { checkHttpAuth, type SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import { formatReason } from '../../../spec/model/reasons.ts'
import type { ReplayCache } from './replay-cache.ts'
import { errorReply, type HttpReply } from './responses.ts'

export type HttpAuthMode = 'nip98' | 'none'

/** Who is asking: the NIP-98 signer, or anonymous when auth is off. Policy may read it. */
export interface Requester {
  pubkey: string | null
}

export interface AuthInput {
  authorization: string | undefined
  url: string
  method: string
  body: Uint8Array
  /** Server time in seconds. */
  now: number
}

export type AuthOutcome = { ok: true; requester: Requester } | { ok: false; reply: HttpReply }

/** `skip`: NIP-98 checks left out on purpose (test faults only). */
export function authenticate(
  mode: HttpAuthMode,
  input: AuthInput,
  replay: ReplayCache,
  skip?: ReadonlySet<SkippableHttpAuthCheck>,
): AuthOutcome {
  if (mode === 'none') return { ok: true, requester: { pubkey: null } }
  if (!replay.hasRoom(input.now)) {
    return {
      ok: false,
      reply: errorReply(429, formatReason('rate-limited', 'too many NIP-98 authorizations in the replay window; retry shortly'), {
        'retry-after': '1',
      }),
    }
  }
  const check = checkHttpAuth(
    input.authorization,
    { url: input.url, method: input.method, body: input.body, now: input.now },
    (id, createdAt) => replay.seen(id, createdAt, input.now),
    skip === undefined ? {} : { skip },
  )
  if (!check.ok) return { ok: false, reply: errorReply(401, check.message, { 'www-authenticate': 'Nostr' }) }
  return { ok: true, requester: { pubkey: check.pubkey } }
}
