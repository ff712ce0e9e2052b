/**
 * Signed kind-30175 events for the load generators, made before any clock starts. Signing
 * uses bcrypto's native libsecp256k1 when it loads (about 15,000 signatures/s per core),
 * else nostr-tools (pure JS, much slower; the bench then uses fewer events).
 */

import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { finalizeEvent, getPublicKey, serializeEvent } from 'nostr-tools/pure'
import type { NostrEvent } from '../../spec/model/event.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'

interface NativeSchnorr {
  native: number
  publicKeyCreate(key: Buffer): Buffer
  sign(msg: Buffer, key: Buffer, aux?: Buffer): Buffer
}

function loadNativeSchnorr(): NativeSchnorr | null {
  try {
    const schnorr = createRequire(import.meta.url)('bcrypto/lib/schnorr') as NativeSchnorr
    return schnorr.native === 2 ? schnorr : null
  } catch {
    return null
  }
}

const native = loadNativeSchnorr()
const zeroAux = Buffer.alloc(32)

export const signerName = native === null ? 'nostr-tools (pure JS)' : 'bcrypto/libsecp256k1'

/** A secret key derived from a label, so runs are reproducible. */
export function secretKey(label: string): Uint8Array {
  return createHash('sha256').update(`nip-ap-bench:${label}`).digest()
}

export function publicKey(sk: Uint8Array): string {
  return native === null ? getPublicKey(sk) : native.publicKeyCreate(Buffer.from(sk)).toString('hex')
}

export interface Template {
  kind: number
  created_at: number
  tags: string[][]
  content: string
}

export function signEvent(template: Template, sk: Uint8Array, pubkey: string): NostrEvent {
  if (native === null) return finalizeEvent(template, sk) as NostrEvent
  const unsigned = { ...template, pubkey }
  const id = createHash('sha256').update(serializeEvent(unsigned)).digest()
  const sig = native.sign(id, Buffer.from(sk), zeroAux)
  return { ...unsigned, id: id.toString('hex'), sig: sig.toString('hex') }
}

/** A persona body of a realistic size (about 500 bytes). */
export function personaBody(owner: number, slug: string, version: number, padding = 0): string {
  return JSON.stringify({
    display_name: `Agent ${slug} v${version}`,
    system_prompt:
      `You are agent ${slug} of owner ${owner}, version ${version}. You review pull requests, ` +
      'explain failing tests in plain words, and propose the smallest change that fixes them. ' +
      'Never invent APIs; cite the file and line you rely on.' +
      ' Be brief.'.repeat(Math.ceil(padding / 10)),
    avatar_url: `https://example.com/avatars/${owner}/${slug}.png`,
    runtime: 'goose',
    model: 'claude-opus-4',
    provider: 'anthropic',
    name_pool: ['Alpha', 'Beta', 'Gamma', 'Delta'],
  })
}

export interface IngestPlan {
  /** Distinguishes the owners of different generators. */
  label: string
  owners: number
  events: number
  /** Fraction of events that replace an earlier slug of the same owner (a new head). */
  replaceFraction: number
  /** created_at of the first version of each slug; replacements count up from it. */
  baseCreatedAt: number
  /** Extra bytes of system prompt per body (bulky events for the slow-reader workload). */
  padding?: number
}

/**
 * New slugs and replacements, interleaved. A replacement takes created_at one above the
 * latest version of its slug, so it becomes the new head whatever the arrival order.
 */
export function planPersonas(plan: IngestPlan): NostrEvent[] {
  const owners = Array.from({ length: plan.owners }, (_, i) => {
    const sk = secretKey(`${plan.label}/owner-${i}`)
    return { sk, pubkey: publicKey(sk), slugs: [] as Array<{ slug: string; version: number; created_at: number }> }
  })
  const events: NostrEvent[] = []
  let rng = seedOf(plan.label)
  const random = () => {
    rng = (rng * 1103515245 + 12345) % 2147483648
    return rng / 2147483648
  }
  for (let i = 0; i < plan.events; i++) {
    const ownerIndex = i % owners.length
    const owner = owners[ownerIndex] as (typeof owners)[number]
    const replace = owner.slugs.length > 0 && random() < plan.replaceFraction
    let entry
    if (replace) {
      entry = owner.slugs[Math.floor(random() * owner.slugs.length)] as (typeof owner.slugs)[number]
      entry.version += 1
      entry.created_at += 1
    } else {
      entry = { slug: `${plan.label.replace(/[^a-z0-9]/g, '')}-${i}`, version: 1, created_at: plan.baseCreatedAt }
      owner.slugs.push(entry)
    }
    events.push(
      signEvent(
        {
          kind: PersonaKind,
          created_at: entry.created_at,
          tags: [['d', entry.slug]],
          content: personaBody(ownerIndex, entry.slug, entry.version, plan.padding),
        },
        owner.sk,
        owner.pubkey,
      ),
    )
  }
  return events
}

function seedOf(label: string): number {
  return createHash('sha256').update(label).digest().readUInt32BE(0) % 2147483648
}
