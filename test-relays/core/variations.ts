// Behaviours a correct relay may have, each with the sentence that permits it. A
// conformance suite must not fail any of them (a SHOULD-level warning is its own call).
import type { Citation, PresetInfo, VariationInfo } from '../catalog.ts'
import type { Settings } from './settings.ts'

export interface Variation extends VariationInfo {
  readonly settings: Partial<Settings>
}

const nip01 = (quote: string): Citation => ({ text: 'NIP-01', quote })
const nip09 = (quote: string): Citation => ({ text: 'NIP-09', quote })
const nip11 = (quote: string): Citation => ({ text: 'NIP-11', quote })
const nip42 = (quote: string): Citation => ({ text: 'NIP-42', quote })
const nip45 = (quote: string): Citation => ({ text: 'NIP-45', quote })

const okMessageRule = nip01(
  'The 4th parameter MUST always be present, but MAY be an empty string when the 3rd is `true`, otherwise it MUST be a string formed by a machine-readable single-word prefix followed by a `:` and then a human-readable message.',
)
const nipsAreOptional = nip11(
  'As the Nostr protocol evolves, some functionality may only be available by relays that implement a specific `NIP`.',
)
const fieldsMayBeOmitted = nip11(
  'Any field may be omitted, and clients MUST ignore any additional fields they do not understand.',
)
const countRefusal = nip45(
  'Whenever the relay decides to refuse to fulfill the `COUNT` request, it MUST return a `CLOSED` message.',
)
const clockRefusalExample = nip01(
  '["OK", "b1a649ebe8...", false, "invalid: event creation date is too far off from the current time"]',
)

export const variations: readonly Variation[] = [
  {
    name: 'no-nip11',
    description:
      'No NIP-11 document: every plain HTTP request gets a small HTML page, whatever its Accept header, without CORS headers.',
    basis: 'permitted',
    permittedBy: [
      nip11('Relays may provide server metadata to clients to inform them of capabilities, administrative contacts, and various server attributes.'),
      nipsAreOptional,
    ],
    conflictsWith: ['nip11-extra-fields'],
    settings: { nip11: 'off' },
  },
  {
    name: 'nip11-no-limitation',
    description: 'The NIP-11 document has no `limitation` object; the limits are still enforced.',
    basis: 'permitted',
    permittedBy: [fieldsMayBeOmitted],
    conflictsWith: [],
    settings: { nip11: 'no-limitation' },
  },
  {
    name: 'nip11-extra-fields',
    description:
      'The NIP-11 document carries fields a client may not know (software, version, posting_policy, relay_countries, an `x_test_relay` object, pow and payment limitations).',
    basis: 'permitted',
    permittedBy: [fieldsMayBeOmitted],
    conflictsWith: [],
    settings: { nip11Extras: true },
  },
  {
    name: 'no-count',
    description:
      'COUNT is not supported: every COUNT is answered `CLOSED` with an `unsupported:` reason, and 45 is not in `supported_nips`.',
    basis: 'permitted',
    permittedBy: [nip45('Relays may support the verb `COUNT`, which provides a mechanism for obtaining event counts.'), countRefusal],
    conflictsWith: ['count-applies-limit', 'count-approximate-flag'],
    settings: { count: 'refuse' },
  },
  {
    name: 'count-applies-limit',
    description: 'COUNT honours each filter\'s `limit` (the count is at most the sum of the limits).',
    basis: 'reading',
    permittedBy: [
      nip45('This NIP defines the verb `COUNT`, which accepts a query id and filters as specified in [NIP 01](01.md) for the verb `REQ`.'),
    ],
    conflictsWith: [],
    settings: { countAppliesLimit: true },
  },
  {
    name: 'count-approximate-flag',
    description: 'COUNT answers carry `"approximate": false` beside the exact count.',
    basis: 'permitted',
    permittedBy: [
      nip45('In case a relay uses probabilistic counts, it MAY indicate it in the response with `approximate` key i.e. `{"count": <integer>, "approximate": <true|false>}`.'),
    ],
    conflictsWith: [],
    settings: { countApproximateFlag: true },
  },
  {
    name: 'read-cache',
    description:
      'REQ answers come from a cache keyed by the filters and kept up to 1 s, so for 1 s after a write a repeated query may miss a new event or show a replaced or deleted one. The texts set no moment by which an accepted event must become visible; a suite that reads its own writes at once may see this relay lag (a reading, so it is left out of all-compatible).',
    basis: 'reading',
    permittedBy: [nip01('Upon receiving a `REQ` message, the relay SHOULD return events that match the filter.')],
    conflictsWith: [],
    settings: { readCacheMs: 1000 },
  },
  {
    name: 'kind-allowlist',
    description:
      'Only kinds 0, 3, 5 and 30175 are accepted (and 22242 inside AUTH); any other kind is refused with `blocked:`. NIP-11 says `restricted_writes: true`.',
    basis: 'permitted',
    permittedBy: [
      nip11('This should only be set to `true` when users are expected to know the relay policy before trying to write to it -- like belonging to a special pubkey-based whitelist or writing only events of a specific niche kind or content.'),
      nip01('["OK", "b1a649ebe8...", false, "blocked: you are banned from posting here"]'),
    ],
    conflictsWith: [],
    settings: { kindAllowlist: [0, 3, 5, 30175] },
  },
  {
    name: 'kinds-required',
    description: 'A REQ or COUNT with a filter lacking `kinds` is refused with `CLOSED` and a `restricted:` reason.',
    basis: 'permitted',
    permittedBy: [nip01('`CLOSED` messages MUST be sent in response to a `REQ` when the relay refuses to fulfill it.'), countRefusal],
    conflictsWith: [],
    settings: { requireKinds: true },
  },
  {
    name: 'no-deletion',
    description:
      'NIP-09 is not implemented: kind 5 events are stored and served like any regular event and delete nothing; 9 is not in `supported_nips`.',
    basis: 'permitted',
    permittedBy: [nipsAreOptional],
    conflictsWith: ['deletion-author-check', 'one-target-deletions', 'deleted-ack'],
    settings: { deletions: 'ignore' },
  },
  {
    name: 'deletion-author-check',
    description:
      'A deletion request naming an event or address of another author is refused whole with `invalid:` (and deletes nothing).',
    basis: 'permitted',
    permittedBy: [
      nip09('Relays MAY validate that a deletion request event only references events that have the same `pubkey` as the deletion request itself, however this is not required since relays may not have knowledge of all referenced events.'),
    ],
    conflictsWith: [],
    settings: { deletionAuthorCheck: true },
  },
  {
    name: 'one-target-deletions',
    description:
      'A deletion request naming more or fewer than one target (`e` and `a` tags counted together) is refused whole with `invalid:` (and deletes nothing), as the origin relay does.',
    basis: 'permitted',
    permittedBy: [
      nip01('`OK` messages MUST be sent in response to `EVENT` messages received from clients, they must have the 3rd parameter set to `true` when an event has been accepted by the relay, `false` otherwise.'),
      okMessageRule,
    ],
    conflictsWith: [],
    settings: { deletionSingleTarget: true },
  },
  {
    name: 'deleted-ack',
    description:
      'A re-send of a deleted event, or of a version at or before an address deletion, is answered `OK true "duplicate: ..."` (and still neither stored nor served) instead of being refused.',
    basis: 'reading',
    permittedBy: [nip01('["OK", "b1a649ebe8...", true, "duplicate: already have this event"]')],
    conflictsWith: [],
    settings: { deletedResend: 'ack' },
  },
  {
    name: 'blocked-prefix',
    description: 'Every refusal (OK false, CLOSED) uses the `blocked:` prefix, except NIP-42 `auth-required:`.',
    basis: 'permitted',
    permittedBy: [okMessageRule],
    conflictsWith: [],
    settings: { refusalPrefix: 'blocked' },
  },
  {
    name: 'nonstandard-prefix',
    description:
      'Every refusal (OK false, CLOSED) uses the non-standard single-word prefix `rejected:`, except NIP-42 `auth-required:`.',
    basis: 'permitted',
    permittedBy: [okMessageRule],
    conflictsWith: [],
    settings: { refusalPrefix: 'rejected' },
  },
  {
    name: 'tight-colon',
    description:
      'No space after the colon: refusals read `invalid:bad slug`, duplicates are acknowledged with a bare `duplicate:`.',
    basis: 'permitted',
    permittedBy: [okMessageRule],
    conflictsWith: [],
    settings: { spaceAfterColon: false },
  },
  {
    name: 'plain-ok',
    description: 'Duplicates and stale versions are acknowledged `OK true ""` with no `duplicate:` note.',
    basis: 'permitted',
    permittedBy: [okMessageRule],
    conflictsWith: [],
    settings: { duplicateNotes: false },
  },
  {
    name: 'stale-refused',
    description:
      'A stale or tie-losing version of a replaceable or addressable event is refused `OK false "duplicate: ..."` (and not stored) instead of acknowledged.',
    basis: 'permitted',
    permittedBy: [
      nip01('`OK` messages MUST be sent in response to `EVENT` messages received from clients, they must have the 3rd parameter set to `true` when an event has been accepted by the relay, `false` otherwise.'),
      nip01('for kind `n` such that `30000 <= n < 40000`, events are **addressable** by their `kind`, `pubkey` and `d` tag value -- which means that, for each combination of `kind`, `pubkey` and the `d` tag value, only the latest event MUST be stored by relays, older versions MAY be discarded.'),
    ],
    conflictsWith: [],
    settings: { staleWrites: 'refuse' },
  },
  {
    name: 'max-limit-5',
    description: 'Each filter returns at most 5 events (`max_limit` 5 and `default_limit` 5, advertised and applied).',
    basis: 'permitted',
    permittedBy: [
      nip01('Returning fewer events is acceptable, but returning (much) more should be avoided to prevent overwhelming clients.'),
      nip11("the relay server will clamp each filter's `limit` value to this number."),
    ],
    conflictsWith: [],
    settings: { maxLimit: 5, defaultLimit: 5 },
  },
  {
    name: 'no-notice',
    description: 'The relay never sends NOTICE; malformed frames get no answer (an EVENT with a readable id still gets its OK).',
    basis: 'permitted',
    permittedBy: [nip01('This NIP defines no rules for how `NOTICE` messages should be sent or treated.')],
    conflictsWith: [],
    settings: { notices: false },
  },
  {
    name: 'small-frames',
    description:
      '`max_message_length` is 65,536 bytes, advertised and enforced (an oversized EVENT is refused `invalid:`; frames over twice the limit close the socket with 1009). A persona whose content is near the 65,535-byte body ceiling does not fit.',
    basis: 'permitted',
    permittedBy: [nip11('It also effectively limits the maximum size of any event.')],
    conflictsWith: [],
    settings: { maxMessageLength: 65_536 },
  },
  {
    name: 'clock-window',
    description:
      'Events whose `created_at` is more than 600 s from the relay clock are refused with `invalid:`; NIP-11 advertises 600 in `created_at_lower_limit` and `created_at_upper_limit` (seconds relative to now).',
    basis: 'permitted',
    permittedBy: [clockRefusalExample],
    conflictsWith: [],
    settings: { clockWindow: { seconds: 600, advertised: true } },
  },
  {
    name: 'clock-window-silent',
    description: 'The same 600 s clock window, enforced but not advertised in NIP-11.',
    basis: 'permitted',
    permittedBy: [clockRefusalExample, fieldsMayBeOmitted],
    conflictsWith: [],
    settings: { clockWindow: { seconds: 600, advertised: false } },
  },
  {
    name: 'auth-required',
    description:
      'NIP-42: the relay sends an AUTH challenge on connect and answers EVENT, REQ and COUNT with `auth-required:` until the client authenticates; an event must be signed by a key authenticated on that connection (else `restricted:`); with `authKeys`, only those keys may act (else `restricted:`). NIP-11 says `auth_required: true`.',
    basis: 'permitted',
    permittedBy: [
      nip42('A relay may limit subscriptions of any kind to paying users or users whitelisted through any other means, and require authentication.'),
      nip42('`"auth-required: "` - for when a client has not performed `AUTH` and the relay requires that to fulfill the query or write the event.'),
    ],
    conflictsWith: [],
    settings: { auth: true },
  },
  {
    name: 'auth-on-demand',
    description:
      'NIP-42 as in auth-required, but the AUTH challenge is not sent on connect: it goes out just before the first `auth-required:` refusal (CLOSED or OK).',
    basis: 'permitted',
    permittedBy: [
      nip42('In this case, the `AUTH` message from the relay could be sent right as the client connects or it can be sent immediately before the `CLOSED` is sent.'),
    ],
    conflictsWith: [],
    settings: { auth: true, authChallenge: 'on-demand' },
  },
  {
    name: 'tight-limits',
    description:
      'Smaller limits, advertised and enforced: 8 subscriptions per connection, sub ids of at most 32 characters, 16 tags per event, 65,535 characters of content.',
    basis: 'permitted',
    permittedBy: [nip11('These are limitations imposed by the relay on clients.')],
    conflictsWith: [],
    settings: { maxSubscriptions: 8, maxSubidLength: 32, maxEventTags: 16, maxContentLength: 65_535 },
  },
  {
    name: 'fanout-before-ok',
    description:
      'A new event is delivered to live subscribers (the publisher\'s own subscriptions included) before the publisher gets its OK. The texts set no order between the two.',
    basis: 'reading',
    permittedBy: [
      nip01('Any new events it receives SHOULD be sent to that same websocket until the connection is closed, a `CLOSE` event is received with the same `<subscription_id>`, or a new `REQ` is sent using the same `<subscription_id>` (in which case a new subscription is created, replacing the old one).'),
    ],
    conflictsWith: [],
    settings: { fanoutBeforeOk: true },
  },
]

/**
 * Every variation that combines with the others. Left out: the losing side of each
 * conflict (no-nip11, nip11-no-limitation, no-count, no-deletion, blocked-prefix,
 * clock-window-silent) and read-cache, which rests on a contestable reading.
 */
export const presets: readonly PresetInfo[] = [
  {
    name: 'all-compatible',
    description: 'Every variation that can be combined with the others, at once (read-cache excluded: it rests on a reading).',
    variations: [
      'nip11-extra-fields',
      'count-applies-limit',
      'count-approximate-flag',
      'kind-allowlist',
      'kinds-required',
      'deletion-author-check',
      'one-target-deletions',
      'deleted-ack',
      'nonstandard-prefix',
      'tight-colon',
      'plain-ok',
      'stale-refused',
      'max-limit-5',
      'no-notice',
      'small-frames',
      'clock-window',
      'auth-required',
      'auth-on-demand',
      'tight-limits',
      'fanout-before-ok',
    ],
  },
]
