import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type FakeBehaviour, type FakeRelay, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { type AuthSession, openConnection, openSocket } from './driver.ts'
import { HarnessError } from './errors.ts'
import { type KeyPair, freshKeys } from './identity.ts'
import { Transcript } from './transcript.ts'

const relays: FakeRelay[] = []
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()))
})

async function fake(behaviour: FakeBehaviour): Promise<FakeRelay> {
  const relay = await startFakeRelay({ behaviour })
  relays.push(relay)
  return relay
}

function persona(slug: string, createdAt = Math.floor(Date.now() / 1000)) {
  return finalizeEvent(
    { kind: PersonaKind, created_at: createdAt, tags: [['d', slug]], content: '{"display_name":"x","system_prompt":"y"}' },
    generateSecretKey(),
  )
}

async function connect(url: string, timeoutMs = 300) {
  const transcript = new Transcript()
  const connection = await openConnection(url, { transcript, label: 'ws1', timeoutMs })
  return { connection, transcript }
}

async function harnessErrorOf(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HarnessError)
  return error as HarnessError
}

describe('driver against an honest relay', () => {
  test('publish returns the OK verdict with its prefix and logs both frames', async () => {
    const relay = await fake('honest')
    const { connection, transcript } = await connect(relay.url)
    const good = await connection.publish(persona('good-slug'))
    expect(good).toMatchObject({ accepted: true, prefix: null })
    const bad = await connection.publish(persona('Bad'))
    expect(bad.accepted).toBe(false)
    expect(bad.prefix).toBe('invalid')
    expect(transcript.entries.filter((e) => e.dir === 'send')).toHaveLength(2)
    expect(transcript.entries.filter((e) => e.dir === 'recv')).toHaveLength(2)
    await connection.close()
  })

  test('query collects stored events up to EOSE; a subscription sees later events', async () => {
    const relay = await fake('honest')
    const { connection } = await connect(relay.url)
    const first = persona('first')
    await connection.publish(first)
    const reply = await connection.query([{ ids: [first.id] }])
    expect(reply.eose).toBe(true)
    expect(reply.events.map((e) => e.id)).toEqual([first.id])

    const subscription = connection.subscribe([{ kinds: [PersonaKind] }])
    await subscription.stored()
    const second = persona('second')
    const { connection: writer } = await connect(relay.url)
    await writer.publish(second)
    const live = await subscription.waitForEvent((e) => e.id === second.id, 'the second event')
    expect(live.id).toBe(second.id)
    subscription.close()
    await writer.publish(persona('third'))
    expect(await subscription.eventsWithin(50)).toEqual([])
    await writer.close()
    await connection.close()
  })

  test('COUNT returns the number', async () => {
    const relay = await fake('honest')
    const { connection } = await connect(relay.url)
    const reply = await connection.count([{ kinds: [PersonaKind] }])
    expect(reply).toMatchObject({ ok: true, count: 0 })
    await connection.close()
  })
})

describe('driver against hostile relays: every wait ends in a HarnessError', () => {
  test('a silent relay times out the OK wait', async () => {
    const relay = await fake('silent')
    const { connection, transcript } = await connect(relay.url, 150)
    const error = await harnessErrorOf(connection.publish(persona('silent')))
    expect(error.kind).toBe('timeout')
    expect(transcript.entries.some((e) => e.dir === 'note' && e.text.includes('gave up'))).toBe(true)
    await connection.close()
  })

  test('a garbage-sending relay fails the wait as a protocol error, and later waits too', async () => {
    const relay = await fake('garbage')
    const { connection } = await connect(relay.url)
    expect((await harnessErrorOf(connection.query([{ kinds: [1] }]))).kind).toBe('protocol')
    expect((await harnessErrorOf(connection.waitFor(() => true, 'anything'))).kind).toBe('protocol')
    await connection.close()
  })

  test('a relay that hangs up fails the wait as a disconnect, and sending afterwards throws', async () => {
    const relay = await fake('disconnect')
    const { connection } = await connect(relay.url)
    expect((await harnessErrorOf(connection.publish(persona('bye')))).kind).toBe('disconnected')
    expect(() => connection.send(['REQ', 'x', {}])).toThrow(HarnessError)
    await connection.close()
  })

  test('nothing listening is an unreachable error, not a hang', async () => {
    const port = await closedPort()
    const error = await harnessErrorOf(connect(`ws://127.0.0.1:${port}`))
    expect(error.kind).toBe('unreachable')
  })

  test('collectFor returns what arrived within the window without failing on silence', async () => {
    const relay = await fake('silent')
    const { connection } = await connect(relay.url)
    connection.send(['REQ', 'quiet', {}])
    expect(await connection.collectFor(50)).toEqual([])
    await connection.close()
  })
})

describe('driver under NIP-42: a logical connection answers challenges and routes by author', () => {
  function signedPersona(keys: KeyPair, slug: string) {
    return finalizeEvent(
      { kind: PersonaKind, created_at: Math.floor(Date.now() / 1000), tags: [['d', slug]], content: '{"display_name":"x","system_prompt":"y"}' },
      keys.secretKey,
    )
  }

  async function authConnection(relay: FakeRelay, prepare: AuthSession['prepare'], perAuthor: boolean, keyring: KeyPair[]) {
    const transcript = new Transcript()
    const [identity] = keyring as [KeyPair]
    const session: AuthSession = {
      prepare,
      answersAuth: true,
      perAuthor,
      identity,
      keyFor: (pubkey) => keyring.find((k) => k.pubkey === pubkey),
      openSocket: (label) => openSocket(relay.url, { transcript, label, timeoutMs: 500 }),
      note: (text) => transcript.note(text),
    }
    const connection = await openConnection(relay.url, { transcript, label: 'ws1', timeoutMs: 500 }, session)
    return { connection, transcript }
  }

  test('one key per connection: reads on the main socket, each author on a socket authenticated as that author', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ', 'COUNT'] } })
    relays.push(relay)
    const [main, other] = [freshKeys(), freshKeys()] as [KeyPair, KeyPair]
    const { connection, transcript } = await authConnection(relay, 'challenge', true, [main, other])
    const mine = signedPersona(main, 'mine')
    const theirs = signedPersona(other, 'theirs')
    expect(await connection.publish(mine)).toMatchObject({ accepted: true })
    expect(await connection.publish(theirs)).toMatchObject({ accepted: true })
    expect((await connection.query([{ ids: [mine.id, theirs.id] }])).events).toHaveLength(2)
    expect(await connection.count([{ ids: [mine.id] }])).toMatchObject({ ok: true, count: 1 })
    expect(relay.authenticated).toEqual([main.pubkey, other.pubkey])
    const labels = new Set(transcript.entries.map((e) => e.conn))
    expect(labels).toEqual(new Set(['ws1', `ws1@${other.pubkey.slice(0, 8)}`, '-']))
    await connection.close()
  })

  test('a relay that challenges only when it refuses: a REQ for nothing fetches the challenge, then AUTH before the case goes on', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ'], challenge: 'on-demand' } })
    relays.push(relay)
    const main = freshKeys()
    const { connection } = await authConnection(relay, 'REQ', true, [main])
    expect(relay.authenticated).toEqual([main.pubkey])
    connection.send(['REQ', 'raw', { authors: [main.pubkey] }])
    expect(await connection.waitFor((f) => f[1] === 'raw', 'the raw REQ answer')).toEqual(['EOSE', 'raw'])
    await connection.close()
  })

  test('lazy: AUTH after an auth-required answer, then one more try; concurrent refusals share one AUTH', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['EVENT', 'REQ'], challenge: 'on-demand' } })
    relays.push(relay)
    const main = freshKeys()
    const { connection } = await authConnection(relay, 'lazy', true, [main])
    const burst = ['b1', 'b2', 'b3'].map((slug) => signedPersona(main, slug))
    expect((await Promise.all(burst.map((e) => connection.publish(e)))).map((r) => r.accepted)).toEqual([true, true, true])
    expect(relay.authenticated).toEqual([main.pubkey])
    const refusals = connection.frames.filter((f) => f[0] === 'OK' && f[2] === false)
    expect(refusals.map((f) => f[3])).toEqual(Array(3).fill('auth-required: authenticate first'))
    const sub = connection.subscribe([{ authors: [main.pubkey] }])
    expect((await sub.stored()).events).toHaveLength(3)
    const event = signedPersona(main, 'later')
    expect(await connection.publish(event)).toMatchObject({ accepted: true })
    expect((await sub.waitForEvent((e) => e.id === event.id, 'the live event')).id).toBe(event.id)
    await connection.close()
  })

  test('lazy: a subscription the relay CLOSED with auth-required is sent again, same id, after AUTH', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['REQ'], challenge: 'on-demand' } })
    relays.push(relay)
    const main = freshKeys()
    const { connection } = await authConnection(relay, 'lazy', false, [main])
    const sub = connection.subscribe([{ authors: [main.pubkey] }])
    expect(await sub.stored()).toEqual({ events: [], eose: true })
    expect(connection.frames.filter((f) => f[1] === sub.id).map((f) => f[0])).toEqual(['CLOSED', 'EOSE'])
    const event = signedPersona(main, 'live')
    expect(await connection.publish(event)).toMatchObject({ accepted: true })
    expect((await sub.waitForEvent((e) => e.id === event.id, 'the live event')).id).toBe(event.id)
    await connection.close()
  })

  test('an event by a key the case did not make goes out on the main socket, and the relay answers for it', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['EVENT'] } })
    relays.push(relay)
    const { connection } = await authConnection(relay, 'challenge', true, [freshKeys()])
    const stranger = signedPersona(freshKeys(), 'stranger')
    expect(await connection.publish(stranger)).toMatchObject({ accepted: false, prefix: 'restricted' })
    await connection.close()
  })

  test('a refused AUTH is a harness error (kind auth), not a verdict on the relay', async () => {
    const relay = await startFakeRelay({ behaviour: 'honest', auth: { require: ['REQ'], allow: [] } })
    relays.push(relay)
    const error = await harnessErrorOf(authConnection(relay, 'challenge', false, [freshKeys()]))
    expect(error.kind).toBe('auth')
    expect(error.message).toMatch(/the relay refused AUTH as [0-9a-f]{12} \(OK false "restricted: /)
  })
})
