/** Addresses and head selection for replaceable and addressable events (AP-REPL-*). */

import type { NostrEvent } from './event.ts'
import { isAddressableKind, isReplaceableKind } from './kinds.ts'
import { valuedDTags } from './envelope.ts'

type Versioned = Pick<NostrEvent, 'id' | 'created_at'>

/**
 * Orders two versions of one address: negative when `a` wins. The greater created_at
 * wins; on equal created_at the lowest id (lowercase hex, so plain string order) wins.
 */
export function compareVersions(a: Versioned, b: Versioned): number {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at
  if (a.id === b.id) return 0
  return a.id < b.id ? -1 : 1
}

/** True when `candidate` would replace `current` as head. */
export function supersedes(candidate: Versioned, current: Versioned): boolean {
  return compareVersions(candidate, current) < 0
}

/** The head among versions of one address, or undefined for none. Order-independent. */
export function selectHead<E extends Versioned>(versions: Iterable<E>): E | undefined {
  let head: E | undefined
  for (const version of versions) {
    if (head === undefined || supersedes(version, head)) head = version
  }
  return head
}

/** The `d` value of an addressable event: the first valued `d` tag, or '' when none. */
export function dTagOf(event: Pick<NostrEvent, 'tags'>): string {
  return valuedDTags(event.tags)[0] ?? ''
}

/**
 * `kind:pubkey:d` for addressable kinds, `kind:pubkey:` for replaceable kinds, and null
 * for kinds that have no address.
 */
export function addressOf(event: Pick<NostrEvent, 'kind' | 'pubkey' | 'tags'>): string | null {
  if (isAddressableKind(event.kind)) return `${event.kind}:${event.pubkey}:${dTagOf(event)}`
  if (isReplaceableKind(event.kind)) return `${event.kind}:${event.pubkey}:`
  return null
}

export function formatAddress(kind: number, pubkey: string, d: string): string {
  return `${kind}:${pubkey}:${d}`
}

export type ParsedAddress = { kind: number; pubkey: string; d: string }

/** Parses `kind:pubkey:d` (the `d` part may itself contain colons). */
export function parseAddress(address: string): ParsedAddress | null {
  const first = address.indexOf(':')
  const second = address.indexOf(':', first + 1)
  if (first < 1 || second < 0) return null
  const kindText = address.slice(0, first)
  const pubkey = address.slice(first + 1, second)
  if (!/^\d{1,5}$/.test(kindText) || !/^[0-9a-f]{64}$/.test(pubkey)) return null
  return { kind: Number(kindText), pubkey, d: address.slice(second + 1) }
}

/**
 * Reduces any response to one head per address; events without an address pass through.
 * This is what a client does with whatever a relay returns (AP-READ-*).
 */
export function selectHeads<E extends NostrEvent>(events: Iterable<E>): E[] {
  const heads = new Map<string, E>()
  const rest: E[] = []
  for (const event of events) {
    const address = addressOf(event)
    if (address === null) {
      rest.push(event)
      continue
    }
    const current = heads.get(address)
    if (current === undefined || supersedes(event, current)) heads.set(address, event)
  }
  return [...heads.values(), ...rest]
}
