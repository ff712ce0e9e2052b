import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { makeAuthEvent } from '../../lib/nip01/auth.ts'
import { RelayAuthMessages } from '../../spec/model/relay-auth.ts'
import { nip42Door, OpenDoor } from './connection-auth.ts'
import { createWire } from './wire.ts'

const url = 'ws://127.0.0.1:7777'
const now = 1_800_000_000
const door = () => nip42Door({ wire: createWire(), relayUrl: () => url, clock: () => now * 1000 })
const key = generateSecretKey()
const pubkey = getPublicKey(key)

function challengeOf(frames: string[]): string {
  const [type, challenge] = JSON.parse(frames[0] as string) as [string, string]
  expect(type).toBe('AUTH')
  return challenge
}

describe('the origin door (NIP-42 always on)', () => {
  test('a fresh 64-hex challenge per connection; nothing before AUTH', () => {
    const d = door()
    const [a, b] = [challengeOf(d.opened(1)), challengeOf(d.opened(2))]
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(b)
    expect(d.admitEvent(1, { pubkey, kind: 1 })).toBe(RelayAuthMessages.notAuthenticated)
    expect(d.admitRead(1, 'REQ', 's')?.map((f) => JSON.parse(f))).toEqual([
      ['NOTICE', RelayAuthMessages.beforeSubscribing],
      ['CLOSED', 's', RelayAuthMessages.notAuthenticated],
    ])
    expect(d.admitRead(1, 'COUNT', 'c')).toEqual([JSON.stringify(['CLOSED', 'c', RelayAuthMessages.notAuthenticated])])
  })

  test('one AUTH binds the connection to its key', () => {
    const d = door()
    const challenge = challengeOf(d.opened(1))
    const auth = makeAuthEvent({ secretKey: key, challenge, relayUrl: 'ws://localhost:7777/', createdAt: now })
    expect(d.auth(1, auth)).toEqual([JSON.stringify(['OK', auth.id, true, ''])])
    expect(d.identity(1)).toBe(pubkey)
    expect(d.admitEvent(1, { pubkey, kind: 1 })).toBeNull()
    expect(d.admitEvent(1, { pubkey: 'f'.repeat(64), kind: 1 })).toBe(RelayAuthMessages.pubkeyMismatch)
    expect(d.admitEvent(1, { pubkey: 'f'.repeat(64), kind: 1059 })).toBeNull()
    expect(d.admitEvent(1, { pubkey, kind: 22242 })).toBe(RelayAuthMessages.authAsEvent)
    const other = makeAuthEvent({ secretKey: generateSecretKey(), challenge, relayUrl: url, createdAt: now })
    expect(JSON.parse(d.auth(1, other)?.[0] as string)).toEqual(['OK', other.id, false, RelayAuthMessages.alreadyAuthenticated])
    expect(d.identity(1)).toBe(pubkey)
  })

  test('a failed AUTH is final; closing forgets the connection', () => {
    const d = door()
    const challenge = challengeOf(d.opened(1))
    const wrong = makeAuthEvent({ secretKey: key, challenge: 'x', relayUrl: url, createdAt: now })
    expect(JSON.parse(d.auth(1, wrong)?.[0] as string)[3]).toBe(RelayAuthMessages.verificationFailed)
    const right = makeAuthEvent({ secretKey: key, challenge, relayUrl: url, createdAt: now })
    expect(JSON.parse(d.auth(1, right)?.[0] as string)[3]).toBe(RelayAuthMessages.alreadyFailed)
    d.closed(1)
    expect(d.identity(1)).toBeNull()
  })

  test('the open door asks nothing', () => {
    expect(OpenDoor.opened(1)).toEqual([])
    expect(OpenDoor.admitEvent(1, { pubkey, kind: 1 })).toBeNull()
    expect(OpenDoor.admitRead(1, 'REQ', 's')).toBeNull()
    expect(OpenDoor.auth(1, {})).toBeNull()
  })
})
