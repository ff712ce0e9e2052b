/**
 * The stateless relay rules an incoming event meets before verification, and whether an
 * accepted event is stored. The relay's policy is spec/model's, unchanged; a test relay
 * passes another (reference-relay/test-support) to bend one rule.
 */

import { checkOriginRelayRules, checkRelayRules, type RuleCheck } from '../../spec/model/acceptance.ts'
import { symmetricWindow } from '../../spec/model/clock.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { isEphemeralKind } from '../../spec/model/kinds.ts'

export interface IngestPolicy {
  /** Clock window, persona envelope, channel scope, deletion authorship; `now` in seconds. */
  check(event: NostrEvent, now: number): RuleCheck
  /** False for kinds that are only fanned out, never stored (ephemeral, NIP-01). */
  stores(event: NostrEvent): boolean
}

/** spec/model's rules with a symmetric clock window of `skewSeconds`. */
export function relayPolicy(skewSeconds: number): IngestPolicy {
  const window = symmetricWindow(skewSeconds)
  return {
    check: (event, now) => checkRelayRules(event, now, window),
    stores: (event) => !isEphemeralKind(event.kind),
  }
}

/** The origin relay's stateless rules (the relay's origin mode) with the same window. */
export function originRelayPolicy(skewSeconds: number): IngestPolicy {
  const window = symmetricWindow(skewSeconds)
  return {
    check: (event, now) => checkOriginRelayRules(event, now, window),
    stores: (event) => !isEphemeralKind(event.kind),
  }
}
