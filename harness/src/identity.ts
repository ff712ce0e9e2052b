/** Fresh keys and unique slugs: every case writes under its own key and names. */

import { randomBytes } from 'node:crypto'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { isValidSlug } from '../../spec/model/slug.ts'

export interface KeyPair {
  secretKey: Uint8Array
  pubkey: string
}

export function freshKeys(): KeyPair {
  const secretKey = generateSecretKey()
  return { secretKey, pubkey: getPublicKey(secretKey) }
}

/**
 * A slug no other run has used: `<prefix>-<12 hex>`. The prefix is cut so the result stays
 * within the 64-byte grammar; an invalid prefix is an authoring bug and throws.
 */
export function uniqueSlug(prefix = 'case'): string {
  const slug = `${prefix.slice(0, 48)}-${randomBytes(6).toString('hex')}`
  if (!isValidSlug(slug)) throw new Error(`uniqueSlug: prefix ${JSON.stringify(prefix)} does not make a valid slug`)
  return slug
}
