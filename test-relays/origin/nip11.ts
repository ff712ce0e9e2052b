// The relay information document of crates/buzz-relay/src/nip11.rs (no stable relay key, so no
// `self`). It leaves out NIPs 9, 45 and 98 although the relay implements them.
import type { DefectSet } from './defects.ts'
import { ADVERTISED_MAX_LIMIT, MAX_FILTERS, MAX_FRAME_BYTES, MAX_SUB_ID_BYTES, MAX_SUBSCRIPTIONS } from './limits.ts'

export const SUPPORTED_NIPS: readonly number[] = [1, 2, 10, 11, 16, 17, 23, 25, 29, 33, 38, 42, 50]

export function relayInformation(defects: DefectSet): Record<string, unknown> {
  return {
    name: 'Buzz Relay',
    description: 'Buzz — private team communication relay',
    pubkey: null,
    contact: null,
    supported_nips: [...SUPPORTED_NIPS],
    software: 'https://github.com/block/sprout',
    version: '0.1.0',
    limitation: {
      max_message_length: MAX_FRAME_BYTES,
      max_subscriptions: MAX_SUBSCRIPTIONS,
      max_filters: MAX_FILTERS,
      max_limit: ADVERTISED_MAX_LIMIT,
      max_subid_length: MAX_SUB_ID_BYTES,
      min_pow_difficulty: null,
      auth_required: !defects.has('nip11-auth-not-required'),
      payment_required: false,
      restricted_writes: true,
    },
  }
}
