// NIP-01 filters: parsing (refusing what the relay cannot honour) and matching.
import { isHex64, type NostrEvent } from './event.ts'
import type { Faults } from './faults.ts'
import { personaKind } from './kinds.ts'
import type { Reason } from './reasons.ts'

export interface Filter {
  readonly ids?: readonly string[]
  readonly authors?: readonly string[]
  readonly kinds?: readonly number[]
  /** `#x` conditions: tag name and the values of which one must be present. */
  readonly tags: readonly (readonly [string, readonly string[]])[]
  readonly since?: number
  readonly until?: number
  readonly limit?: number
}

const isNonNegativeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

const tagKey = /^#[a-zA-Z]$/

type Parsed = { ok: true; filter: Filter } | { ok: false; reason: Reason }

const invalid = (text: string): Parsed => ({ ok: false, reason: { prefix: 'invalid', text } })

export function parseFilter(raw: unknown): Parsed {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('each filter must be a JSON object')
  const filter: {
    ids?: string[]
    authors?: string[]
    kinds?: number[]
    tags: [string, string[]][]
    since?: number
    until?: number
    limit?: number
  } = { tags: [] }
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'ids' || key === 'authors') {
      if (!Array.isArray(value) || !value.every(isHex64)) return invalid(`${key} must be a list of 64-character lowercase hex values`)
      filter[key] = value
    } else if (key === 'kinds') {
      if (!Array.isArray(value) || !value.every((kind) => isNonNegativeInteger(kind) && kind <= 65535))
        return invalid('kinds must be a list of integers between 0 and 65535')
      filter.kinds = value
    } else if (tagKey.test(key)) {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        return invalid(`${key} must be a list of strings`)
      if ((key === '#e' || key === '#p') && !value.every(isHex64))
        return invalid(`${key} must be a list of 64-character lowercase hex values`)
      filter.tags.push([key.slice(1), value])
    } else if (key === 'since' || key === 'until' || key === 'limit') {
      if (!isNonNegativeInteger(value)) return invalid(`${key} must be a non-negative integer`)
      filter[key] = value
    } else {
      return { ok: false, reason: { prefix: 'unsupported', text: `filter field ${JSON.stringify(key)} is not supported` } }
    }
  }
  return { ok: true, filter }
}

/** Where a match is asked for: the stored query or live delivery after EOSE. */
export type MatchStage = 'stored' | 'live'

export function matches(filter: Filter, event: NostrEvent, faults: Faults, stage: MatchStage): boolean {
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false
  if (stage === 'live' && faults.has('unmatched-delivery')) return true
  if (filter.ids && !filter.ids.includes(event.id)) return false
  const authorsIgnored = stage === 'stored' && filter.kinds !== undefined && faults.has('authors-ignored-with-kinds')
  if (filter.authors && !authorsIgnored && !filter.authors.includes(event.pubkey)) return false
  if (filter.since !== undefined) {
    if (event.created_at < filter.since || (faults.has('since-exclusive') && event.created_at === filter.since)) return false
  }
  if (filter.until !== undefined) {
    if (event.created_at > filter.until || (faults.has('until-exclusive') && event.created_at === filter.until)) return false
  }
  for (const [name, wanted] of filter.tags) {
    if (!tagConditionHolds(name, wanted, event, faults)) return false
  }
  if (faults.has('persona-h-scoped') && event.kind === personaKind && hiddenInChannel(filter, event)) return false
  return true
}

function tagConditionHolds(name: string, wanted: readonly string[], event: NostrEvent, faults: Faults): boolean {
  // Only the first value of a tag is indexed (NIP-01).
  const present = event.tags.filter((tag) => tag[0] === name && tag.length > 1).map((tag) => tag[1] as string)
  const same = (have: string, want: string): boolean => {
    if (faults.has('d-prefix-match')) return have.startsWith(want)
    if (faults.has('d-case-insensitive')) return have.toLowerCase() === want.toLowerCase()
    return have === want
  }
  const found = (want: string): boolean => present.some((have) => same(have, want))
  return faults.has('tag-values-all') ? wanted.every(found) : wanted.some(found)
}

function hiddenInChannel(filter: Filter, event: NostrEvent): boolean {
  const channels = event.tags.filter((tag) => tag[0] === 'h' && tag.length > 1).map((tag) => tag[1] as string)
  if (channels.length === 0) return false
  const asked = filter.tags.find(([name]) => name === 'h')?.[1] ?? []
  return !channels.some((channel) => asked.includes(channel))
}

/** Newest first; equal created_at: lowest id first (NIP-01). */
export function newestFirst(faults: Faults): (a: NostrEvent, b: NostrEvent) => number {
  if (faults.has('oldest-first')) return (a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  // A stable sort that leaves ties alone keeps the candidates' order: arrival, for a read by author.
  if (faults.has('tie-order-arrival')) return (a, b) => b.created_at - a.created_at
  const tieHighestFirst = faults.has('limit-tie-order')
  return (a, b) => {
    if (a.created_at !== b.created_at) return b.created_at - a.created_at
    if (a.id === b.id) return 0
    return (a.id < b.id) !== tieHighestFirst ? -1 : 1
  }
}
