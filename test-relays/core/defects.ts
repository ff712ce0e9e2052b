// Single realistic bugs, each switchable by name, each breaking a sentence of a named
// text. A conformance suite must catch every one (a SHOULD-level one with a warning).
// Each name is checked at the one place in the relay where the bug lives: grep for it.
import type { Citation, DefectInfo } from '../catalog.ts'

const nip01 = (quote: string): Citation => ({ text: 'NIP-01', quote })
const nip09 = (quote: string): Citation => ({ text: 'NIP-09', quote })
const nip11 = (quote: string): Citation => ({ text: 'NIP-11', quote })
const nip42 = (quote: string): Citation => ({ text: 'NIP-42', quote })
const nip45 = (quote: string): Citation => ({ text: 'NIP-45', quote })
const nipAP = (quote: string): Citation => ({ text: 'NIP-AP', quote })

const addressableLatest = nip01(
  'for kind `n` such that `30000 <= n < 40000`, events are **addressable** by their `kind`, `pubkey` and `d` tag value -- which means that, for each combination of `kind`, `pubkey` and the `d` tag value, only the latest event MUST be stored by relays, older versions MAY be discarded.',
)
const tieRule = nip01(
  'In case of replaceable events with the same timestamp, the event with the lowest id (first in lexical order) should be retained, and the other discarded.',
)
const headOnly = nipAP('Relays SHOULD return only the head; clients MUST select the head from any multi-event response.')
const latestOnly = nip01(
  'When answering to `REQ` messages for replaceable events such as `{"kinds":[0],"authors":[<hex-key>]}`, even if the relay has more than one version stored, it SHOULD return just the latest one.',
)
const slugRule = nipAP('There MUST be exactly one `d` tag and it MUST contain a valid slug per the grammar above.')
const enforcedOnIngest = nipAP('The relay enforces this constraint on ingest.')
const mustAccept = nipAP(
  'The relay MUST accept `kind:30175` events that pass standard NIP-33 validation (valid signature, exactly one `d` tag with a non-empty value).',
)
const deleteSameAuthor = nip09(
  'Relays SHOULD delete or stop publishing any referenced events that have an identical `pubkey` as the deletion request.',
)
const aDeletionRange = nip09(
  'When an `a` tag is used, relays SHOULD delete all versions of the replaceable event up to the `created_at` timestamp of the deletion request event.',
)
const liveRule = nip01(
  'Any new events it receives SHOULD be sent to that same websocket until the connection is closed, a `CLOSE` event is received with the same `<subscription_id>`, or a new `REQ` is sent using the same `<subscription_id>` (in which case a new subscription is created, replacing the old one).',
)
const allConditions = nip01(
  'All conditions of a filter that are specified must match for an event for it to pass the filter, i.e., multiple conditions are interpreted as `&&` conditions.',
)
const tagMatch = nip01(
  'In the case of tag attributes such as `#e`, for which an event may have multiple values, the event and filter condition values must have at least one item in common.',
)
const okRule = nip01(
  '`OK` messages MUST be sent in response to `EVENT` messages received from clients, they must have the 3rd parameter set to `true` when an event has been accepted by the relay, `false` otherwise.',
)
const okMessageRule = nip01(
  'The 4th parameter MUST always be present, but MAY be an empty string when the 3rd is `true`, otherwise it MUST be a string formed by a machine-readable single-word prefix followed by a `:` and then a human-readable message.',
)
const limitGuide = nip01('Relays SHOULD use the `limit` value to guide how many events are returned in the initial response.')
const newestFirst = nip01(
  'Newer events should appear first, and in the case of ties the event with the lowest id (first in lexical order) should be first.',
)
const lastN = nip01(
  'When `limit: n` is present it is assumed that the events returned in the initial query will be the last `n` events ordered by the `created_at`.',
)
const sinceUntil = nip01('In short, an event matches a filter if `since <= created_at <= until` holds.')
const countForm = nip45('Counts are returned using a `COUNT` response in the form `{"count": <integer>}`.')
const countFilters = nip45(
  'This NIP defines the verb `COUNT`, which accepts a query id and filters as specified in [NIP 01](01.md) for the verb `REQ`.',
)
const limitsImposed = nip11('These are limitations imposed by the relay on clients.')

export const defects = [
  // ---- negative controls
  {
    name: 'null',
    area: 'control',
    description: 'Answers OK true to every EVENT and EOSE to every REQ, stores and delivers nothing, counts 0.',
    level: 'MUST',
    breaks: [addressableLatest, nip01('Upon receiving a `REQ` message, the relay SHOULD return events that match the filter.')],
    implies: [],
  },
  {
    name: 'drop-personas',
    area: 'control',
    description: 'Answers OK true to kind 30175 but never stores nor delivers it; every other kind is handled correctly.',
    level: 'MUST',
    breaks: [mustAccept, addressableLatest],
    implies: [],
  },
  {
    name: 'no-eose',
    area: 'control',
    description: 'Never sends EOSE; stored events, live events and everything else are fine.',
    level: 'definition',
    breaks: [
      nip01('`["EOSE", <subscription_id>]`, used to indicate the _end of stored events_ and the beginning of events newly received in real-time.'),
    ],
    implies: [],
  },
  {
    name: 'no-live',
    area: 'control',
    description: 'Never delivers an event live after EOSE; stored answers are fine.',
    level: 'SHOULD',
    breaks: [liveRule],
    implies: [],
  },
  {
    name: 'count-hangup',
    area: 'control',
    description: 'Closes the socket when it receives COUNT; everything else is fine.',
    level: 'MUST',
    breaks: [
      countForm,
      nip45('Whenever the relay decides to refuse to fulfill the `COUNT` request, it MUST return a `CLOSED` message.'),
    ],
    implies: [],
  },
  // ---- replacement
  {
    name: 'tie-keeps-first',
    area: 'replacement',
    description: 'On equal created_at the version that arrived first stays, even when the newcomer has the lower id.',
    level: 'SHOULD',
    breaks: [tieRule, nipAP('Ties are broken by lowest event `id` per [NIP-01](01.md).'), headOnly],
    implies: [],
  },
  {
    name: 'tie-keeps-last',
    area: 'replacement',
    description: 'On equal created_at the version that arrived last wins, whatever the ids.',
    level: 'SHOULD',
    breaks: [tieRule, nipAP('Ties are broken by lowest event `id` per [NIP-01](01.md).'), headOnly],
    implies: [],
  },
  {
    name: 'tie-highest-id',
    area: 'replacement',
    description: 'On equal created_at the version with the highest id wins (a reversed comparison).',
    level: 'SHOULD',
    breaks: [tieRule, nipAP('Ties are broken by lowest event `id` per [NIP-01](01.md).'), headOnly],
    implies: [],
  },
  {
    name: 'older-replaces',
    area: 'replacement',
    description: 'The last version to arrive replaces the head even when its created_at is older.',
    level: 'MUST',
    breaks: [addressableLatest],
    implies: [],
  },
  {
    name: 'superseded-by-ids',
    area: 'replacement',
    description: 'Replaced versions are kept and served to filters that ask for them by `ids`.',
    level: 'SHOULD',
    breaks: [headOnly],
    implies: [],
  },
  {
    name: 'superseded-returned',
    area: 'replacement',
    description: 'Replaced versions are kept and returned beside the head to every matching filter.',
    level: 'SHOULD',
    breaks: [latestOnly, headOnly],
    implies: [],
  },
  {
    name: 'stale-stored',
    area: 'replacement',
    description: 'A version older than the head (or losing its tie) is answered OK true, stored as an extra version and served.',
    level: 'SHOULD',
    breaks: [latestOnly, headOnly],
    implies: [],
  },
  {
    name: 'replaceable-0-3-regular',
    area: 'replacement',
    description: 'Kinds 0 and 3 are treated as regular events (only 10000-19999 replace), so every version is kept and served.',
    level: 'SHOULD',
    breaks: [
      nip01('for kind `n` such that `10000 <= n < 20000 || n == 0 || n == 3`, events are **replaceable**, which means that, for each combination of `pubkey` and `kind`, only the latest event MUST be stored by relays, older versions MAY be discarded.'),
      latestOnly,
    ],
    implies: [],
  },
  // ---- isolation
  {
    name: 'cross-kind-replace',
    area: 'isolation',
    description: 'The address key leaves out the kind: a newer event of another addressable kind with the same `d` replaces the persona.',
    level: 'MUST',
    breaks: [
      addressableLatest,
      nipAP('(1) it isolates this NIP\'s address space from any other application using the same pubkey — persona slugs cannot collide with another app\'s `d` tag choices;'),
    ],
    implies: [],
  },
  {
    name: 'cross-author-replace',
    area: 'isolation',
    description: 'The address key leaves out the pubkey: a newer persona of another author with the same slug replaces it.',
    level: 'MUST',
    breaks: [
      addressableLatest,
      nipAP('Clients scope by author pubkey — two different owners MAY publish personas with the same slug; these are independent events.'),
    ],
    implies: [],
  },
  {
    name: 'd-prefix-match',
    area: 'isolation',
    description: 'Tag filters match by prefix: `#d: ["abc"]` also returns the persona `abcd`.',
    level: 'MUST',
    breaks: [tagMatch],
    implies: [],
  },
  {
    name: 'd-case-insensitive',
    area: 'isolation',
    description: 'Tag filters compare case-insensitively: `#d: ["ABC"]` returns the persona `abc`.',
    level: 'MUST',
    breaks: [tagMatch],
    implies: [],
  },
  {
    name: 'persona-h-scoped',
    area: 'isolation',
    description: 'A persona carrying an `h` tag is treated as channel-scoped: only filters with a matching `#h` see it.',
    level: 'SHOULD',
    breaks: [
      nipAP('The relay stores persona events globally (`channel_id = NULL`); they are not channel-scoped.'),
      nip01('Upon receiving a `REQ` message, the relay SHOULD return events that match the filter.'),
    ],
    implies: [],
  },
  // ---- slug grammar
  {
    name: 'slug-uppercase-accepted',
    area: 'slug',
    description: 'The slug check is case-insensitive: `Agent` is accepted.',
    level: 'MUST',
    breaks: [slugRule, enforcedOnIngest],
    implies: [],
  },
  {
    name: 'slug-65-accepted',
    area: 'slug',
    description: 'The length check is off by one: a 65-byte slug is accepted.',
    level: 'MUST',
    breaks: [slugRule, nipAP('Total length: 1–64 bytes.'), enforcedOnIngest],
    implies: [],
  },
  {
    name: 'slug-64-refused',
    area: 'slug',
    description: 'The length check is off by one the other way: a valid 64-byte slug is refused.',
    level: 'MUST',
    breaks: [mustAccept, nipAP('Total length: 1–64 bytes.')],
    implies: [],
  },
  {
    name: 'slug-non-ascii-accepted',
    area: 'slug',
    description: 'The slug check uses Unicode letter classes: `café` and other lowercase non-ASCII letters are accepted.',
    level: 'MUST',
    breaks: [slugRule, enforcedOnIngest],
    implies: [],
  },
  {
    name: 'slug-leading-symbol-accepted',
    area: 'slug',
    description: 'The first character is checked like the others: `_agent` and `-agent` are accepted.',
    level: 'MUST',
    breaks: [slugRule, enforcedOnIngest],
    implies: [],
  },
  {
    name: 'slug-slash-accepted',
    area: 'slug',
    description: 'Hierarchical slugs are accepted: `team/agent`.',
    level: 'MUST',
    breaks: [
      slugRule,
      nipAP('Slugs are flat identifiers (no path separators), unlike [NIP-AE](NIP-AE.md) memory slugs which are hierarchical (`mem/…`).'),
    ],
    implies: [],
  },
  {
    name: 'slug-empty-accepted',
    area: 'slug',
    description: 'An empty `d` value is accepted for a persona.',
    level: 'MUST',
    breaks: [nipAP('The relay MUST enforce that the `d` tag is non-empty (standard NIP-33 requirement for parameterized replaceable events).')],
    implies: [],
  },
  // ---- envelope
  {
    name: 'two-d-tags-accepted',
    area: 'envelope',
    description: 'A persona with two valued `d` tags is accepted (the first one is used).',
    level: 'MUST',
    breaks: [slugRule, enforcedOnIngest],
    implies: [],
  },
  {
    name: 'valueless-d-counted',
    area: 'envelope',
    description: 'A valueless `["d"]` tag counts as a `d` tag, so a persona with one valid `d` plus `["d"]` is refused.',
    level: 'MUST',
    breaks: [mustAccept],
    implies: [],
  },
  {
    name: 'extra-tags-refused',
    area: 'envelope',
    description: 'A persona with any tag besides its `d` tag (an `alt` tag, a `t` tag) is refused.',
    level: 'MUST',
    breaks: [mustAccept, nipAP('Additional tags beyond `d` and `alt` are not defined by this NIP and have no effect on validity.')],
    implies: [],
  },
  {
    name: 'h-tag-refused',
    area: 'envelope',
    description: 'A persona with an `h` tag is refused as if it named a channel.',
    level: 'MUST',
    breaks: [mustAccept, nipAP('The relay stores persona events globally (`channel_id = NULL`); they are not channel-scoped.')],
    implies: [],
  },
  {
    name: 'content-validated',
    area: 'envelope',
    description: 'A persona whose content is not a JSON object with string `display_name` and `system_prompt` is refused.',
    level: 'MUST',
    breaks: [
      mustAccept,
      nipAP('The relay is NOT required to validate that `content` parses as valid `PersonaEventContent` JSON.'),
    ],
    implies: [],
  },
  // ---- deletion
  {
    name: 'a-deletion-deletes-newer',
    area: 'deletion',
    description: 'An `a` deletion removes every version of the address, also those newer than the deletion.',
    level: 'MUST',
    breaks: [aDeletionRange, addressableLatest],
    implies: [],
  },
  {
    name: 'a-deletion-foreign-address',
    area: 'deletion',
    description: 'An `a` deletion is honoured whoever signed it: the pubkey inside the address is not compared with the deleter.',
    level: 'MUST',
    breaks: [deleteSameAuthor, nipAP('A deletion request MUST be authored by the same key (`pubkey_o`).'), addressableLatest],
    implies: [],
  },
  {
    name: 'a-deletion-prefix',
    area: 'deletion',
    description: 'The `a` value is matched as a prefix: deleting `30175:<pk>:abc` also deletes the persona `abcd`.',
    level: 'MUST',
    breaks: [aDeletionRange, addressableLatest],
    implies: [],
  },
  {
    name: 'e-deletion-foreign',
    area: 'deletion',
    description: 'An `e` deletion removes the target even when another author signed the deletion.',
    level: 'MUST',
    breaks: [deleteSameAuthor, addressableLatest],
    implies: [],
  },
  {
    name: 'deletion-first-a-only',
    area: 'deletion',
    description: 'Only the first `a` tag of a deletion request is honoured.',
    level: 'SHOULD',
    breaks: [
      nip09('A special event with kind `5`, meaning "deletion request" is defined as having a list of one or more `e` or `a` tags, each referencing an event the author is requesting to be deleted.'),
      deleteSameAuthor,
    ],
    implies: [],
  },
  {
    name: 'deletion-kind-confused',
    area: 'deletion',
    description: 'An `a` deletion matches on pubkey and `d` only: deleting `30176:<pk>:x` deletes the persona `30175:<pk>:x`.',
    level: 'MUST',
    breaks: [aDeletionRange, addressableLatest],
    implies: [],
  },
  {
    name: 'forgets-deletions',
    area: 'deletion',
    description: 'Deletions are applied but not remembered: a deleted event or version sent again is stored and served.',
    level: 'SHOULD',
    breaks: [deleteSameAuthor, aDeletionRange],
    implies: [],
  },
  {
    name: 'resurrection-refused',
    area: 'deletion',
    description: 'After an `a` deletion every later write to the address is refused, even with a newer created_at.',
    level: 'MUST',
    breaks: [
      nipAP('A subsequent write with a later timestamp resurrects the slug under NIP-33 replacement semantics.'),
      mustAccept,
    ],
    implies: [],
  },
  {
    name: 'deletion-requests-dropped',
    area: 'deletion',
    description: 'Deletion requests are applied but not stored, so they are never served.',
    level: 'SHOULD',
    breaks: [
      nip09('Relays SHOULD continue to publish/share the deletion request events indefinitely, as clients may already have the event that\'s intended to be deleted.'),
    ],
    implies: [],
  },
  {
    name: 'e-deletion-ignored',
    area: 'deletion',
    description: 'Only `a` tags of a deletion request are honoured; `e` tags delete nothing.',
    level: 'SHOULD',
    breaks: [deleteSameAuthor],
    implies: [],
  },
  // ---- live delivery
  {
    name: 'stale-live',
    area: 'live',
    description: 'A stale or tie-losing version is answered `duplicate:` and not stored, but is delivered to live subscribers.',
    level: 'SHOULD',
    breaks: [headOnly],
    implies: [],
  },
  {
    name: 'resend-live',
    area: 'live',
    description: 'An exact re-send of a stored event is delivered to live subscribers again.',
    level: 'definition',
    breaks: [liveRule],
    implies: [],
  },
  {
    name: 'refused-live',
    area: 'live',
    description: 'Events refused by the persona rules (bad slug, wrong `d` count) are still delivered to live subscribers.',
    level: 'MUST',
    breaks: [slugRule, enforcedOnIngest],
    implies: [],
  },
  {
    name: 'req-reuse-adds',
    area: 'live',
    description: 'A REQ reusing an open subscription id adds a subscription instead of replacing the old one.',
    level: 'SHOULD',
    breaks: [liveRule],
    implies: [],
  },
  {
    name: 'close-ignored',
    area: 'live',
    description: 'CLOSE is ignored: the subscription keeps delivering.',
    level: 'SHOULD',
    breaks: [liveRule],
    implies: [],
  },
  {
    name: 'unmatched-delivery',
    area: 'live',
    description: 'Live matching checks only `kinds`, so subscriptions get events of other authors, tags and times.',
    level: 'MUST',
    breaks: [allConditions],
    implies: [],
  },
  {
    name: 'live-limit',
    area: 'live',
    description: '`limit` keeps counting after EOSE: once a subscription has received `limit` events no more are delivered live.',
    level: 'MUST',
    breaks: [nip01('The `limit` property of a filter is only valid for the initial query and MUST be ignored afterwards.')],
    implies: [],
  },
  {
    name: 'subid-not-scoped',
    area: 'live',
    description: 'Subscriptions live in one relay-wide map keyed by id: a REQ on another connection with the same id takes the subscription over.',
    level: 'MUST',
    breaks: [nip01('Relays MUST manage `<subscription_id>`s independently for each WebSocket connection.')],
    implies: [],
  },
  // ---- filters
  {
    name: 'since-exclusive',
    area: 'filters',
    description: '`since` is exclusive: an event at exactly `since` is not returned.',
    level: 'MUST',
    breaks: [sinceUntil, nip01('If a filter includes the `since` property, events with `created_at` greater than or equal to `since` are considered to match the filter.')],
    implies: [],
  },
  {
    name: 'until-exclusive',
    area: 'filters',
    description: '`until` is exclusive: an event at exactly `until` is not returned.',
    level: 'MUST',
    breaks: [sinceUntil, nip01('The `until` property is similar except that `created_at` must be less than or equal to `until`.')],
    implies: [],
  },
  {
    name: 'limit-ignored',
    area: 'filters',
    description: '`limit` is ignored: every match is returned.',
    level: 'SHOULD',
    breaks: [limitGuide, nip01('Returning fewer events is acceptable, but returning (much) more should be avoided to prevent overwhelming clients.')],
    implies: [],
  },
  {
    name: 'oldest-first',
    area: 'filters',
    description: 'Matches are sorted oldest first before `limit` is applied, so the oldest `n` come back, oldest first.',
    level: 'SHOULD',
    breaks: [lastN, newestFirst],
    implies: [],
  },
  {
    name: 'limit-tie-order',
    area: 'filters',
    description: 'Events with equal created_at are ordered highest id first, so `limit` keeps the wrong one of a tie.',
    level: 'SHOULD',
    breaks: [newestFirst],
    implies: [],
  },
  {
    name: 'tie-order-arrival',
    area: 'filters',
    description: 'Events with equal created_at keep the order in which the store holds them (arrival order for a read by author) instead of lowest id first.',
    level: 'SHOULD',
    breaks: [newestFirst],
    implies: [],
  },
  {
    name: 'authors-ignored-with-kinds',
    area: 'filters',
    description: 'A stored query with `kinds` ignores `authors` (the kind index is used and the author check is forgotten).',
    level: 'MUST',
    breaks: [allConditions],
    implies: [],
  },
  {
    name: 'multi-filter-first-only',
    area: 'filters',
    description: 'Only the first filter of a REQ is used, for stored and live events.',
    level: 'MUST',
    breaks: [
      nip01('In this case, events that match any of the filters are to be returned, i.e., multiple filters are to be interpreted as `||` conditions.'),
    ],
    implies: [],
  },
  {
    name: 'tag-values-all',
    area: 'filters',
    description: 'A tag filter with several values needs all of them on the event instead of any one.',
    level: 'MUST',
    breaks: [tagMatch],
    implies: [],
  },
  {
    name: 'limit-zero-ignored',
    area: 'filters',
    description: '`limit: 0` is treated as no limit (a falsy check), so stored events come back.',
    level: 'SHOULD',
    breaks: [limitGuide, lastN],
    implies: [],
  },
  {
    name: 'eose-first',
    area: 'filters',
    description: 'EOSE is sent before the stored events instead of after them.',
    level: 'definition',
    breaks: [
      nip01('`["EOSE", <subscription_id>]`, used to indicate the _end of stored events_ and the beginning of events newly received in real-time.'),
    ],
    implies: [],
  },
  // ---- COUNT
  {
    name: 'count-off-by-one',
    area: 'count',
    description: 'COUNT answers one more than the matches, claiming `"approximate": false`.',
    level: 'definition',
    breaks: [countForm, nip45('Multiple filters are OR\'d together and aggregated into a single count result.')],
    implies: [],
  },
  {
    name: 'count-superseded',
    area: 'count',
    description: 'Replaced versions are kept for counting: COUNT counts them beside the head (REQ does not serve them), claiming `"approximate": false`.',
    level: 'definition',
    breaks: [countFilters, latestOnly],
    implies: [],
  },
  // ---- OK and CLOSED
  {
    name: 'resend-no-ok',
    area: 'ok',
    description: 'An exact re-send of a stored event gets no OK at all.',
    level: 'MUST',
    breaks: [okRule],
    implies: [],
  },
  {
    name: 'ok-no-prefix',
    area: 'ok',
    description: 'OK false messages have no machine-readable prefix (`persona slug is not valid`).',
    level: 'MUST',
    breaks: [okMessageRule],
    implies: [],
  },
  {
    name: 'duplicate-ok-false',
    area: 'ok',
    description: 'An exact re-send of a stored event is answered OK false `duplicate: ...`.',
    level: 'MUST',
    breaks: [okRule],
    implies: [],
  },
  {
    name: 'ok-three-elements',
    area: 'ok',
    description: 'OK true with an empty message is sent as `["OK", id, true]`, without the 4th element.',
    level: 'MUST',
    breaks: [okMessageRule],
    implies: [],
  },
  {
    name: 'closed-no-prefix',
    area: 'ok',
    description: 'CLOSED messages have no machine-readable prefix.',
    level: 'MUST',
    breaks: [nip01('This message uses the same pattern of `OK` messages with the machine-readable prefix and human-readable message.'), okMessageRule],
    implies: [],
  },
  {
    name: 'bad-sig-notice',
    area: 'ok',
    description: 'An event with a bad signature is answered with a NOTICE instead of an OK.',
    level: 'MUST',
    breaks: [okRule],
    implies: [],
  },
  // ---- NIP-11
  {
    name: 'nip11-no-cors',
    area: 'nip11',
    description: 'The NIP-11 document is served without CORS headers (and OPTIONS gets no CORS headers either).',
    level: 'MUST',
    breaks: [
      nip11('Relays MUST accept CORS requests by sending `Access-Control-Allow-Origin`, `Access-Control-Allow-Headers`, and `Access-Control-Allow-Methods` headers.'),
    ],
    implies: [],
  },
  {
    name: 'limits-not-enforced',
    area: 'nip11',
    description:
      'The advertised max_event_tags, max_content_length, max_subscriptions and max_subid_length are not enforced.',
    level: 'definition',
    breaks: [limitsImposed],
    implies: [],
  },
  {
    name: 'limits-stricter',
    area: 'nip11',
    description:
      'Enforced limits are stricter than advertised: content over 8,196 characters and events over 20 tags are refused, only 8 subscriptions are allowed, while NIP-11 shows the defaults.',
    level: 'definition',
    breaks: [limitsImposed],
    implies: [],
  },
  // ---- ingest
  {
    name: 'sig-not-verified',
    area: 'ingest',
    description: 'Signatures are not checked: a persona with a forged signature is stored and can replace the real head.',
    level: 'MUST',
    breaks: [mustAccept, nipAP('Only the holder of `seckey_o` can publish or replace persona events.')],
    implies: [],
  },
  {
    name: 'id-not-verified',
    area: 'ingest',
    description: 'The id is not recomputed: an event whose id does not match its fields is stored under that id.',
    level: 'MUST',
    breaks: [
      nip01('To obtain the `event.id`, we `sha256` the serialized event.'),
      nip01('To prevent implementation differences from creating a different event ID for the same event, the following rules MUST be followed while serializing:'),
    ],
    implies: [],
  },
  {
    name: 'ephemeral-stored',
    area: 'ingest',
    description: 'Ephemeral events (20000-29999) are stored and served to later REQs like regular events.',
    level: 'definition',
    breaks: [
      nip01('for kind `n` such that `20000 <= n < 30000`, events are **ephemeral**, which means they are not expected to be stored by relays.'),
    ],
    implies: [],
  },
  {
    name: 'any-path',
    area: 'ingest',
    description: 'WebSocket connections are accepted on every path, though the path changes nothing.',
    level: 'MUST',
    breaks: [nip01('Relays MUST only accept connections to a single endpoint when additional path segments do not influence its behavior.')],
    implies: [],
  },
  // ---- NIP-42 (under auth-required)
  {
    name: 'auth-any-challenge',
    area: 'auth',
    description: 'The `challenge` tag of an AUTH event is not compared with the challenge sent.',
    level: 'MUST',
    breaks: [nip42('To verify `AUTH` messages, relays must ensure:'), nip42('that the `"challenge"` tag matches the challenge sent before;')],
    implies: ['auth-required'],
  },
  {
    name: 'auth-event-broadcast',
    area: 'auth',
    description: 'A kind 22242 event sent with EVENT is delivered to live subscribers.',
    level: 'MUST',
    breaks: [nip42('Relays MUST exclude `kind: 22242` events from being broadcasted to any client.')],
    implies: ['auth-required'],
  },
  {
    name: 'auth-message-broadcast',
    area: 'auth',
    description: 'The kind 22242 event of an accepted AUTH message is delivered to live subscribers of other connections.',
    level: 'MUST',
    breaks: [nip42('Relays MUST exclude `kind: 22242` events from being broadcasted to any client.')],
    implies: ['auth-required'],
  },
  {
    name: 'auth-no-ok',
    area: 'auth',
    description: 'A successful AUTH is not answered with OK (failures still are).',
    level: 'MUST',
    breaks: [nip42('`AUTH` messages sent by clients MUST be answered with an `OK` message, like any `EVENT` message.')],
    implies: ['auth-required'],
  },
  {
    name: 'auth-single-key',
    area: 'auth',
    description: 'A second AUTH replaces the first key instead of adding to it, so events of the first key are refused `restricted:`.',
    level: 'MUST',
    breaks: [nip42('Relays MUST treat all pubkeys as authenticated accordingly.')],
    implies: ['auth-required'],
  },
  {
    name: 'auth-stale-accepted',
    area: 'auth',
    description: 'The created_at of an AUTH event is not checked: an AUTH event a day old is accepted.',
    level: 'MUST',
    breaks: [
      nip42('To verify `AUTH` messages, relays must ensure:'),
      nip42('that the event `created_at` is close (e.g. within ~10 minutes) of the current time;'),
    ],
    implies: ['auth-required'],
  },
] as const satisfies readonly DefectInfo[]

export type DefectName = (typeof defects)[number]['name']
