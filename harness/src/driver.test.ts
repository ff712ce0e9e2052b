import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { type FakeBehaviour, type FakeRelay, closedPort, startFakeRelay } from '../test-fixtures/fake-relay.ts'
import { openConnection } from './driver.ts'
import { HarnessError } from './errors.ts'
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
