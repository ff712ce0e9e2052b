/**
 * NIP-42 on the WebSocket door. The relay's default is open (no AUTH asked, every frame
 * served); with `--origin` it behaves as the origin relay does (spec section 17.3,
 * AP-AUTH-7 to AP-AUTH-11): a challenge on connect, EVENT, REQ and COUNT refused until one
 * AUTH succeeds, one AUTH per connection, and every EVENT signed by the authenticated key.
 * The checks and texts are spec/model's (relay-auth.ts); this module keeps the per-connection
 * state, one entry per open connection.
 */

import { nowSeconds } from '../../spec/model/clock.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { checkRelayAuthEvent, mayWriteAs, newChallenge, RelayAuthMessages } from '../../spec/model/relay-auth.ts'
import { RelayAuthKind } from '../../spec/model/kinds.ts'
import type { ConnId } from './messages.ts'
import type { Wire } from './wire.ts'

export interface ConnectionAuth {
  /** Frames to send when a connection opens: the challenge, or none. */
  opened(conn: ConnId): string[]
  /** Frames answering an `["AUTH", <event>]` message; null when this relay takes no AUTH. */
  auth(conn: ConnId, raw: unknown): string[] | null
  /** The refusal of an EVENT this connection may not send, or null to go on. */
  admitEvent(conn: ConnId, event: Pick<NostrEvent, 'pubkey' | 'kind'>): string | null
  /** The frames refusing a REQ or COUNT this connection may not send yet, or null to go on. */
  admitRead(conn: ConnId, type: 'REQ' | 'COUNT', subId: string): string[] | null
  /** The key the connection authenticated as, or null. */
  identity(conn: ConnId): string | null
  closed(conn: ConnId): void
}

/** The default: nothing asked, everything admitted. */
export const OpenDoor: ConnectionAuth = {
  opened: () => [],
  auth: () => null,
  admitEvent: () => null,
  admitRead: () => null,
  identity: () => null,
  closed: () => {},
}

type State = { challenge: string; status: 'pending' } | { status: 'failed' } | { status: 'authenticated'; pubkey: string }

export interface Nip42DoorOptions {
  wire: Wire
  /** The URL AUTH events must name in their `relay` tag (the relay's own, known once it listens). */
  relayUrl: () => string
  clock?: () => number
}

/** The origin relay's NIP-42: required for EVENT, REQ and COUNT, one key per connection. */
export function nip42Door(options: Nip42DoorOptions): ConnectionAuth {
  const { wire } = options
  const states = new Map<ConnId, State>()
  const stateOf = (conn: ConnId): State => {
    let state = states.get(conn)
    if (state === undefined) {
      state = { challenge: newChallenge(), status: 'pending' }
      states.set(conn, state)
    }
    return state
  }
  const idOf = (raw: unknown): string => {
    const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
    return typeof id === 'string' ? id : ''
  }
  return {
    opened(conn) {
      const state = stateOf(conn)
      return state.status === 'pending' ? [JSON.stringify(['AUTH', state.challenge])] : []
    },
    auth(conn, raw) {
      const state = stateOf(conn)
      const id = idOf(raw)
      if (state.status === 'authenticated') return [wire.ok(id, false, RelayAuthMessages.alreadyAuthenticated)]
      if (state.status === 'failed') return [wire.ok(id, false, RelayAuthMessages.alreadyFailed)]
      const check = checkRelayAuthEvent(raw, { challenge: state.challenge, relayUrl: options.relayUrl(), now: nowSeconds(options.clock) })
      if (!check.ok) {
        states.set(conn, { status: 'failed' })
        return [wire.ok(id, false, check.message)]
      }
      states.set(conn, { status: 'authenticated', pubkey: check.pubkey })
      return [wire.ok(id, true, '')]
    },
    admitEvent(conn, event) {
      const state = stateOf(conn)
      if (state.status !== 'authenticated') return RelayAuthMessages.notAuthenticated
      if (!mayWriteAs(event, state.pubkey)) return RelayAuthMessages.pubkeyMismatch
      if (event.kind === RelayAuthKind) return RelayAuthMessages.authAsEvent
      return null
    },
    admitRead(conn, type, subId) {
      if (stateOf(conn).status === 'authenticated') return null
      const closed = wire.closed(subId, RelayAuthMessages.notAuthenticated)
      return type === 'REQ' ? [wire.notice(RelayAuthMessages.beforeSubscribing), closed] : [closed]
    },
    identity(conn) {
      const state = states.get(conn)
      return state?.status === 'authenticated' ? state.pubkey : null
    },
    closed(conn) {
      states.delete(conn)
    },
  }
}
