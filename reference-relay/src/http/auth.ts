/**
 * NIP-98 on the bridge: turns a request into a requester, a 401, or a 429. The checks are
 * spec/model's checkHttpAuth, in its order: the cheap ones on the event loop, then the
 * signature through the relay's verifier (its worker threads), then the replay guard.
 */

import { checkHttpAuth, checkHttpAuthOrigin, HttpAuthRefusals, type SkippableHttpAuthCheck } from '../../../spec/model/http-auth.ts'
import type { NostrEvent } from '../../../spec/model/event.ts'
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

/** Checks BIP-340 signatures (the relay's Verifier, whose pool runs off the event loop). */
export type SignatureCheck = (event: NostrEvent) => Promise<boolean>

const unauthorized = (message: string): AuthOutcome => ({
  ok: false,
  reply: errorReply(401, message, { 'www-authenticate': 'Nostr' }),
})

const replayCacheFull: AuthOutcome = {
  ok: false,
  reply: errorReply(429, formatReason('rate-limited', 'too many NIP-98 authorizations in the replay window; retry shortly'), {
    'retry-after': '1',
  }),
}

/** `skip`: NIP-98 checks left out on purpose (test relays only). */
export async function authenticate(
  mode: HttpAuthMode,
  input: AuthInput,
  replay: ReplayCache,
  verifySignature: SignatureCheck,
  skip?: ReadonlySet<SkippableHttpAuthCheck>,
): Promise<AuthOutcome> {
  if (mode === 'none') return { ok: true, requester: { pubkey: null } }
  const checks = (name: SkippableHttpAuthCheck) => skip === undefined || !skip.has(name)
  // Everything but the signature and the replay guard, which follow in the same order.
  const cheap = checkHttpAuth(
    input.authorization,
    { url: input.url, method: input.method, body: input.body, now: input.now },
    () => false,
    { skip: new Set<SkippableHttpAuthCheck>([...(skip ?? []), 'signature', 'replayed']) },
  )
  if (!cheap.ok) return unauthorized(cheap.message)
  if (checks('signature') && !(await verifySignature(cheap.event))) return unauthorized(HttpAuthRefusals.signature)
  if (checks('replayed')) {
    if (!replay.hasRoom(cheap.pubkey, input.now)) return replayCacheFull
    if (replay.seen(cheap.id, cheap.pubkey, cheap.event.created_at, input.now)) return unauthorized(HttpAuthRefusals.replayed)
  }
  return { ok: true, requester: { pubkey: cheap.pubkey } }
}

/**
 * The origin relay's NIP-98 (origin mode, spec section 17.1): its order and its 401 texts.
 * An unsigned `X-Pubkey` is not taken as an identity (AP-AUTH-13 allows either; AMB-55).
 * The replay memory is one pool for every signer here, bounded as the cache is.
 */
export function authenticateOrigin(input: AuthInput, replay: ReplayCache, skip?: ReadonlySet<SkippableHttpAuthCheck>): AuthOutcome {
  let full = false
  const check = checkHttpAuthOrigin(
    { authorization: input.authorization, xPubkey: undefined, canonicalUrl: input.url, method: input.method, body: input.body, now: input.now },
    (id, createdAt) => {
      if (!replay.hasRoom(OriginReplayPool, input.now)) return (full = true)
      return replay.seen(id, OriginReplayPool, createdAt, input.now)
    },
    false,
    skip,
  )
  if (full) return replayCacheFull
  if (!check.ok) return unauthorized(check.message)
  return { ok: true, requester: { pubkey: check.pubkey } }
}

const OriginReplayPool = 'origin'
