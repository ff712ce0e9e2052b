// NIP-09 deletion requests: what they name.
import { isHex64, type NostrEvent } from './event.ts'

export interface AddressTarget {
  readonly kind: number
  readonly pubkey: string
  readonly d: string
}

export interface DeletionTargets {
  readonly ids: readonly string[]
  readonly addresses: readonly AddressTarget[]
}

/** `<kind>:<pubkey>:<d>`; the d part may itself contain colons. */
export function parseAddress(value: string): AddressTarget | null {
  const first = value.indexOf(':')
  const second = first < 0 ? -1 : value.indexOf(':', first + 1)
  if (second < 0) return null
  const kindText = value.slice(0, first)
  const pubkey = value.slice(first + 1, second)
  if (!/^\d{1,5}$/.test(kindText) || !isHex64(pubkey)) return null
  const kind = Number(kindText)
  if (kind > 65535) return null
  return { kind, pubkey, d: value.slice(second + 1) }
}

export function deletionTargets(request: NostrEvent): DeletionTargets {
  const ids: string[] = []
  const addresses: AddressTarget[] = []
  for (const tag of request.tags) {
    const value = tag[1]
    if (value === undefined) continue
    if (tag[0] === 'e' && isHex64(value)) ids.push(value)
    if (tag[0] === 'a') {
      const address = parseAddress(value)
      if (address !== null) addresses.push(address)
    }
  }
  return { ids, addresses }
}
