// Signed events for the test relays' own tests.
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import type { NostrEvent } from '../core/event.ts'

export interface Keys {
  readonly secretKey: Uint8Array
  readonly pubkey: string
}

export function newKeys(): Keys {
  const secretKey = generateSecretKey()
  return { secretKey, pubkey: getPublicKey(secretKey) }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

export interface Draft {
  kind: number
  tags?: string[][]
  content?: string
  created_at?: number
}

/** A signed event as plain JSON-ready data (no cached verification marks). */
export function sign(keys: Keys, draft: Draft): NostrEvent {
  const event = finalizeEvent(
    { kind: draft.kind, tags: draft.tags ?? [], content: draft.content ?? '', created_at: draft.created_at ?? nowSeconds() },
    keys.secretKey,
  )
  return JSON.parse(JSON.stringify(event)) as NostrEvent
}

export function personaBody(name: string): string {
  return JSON.stringify({ display_name: name, system_prompt: `You are ${name}.` })
}

export function persona(keys: Keys, slug: string, options: { created_at?: number; content?: string; tags?: string[][] } = {}): NostrEvent {
  return sign(keys, {
    kind: 30175,
    tags: options.tags ?? [['d', slug]],
    content: options.content ?? personaBody(slug),
    created_at: options.created_at ?? nowSeconds(),
  })
}

/** Two signed versions with the same created_at, returned as [lower id, higher id]. */
export function tiedPair(make: (salt: string) => NostrEvent): [NostrEvent, NostrEvent] {
  const a = make('first')
  const b = make('second')
  return a.id < b.id ? [a, b] : [b, a]
}

/** The event with one hex digit of its signature changed. */
export function forgeSignature(event: NostrEvent): NostrEvent {
  const last = event.sig.at(-1) === '0' ? '1' : '0'
  return { ...event, sig: event.sig.slice(0, -1) + last }
}

export const ids = (events: readonly NostrEvent[]): string[] => events.map((event) => event.id)
