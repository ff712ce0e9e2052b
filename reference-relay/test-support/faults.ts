/**
 * The list of test-only defects of the reference relay: name, area and what goes wrong.
 * Each is one realistic bug at the place in the pipeline where a real relay would have it,
 * so the conformance suite can prove that each of its cases is able to fail (the kill
 * table, scripts/power). The defects are built by faulty-parts.ts as replacements of the
 * relay's parts; the relay's own code has no switches for them.
 */

export interface FaultInfo {
  readonly name: string
  readonly area: FaultArea
  readonly description: string
  /**
   * Set when no requirement of either profile covers what the defect breaks (the behaviour
   * is the reference relay's own, the requirement withdrawn): no case can detect it, and the
   * proof of power does not ask one to. The reason says which requirement went.
   */
  readonly unjudged?: string
}

export type FaultArea =
  | 'slug'
  | 'envelope'
  | 'content'
  | 'replacement'
  | 'deletion'
  | 'clock'
  | 'scope'
  | 'nip01'
  | 'nip45'
  | 'nip11'
  | 'thread'
  | 'http'

export const Faults = [
  { name: 'slug-accept-uppercase', area: 'slug', description: 'accepts slugs containing uppercase ASCII letters' },
  { name: 'slug-accept-65-bytes', area: 'slug', description: 'accepts slugs of 65 bytes (limit off by one upwards)' },
  { name: 'slug-refuse-64-bytes', area: 'slug', description: 'refuses slugs of exactly 64 bytes (limit off by one downwards)' },
  { name: 'envelope-count-valueless-d', area: 'envelope', description: 'counts a valueless ["d"] tag as a d tag' },
  { name: 'envelope-accept-two-d-tags', area: 'envelope', description: 'accepts personas with two d tags, using the first' },
  { name: 'content-validate-persona-json', area: 'content', description: 'refuses personas whose content is not a valid persona JSON body' },
  { name: 'replace-no-tie-break', area: 'replacement', description: 'on equal created_at the last write wins instead of the lowest id' },
  { name: 'replace-tie-break-highest-id', area: 'replacement', description: 'on equal created_at the highest id wins' },
  { name: 'replace-older-wins', area: 'replacement', description: 'an older write replaces a newer head' },
  { name: 'replace-stale-answered-false', area: 'replacement', description: 'a stale or tie-losing write is answered OK false instead of OK true duplicate' },
  { name: 'replace-keep-superseded', area: 'replacement', description: 'superseded versions are kept and served beside the head' },
  { name: 'replace-superseded-by-id', area: 'replacement', description: 'superseded versions are hidden from address reads but still returned by id' },
  { name: 'fanout-stale-versions', area: 'replacement', description: 'stale or tie-losing writes are fanned out to live subscribers' },
  { name: 'duplicate-answered-false', area: 'nip01', description: 'an identical re-send is answered OK false instead of OK true duplicate' },
  { name: 'skew-boundary-exclusive', area: 'clock', description: 'an event exactly at the skew boundary is refused' },
  { name: 'skew-no-future-check', area: 'clock', description: 'events far in the future are accepted' },
  { name: 'skew-no-past-check', area: 'clock', description: 'events far in the past are accepted' },
  { name: 'nip11-skew-not-enforced', area: 'nip11', description: 'NIP-11 advertises half of the clock window actually enforced' },
  { name: 'scope-refuse-persona-h-tag', area: 'scope', description: 'personas carrying an h tag are refused' },
  { name: 'delete-accept-foreign-author', area: 'deletion', description: 'deletions naming another author\'s address or event are accepted' },
  { name: 'delete-a-ignores-created-at', area: 'deletion', description: 'an a deletion removes and blocks every version, newer ones too' },
  { name: 'delete-no-resurrection', area: 'deletion', description: 'after an a deletion even newer versions are refused' },
  { name: 'delete-e-superseded-removes-head', area: 'deletion', description: 'an e deletion of a superseded version removes the current head' },
  { name: 'reasons-without-prefix', area: 'nip01', description: 'OK false, CLOSED and NOTICE texts lack the machine-readable prefix' },
  { name: 'req-no-eose', area: 'nip01', description: 'no EOSE is sent after stored events' },
  { name: 'close-ignored', area: 'nip01', description: 'CLOSE does not end the subscription' },
  { name: 'signature-not-checked', area: 'nip01', description: 'the Schnorr signature is not verified' },
  { name: 'filter-until-exclusive', area: 'nip01', description: 'until is treated as exclusive' },
  { name: 'filter-limit-ignored', area: 'nip01', description: 'a filter\'s limit is ignored (max_limit still applies)' },
  { name: 'query-oldest-first', area: 'nip01', description: 'stored results come oldest first' },
  { name: 'count-off-by-one', area: 'nip45', description: 'COUNT answers one more than the number of matching events' },
  { name: 'thread-accept-missing-parent', area: 'thread', description: 'a reply whose parent is not stored is accepted as a depth-1 reply' },
  { name: 'thread-accept-other-channel', area: 'thread', description: 'a reply whose parent is in another channel is accepted' },
  { name: 'thread-accept-root-mismatch', area: 'thread', description: 'a root marker that contradicts the ancestry is ignored instead of refused' },
  { name: 'thread-no-depth-limit', area: 'thread', description: 'replies deeper than 100 are accepted' },
  { name: 'thread-query-includes-root', area: 'thread', description: 'a depth_limit thread query also returns the root' },
  { name: 'thread-depth-limit-exclusive', area: 'thread', description: 'a thread query returns depths below depth_limit only (off by one)' },
  { name: 'thread-query-newest-first', area: 'thread', description: 'a thread query returns replies newest first', unjudged: 'the origin promises no order of thread replies (AP-THREAD-8 withdrawn)' },
  { name: 'thread-top-level-broadcast-depth-2', area: 'thread', description: 'broadcast depth-2 replies are shown at top level', unjudged: 'the origin has no top-level feed (AP-THREAD-9 withdrawn)' },
  { name: 'thread-top-level-non-broadcast-depth-1', area: 'thread', description: 'non-broadcast depth-1 replies are shown at top level', unjudged: 'the origin has no top-level feed (AP-THREAD-9 withdrawn)' },
  { name: 'http-auth-replay-accepted', area: 'http', description: 'a NIP-98 authorization event can be used again' },
  { name: 'http-auth-url-unchecked', area: 'http', description: 'the NIP-98 u tag is not compared with the request URL' },
  { name: 'http-auth-payload-unchecked', area: 'http', description: 'the NIP-98 payload tag is not compared with the body hash' },
  { name: 'http-auth-window-unchecked', area: 'http', description: 'NIP-98 events of any created_at are accepted' },
  { name: 'http-duplicate-refused', area: 'http', description: 'POST /events answers a duplicate with 400 instead of 200 accepted' },
] as const satisfies readonly FaultInfo[]

export type FaultName = (typeof Faults)[number]['name']

export type FaultSet = ReadonlySet<FaultName>

export const NoFaults: FaultSet = new Set()

const known: ReadonlySet<string> = new Set(Faults.map((fault) => fault.name))

export function isFaultName(name: string): name is FaultName {
  return known.has(name)
}

/** Validates a list of names (for example from the command line) into a set. */
export function faultSetOf(names: readonly string[]): FaultSet {
  for (const name of names) {
    if (!isFaultName(name)) throw new Error(`error: unknown fault "${name}"`)
  }
  return new Set(names as FaultName[])
}
