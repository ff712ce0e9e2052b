/**
 * Every third-party relay the project can host, in report order. To add one, write
 * hosts/<name>.ts (see README.md) and list it here.
 */

import * as nostrmini from './hosts/nostrmini.ts'
import * as nostrRelay from './hosts/nostr-relay.ts'
import * as relays from './hosts/relays.ts'
import * as welshman from './hosts/welshman.ts'
import type { RelayHost } from './types.ts'

export const relayHosts: readonly RelayHost[] = [nostrRelay, welshman, relays, nostrmini].map((host) => ({
  ...host.info,
  start: host.start,
}))

export function findRelayHost(name: string): RelayHost | undefined {
  return relayHosts.find((host) => host.name === name)
}
