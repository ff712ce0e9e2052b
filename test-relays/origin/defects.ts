// Switchable departures from ORIGIN-RELAY.md, one rule each, so the suite's origin profile can be
// shown to fail a relay that breaks that rule. Every entry names the section and the line of
// /work/shared/ORIGIN-RELAY.md it contradicts.

export interface OriginDefect {
  readonly id: string
  readonly section: string
  /** The sentence of ORIGIN-RELAY.md this defect breaks, quoted verbatim. */
  readonly rule: string
  /** What the relay does instead. */
  readonly behaviour: string
  /**
   * Set when the origin profile asks nothing of the broken line, so no case is meant to catch
   * the defect: why (the origin lacks something, or does something no relay is asked to copy,
   * spec/NIP-AP.md section 1.2).
   */
  readonly notRequired?: string
}

export const ORIGIN_DEFECTS = [
  {
    id: 'auth-not-required',
    section: '§1',
    rule: 'EVENT, REQ and COUNT all require a successful AUTH first',
    behaviour: 'serves EVENT, REQ and COUNT before AUTH (an EVENT writes for its own pubkey)',
  },
  {
    id: 'auth-relay-tag-strict',
    section: '§1',
    rule: '`relay` tag equal to the relay URL (normalised; `localhost` reads as `127.0.0.1`)',
    behaviour: 'compares the relay tag with the relay URL as raw strings',
  },
  {
    id: 'auth-retry-allowed',
    section: '§1',
    rule: 'One AUTH per connection: a failure is final',
    behaviour: 'verifies a second AUTH after a failed one and can authenticate with it',
  },
  {
    id: 'pubkey-mismatch-accepted',
    section: '§1',
    rule: "An EVENT's pubkey must equal the authenticated key (only kind 1059 gift wraps are exempt)",
    behaviour: 'accepts an EVENT signed by another key than the authenticated one',
  },
  {
    id: 'duplicate-with-text',
    section: '§2',
    rule: 'the message is exactly `duplicate:` with nothing after the colon',
    behaviour: 'answers losing writes and re-sends `duplicate: already have this event`',
  },
  {
    id: 'duplicate-before-checks',
    section: '§2',
    rule: 'Duplicate detection runs after every other check',
    behaviour: 'answers an exact re-send `duplicate:` before any other check (even the clock window)',
  },
  {
    id: 'persona-content-checked',
    section: '§3',
    rule: 'Content is never checked (not even JSON)',
    behaviour: 'refuses a persona whose content is not a JSON object: `invalid: persona content must be a JSON object`',
  },
  {
    id: 'persona-h-scoped',
    section: '§3',
    rule: 'Global-only: any `h` tag is ignored and the persona is stored with no channel',
    behaviour: 'scopes a persona with a UUID `h` tag to that channel (membership checked, stored in the channel)',
  },
  {
    id: 'non-uuid-channel',
    section: '§4',
    rule: 'An `h` value is a channel only if it parses as a UUID',
    behaviour: 'accepts any non-empty `h` value as an open channel for channel kinds',
  },
  {
    id: 'kind11-accepted',
    section: '§4',
    rule: 'Kind 11 is not a known kind at all: `restricted: unknown event kind`',
    behaviour: 'accepts kind 11 as a channel thread kind',
    notRequired:
      'refusing a kind is something the origin lacks, not a guarantee (spec/NIP-AP.md 1.2); section 15.1 states the refusal with no requirement. Origin: crates/buzz-relay/src/handlers/ingest.rs required_scope_for_kind knows no kind 11',
  },
  {
    id: 'first-marker-wins',
    section: '§4',
    rule: 'When a marker repeats, the last tag wins',
    behaviour: 'reads the first `root` and the first `reply` tag',
  },
  {
    id: 'root-alone-is-reply',
    section: '§4',
    rule: 'root alone: the event is top-level (not a reply; the root is not even looked up)',
    behaviour: 'treats a lone root marker as a reply to that root',
  },
  {
    id: 'three-element-marker-read',
    section: '§4',
    rule: 'anything else (positional tags, a three-element `["e",id,"reply"]`) is ignored',
    behaviour: 'reads a marker in the third element of a three-element `e` tag',
  },
  {
    id: 'thread-text-differs',
    section: '§4',
    rule: '`invalid: reply parent not found`',
    behaviour: 'refuses an unknown parent with `invalid: parent event not found`',
  },
  {
    id: 'depth-limit-99',
    section: '§4',
    rule: '`depth > 100` is refused',
    behaviour: 'refuses depth 100 already',
  },
  {
    id: 'deletion-two-targets',
    section: '§5',
    rule: 'Then exactly one target overall',
    behaviour: 'accepts a deletion with several targets and deletes them all',
  },
  {
    id: 'deletion-tombstone',
    section: '§5',
    rule: 'afterwards any version never stored before, even an older one, is accepted and becomes the head',
    behaviour: 'keeps a tombstone: versions not newer than the deletion are refused `blocked: address was deleted`',
    notRequired:
      'the origin keeps no tombstone, a lack the core rules recommend against (AP-DEL-3); spec/NIP-AP.md section 10 says no origin requirement asks for it',
  },
  {
    id: 'deleted-resend-restores',
    section: '§5',
    rule: 'Re-sending the deleted event itself gets `duplicate:` and stays deleted',
    behaviour: 'a re-send of a deleted event is accepted and readable again',
  },
  {
    id: 'kindless-served',
    section: '§6',
    rule: 'A filter without `kinds` is refused unless it has `ids` or a `#p` naming only the caller',
    behaviour: 'serves kindless filters on every door',
  },
  {
    id: 'empty-kinds-match-all',
    section: '§6',
    rule: '`kinds: []` matches nothing',
    behaviour: 'reads `kinds: []` as no kind constraint',
  },
  {
    id: 'close-silent',
    section: '§6',
    rule: 'CLOSE is answered `["CLOSED",sub,""]`',
    behaviour: 'closes the subscription without answering',
    notRequired:
      'NIP-01 sends CLOSED when a relay ends a subscription itself or refuses a REQ, with a prefixed message (AP-BASE-2); the origin\'s acknowledgement of a client CLOSE with an empty message (crates/buzz-relay/src/handlers/close.rs handle_close) is outside NIP-01 and breaks that grammar, so the profile does not ask for it (spec/NIP-AP.md 1.2); the reference relay\'s origin mode does not send it either',
  },
  {
    id: 'no-subscription-limit',
    section: '§6',
    rule: '1,024 subscriptions per connection (`error: too many subscriptions`)',
    behaviour: 'opens any number of subscriptions',
  },
  {
    id: 'clock-window-600',
    section: '§6',
    rule: '`created_at` within ±900 s',
    behaviour: 'refuses events more than 600 s from now',
  },
  {
    id: 'nip11-auth-not-required',
    section: '§1',
    rule: 'NIP-11 says `auth_required: true`',
    behaviour: 'advertises `auth_required: false`',
  },
  {
    id: 'query-removes-repeats',
    section: '§7',
    rule: '`POST /query` with several filters concatenates per-filter results without removing repeats',
    behaviour: 'returns each event once',
  },
  {
    id: 'thread-query-includes-root',
    section: '§7',
    rule: 'The root is never included',
    behaviour: 'puts the root first in a thread query answer',
  },
  {
    id: 'thread-query-honours-kinds',
    section: '§7',
    rule: 'Ignored: kinds, authors, since, until, ids, other tags',
    behaviour: 'applies `kinds` to the replies of a thread query',
    notRequired:
      'the origin ignores `kinds` in a thread query (crates/buzz-relay/src/api/bridge.rs query_events), a condition it ignores, so a relay that narrows by it still meets the profile (spec/NIP-AP.md 1.2 and 16.2; AP-HTTP-7 uses a `kinds` naming every reply kind); the reference relay narrows too (16.3)',
  },
  {
    id: 'http-401-text',
    section: '§7',
    rule: '401 `{"error":"missing Nostr auth"}`',
    behaviour: 'answers a request without auth 401 `{"error":"unauthorized"}`',
  },
  {
    id: 'x-pubkey-refused',
    section: '§7',
    rule: '`X-Pubkey: <hex>` without any signature is accepted unless the operator requires tokens',
    behaviour: 'ignores X-Pubkey (401 `missing Nostr auth`)',
    notRequired:
      'trusting an unsigned `X-Pubkey` is a weakness (the origin\'s crates/buzz-relay/src/api/bridge.rs verify_bridge_auth calls it dev mode), so the profile does not ask a relay to accept it, only that a bridge refusing it answers 401 `missing Nostr auth` (AP-AUTH-13, spec/NIP-AP.md 17.2), which this defect does',
  },
  {
    id: 'nip98-replay-allowed',
    section: '§7',
    rule: 'an auth event id is usable once per 120 s',
    behaviour: 'accepts the same NIP-98 auth event again',
  },
  {
    id: 'http-refusal-200',
    section: '§7',
    rule: '400 for unparsable bodies and every ingest refusal',
    behaviour: 'answers ingest refusals 200 `{"accepted":false,...}`',
  },
  {
    id: 'http-body-unlimited',
    section: '§7',
    rule: '413 for bodies over 1 MiB',
    behaviour: 'reads bodies of any size',
  },
] as const satisfies readonly OriginDefect[]

export type OriginDefectId = (typeof ORIGIN_DEFECTS)[number]['id']

const KNOWN = new Set<string>(ORIGIN_DEFECTS.map((d) => d.id))

export class DefectSet {
  private readonly on: ReadonlySet<string>

  constructor(ids: readonly string[] = []) {
    const unknown = ids.filter((id) => !KNOWN.has(id))
    if (unknown.length > 0) {
      throw new Error(`unknown origin defect(s): ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})`)
    }
    this.on = new Set(ids)
  }

  has(id: OriginDefectId): boolean {
    return this.on.has(id)
  }

  list(): string[] {
    return [...this.on]
  }
}
