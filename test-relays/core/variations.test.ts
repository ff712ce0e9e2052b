import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningTestRelay } from '../catalog.ts'
import { startTestRelay } from '../launch.ts'
import { TestClient, withClients } from '../testing/client.ts'
import { ids, newKeys, nowSeconds, persona, sign, type Keys } from '../testing/events.ts'
import { fetchInfo, limitation } from '../testing/http.ts'
import { coreConfig } from './index.ts'
import { presets, variations } from './variations.ts'

/**
 * A client that has answered the AUTH challenge when the relay asks for one. A first REQ
 * draws the challenge out of relays that send it only with their first refusal.
 */
async function ready(relay: RunningTestRelay, keys: Keys, auth: boolean): Promise<TestClient> {
  const client = await TestClient.connect(relay.url)
  if (auth) {
    expect((await client.query('before-auth', { kinds: [30175] })).closed).toMatch(/^auth-required:/)
    expect(await client.authenticate(keys.secretKey, relay.url)).toEqual([true, ''])
  }
  return client
}

const needsAuth = (name: string): boolean => coreConfig({ variations: [name] }).settings.auth

async function roundTrip(relay: RunningTestRelay, auth: boolean): Promise<void> {
  const keys = newKeys()
  const client = await ready(relay, keys, auth)
  try {
    const event = persona(keys, 'round-trip')
    expect(await client.publish(event)).toEqual([true, ''])
    const answer = await client.query('rt', { kinds: [30175], authors: [keys.pubkey], '#d': ['round-trip'] })
    expect(answer.closed).toBeNull()
    expect(answer.events).toEqual([event])
  } finally {
    client.close()
  }
}

/**
 * How each variation shows itself: `observe` runs the same exchange against the
 * variation and against the default relay, which must answer `variation` and `standard`.
 */
interface Check {
  observe(relay: RunningTestRelay): Promise<unknown>
  variation: unknown
  standard: unknown
}

const rejectionPrefix = async (relay: RunningTestRelay): Promise<string> => {
  const keys = newKeys()
  return withClients(relay.url, 1, async (client) => {
    const [accepted, message] = await client.publish(persona(keys, 'Not-A-Slug'))
    return `${accepted} ${message.slice(0, message.indexOf(':') + 2)}`
  })
}

const duplicateMessage = async (relay: RunningTestRelay): Promise<string> => {
  const keys = newKeys()
  return withClients(relay.url, 1, async (client) => {
    const event = persona(keys, 'twice')
    await client.publish(event)
    const [accepted, message] = await client.publish(event)
    return `${accepted} ${JSON.stringify(message.startsWith('duplicate: ') ? 'duplicate: …' : message)}`
  })
}

const clockAnswer = async (relay: RunningTestRelay): Promise<unknown> => {
  const keys = newKeys()
  const info = await fetchInfo(relay.httpUrl)
  return withClients(relay.url, 1, async (client) => {
    const [accepted, message] = await client.publish(persona(keys, 'old', { created_at: nowSeconds() - 700 }))
    return { accepted, prefix: message.split(':')[0], advertised: limitation(info)?.created_at_lower_limit ?? null }
  })
}

const checks: Record<string, Check> = {
  'no-nip11': {
    async observe(relay) {
      const info = await fetchInfo(relay.httpUrl)
      return { json: info.document !== null, cors: info.cors.origin !== null, type: info.contentType.split(';')[0] }
    },
    variation: { json: false, cors: false, type: 'text/html' },
    standard: { json: true, cors: true, type: 'application/nostr+json' },
  },
  'nip11-no-limitation': {
    async observe(relay) {
      const info = await fetchInfo(relay.httpUrl)
      const keys = newKeys()
      const tooManyTags = await withClients(relay.url, 1, (client) =>
        client.publish(sign(keys, { kind: 1, tags: Array.from({ length: 2001 }, (_, i) => ['t', `x${i}`]) })),
      )
      return { limitation: limitation(info) !== undefined, enforced: tooManyTags[0] === false }
    },
    variation: { limitation: false, enforced: true },
    standard: { limitation: true, enforced: true },
  },
  'nip11-extra-fields': {
    async observe(relay) {
      const info = await fetchInfo(relay.httpUrl)
      return ['x_test_relay', 'software', 'relay_countries'].filter((field) => field in (info.document ?? {}))
    },
    variation: ['x_test_relay', 'software', 'relay_countries'],
    standard: [],
  },
  'no-count': {
    async observe(relay) {
      const info = await fetchInfo(relay.httpUrl)
      const answer = await withClients(relay.url, 1, (client) => client.count('c', { kinds: [30175] }))
      const message = answer[0] === 'CLOSED' ? String(answer[2]).split(':')[0] : null
      return { answer: answer[0], message, advertised: (info.document?.supported_nips as number[]).includes(45) }
    },
    variation: { answer: 'CLOSED', message: 'unsupported', advertised: false },
    standard: { answer: 'COUNT', message: null, advertised: true },
  },
  'count-applies-limit': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        for (let i = 0; i < 3; i++) await client.publish(sign(keys, { kind: 1, content: `n${i}` }))
        return (await client.count('c', { authors: [keys.pubkey], limit: 2 }))[2]
      })
    },
    variation: { count: 2 },
    standard: { count: 3 },
  },
  'count-approximate-flag': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        await client.publish(sign(keys, { kind: 1 }))
        return (await client.count('c', { authors: [keys.pubkey] }))[2]
      })
    },
    variation: { count: 1, approximate: false },
    standard: { count: 1 },
  },
  'read-cache': {
    // A repeated query within the cache lifetime still shows the replaced version.
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const slug = `cached-${attempt}`
          const filter = { kinds: [30175], authors: [keys.pubkey], '#d': [slug] }
          const first = persona(keys, slug, { created_at: nowSeconds() - 10 })
          const second = persona(keys, slug, { created_at: nowSeconds() - 5 })
          await client.publish(first)
          const started = Date.now()
          await client.query(`a${attempt}`, filter)
          await client.publish(second)
          const again = await client.query(`b${attempt}`, filter)
          // Over 900 ms the cache may have expired: the exchange tells nothing, try again.
          if (Date.now() - started < 900) return ids(again.events)[0] === first.id ? 'stale' : 'fresh'
        }
        throw new Error('the machine is too slow to observe a 1 s cache')
      })
    },
    variation: 'stale',
    standard: 'fresh',
  },
  'kind-allowlist': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        const [note, message] = await client.publish(sign(keys, { kind: 1 }))
        const [personaAccepted] = await client.publish(persona(keys, 'allowed'))
        return { note, prefix: message.split(':')[0], personaAccepted }
      })
    },
    variation: { note: false, prefix: 'blocked', personaAccepted: true },
    standard: { note: true, prefix: '', personaAccepted: true },
  },
  'kinds-required': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        const without = await client.query('nk', { authors: [keys.pubkey] })
        const withKinds = await client.query('k', { kinds: [30175], authors: [keys.pubkey] })
        return { without: without.closed?.split(':')[0] ?? 'EOSE', withKinds: withKinds.closed ?? 'EOSE' }
      })
    },
    variation: { without: 'restricted', withKinds: 'EOSE' },
    standard: { without: 'EOSE', withKinds: 'EOSE' },
  },
  'no-deletion': {
    async observe(relay) {
      const keys = newKeys()
      const info = await fetchInfo(relay.httpUrl)
      return withClients(relay.url, 1, async (client) => {
        const target = persona(keys, 'kept', { created_at: nowSeconds() - 5 })
        await client.publish(target)
        const deletion = sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:kept`], ['k', '30175']] })
        await client.publish(deletion)
        const personas = await client.query('p', { kinds: [30175], authors: [keys.pubkey] })
        const deletions = await client.query('d', { kinds: [5], authors: [keys.pubkey] })
        return {
          personaServed: personas.events.length === 1,
          deletionServed: deletions.events.length === 1,
          advertised: (info.document?.supported_nips as number[]).includes(9),
        }
      })
    },
    variation: { personaServed: true, deletionServed: true, advertised: false },
    standard: { personaServed: false, deletionServed: true, advertised: true },
  },
  'deletion-author-check': {
    async observe(relay) {
      const [owner, other] = [newKeys(), newKeys()]
      return withClients(relay.url, 1, async (client) => {
        const target = persona(owner, 'theirs', { created_at: nowSeconds() - 5 })
        await client.publish(target)
        const [accepted, message] = await client.publish(
          sign(other, { kind: 5, tags: [['a', `30175:${owner.pubkey}:theirs`]] }),
        )
        const still = await client.query('p', { ids: [target.id] })
        return { accepted, prefix: message.split(':')[0], kept: still.events.length === 1 }
      })
    },
    variation: { accepted: false, prefix: 'invalid', kept: true },
    standard: { accepted: true, prefix: '', kept: true },
  },
  'one-target-deletions': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        const [one, two] = [persona(keys, 'one', { created_at: nowSeconds() - 5 }), persona(keys, 'two', { created_at: nowSeconds() - 5 })]
        await client.publish(one)
        await client.publish(two)
        const [bothAccepted, bothMessage] = await client.publish(sign(keys, { kind: 5, tags: [['e', one.id], ['a', `30175:${keys.pubkey}:two`]] }))
        const afterBoth = await client.query('b', { ids: [one.id, two.id] })
        const [singleAccepted] = await client.publish(sign(keys, { kind: 5, tags: [['e', one.id]] }))
        const afterSingle = await client.query('s', { ids: [one.id] })
        return { bothAccepted, prefix: bothMessage.split(':')[0], keptAfterBoth: afterBoth.events.length, singleAccepted, keptAfterSingle: afterSingle.events.length }
      })
    },
    variation: { bothAccepted: false, prefix: 'invalid', keptAfterBoth: 2, singleAccepted: true, keptAfterSingle: 0 },
    standard: { bothAccepted: true, prefix: '', keptAfterBoth: 0, singleAccepted: true, keptAfterSingle: 0 },
  },
  'deleted-ack': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        const note = sign(keys, { kind: 1, content: 'soon gone' })
        await client.publish(note)
        await client.publish(sign(keys, { kind: 5, tags: [['e', note.id]] }))
        const [accepted, message] = await client.publish(note)
        const served = await client.query('n', { ids: [note.id] })
        return { accepted, prefix: message.split(':')[0], served: served.events.length }
      })
    },
    variation: { accepted: true, prefix: 'duplicate', served: 0 },
    standard: { accepted: false, prefix: 'blocked', served: 0 },
  },
  'blocked-prefix': { observe: rejectionPrefix, variation: 'false blocked: ', standard: 'false invalid: ' },
  'nonstandard-prefix': { observe: rejectionPrefix, variation: 'false rejected: ', standard: 'false invalid: ' },
  'tight-colon': {
    async observe(relay) {
      return { refusal: await rejectionPrefix(relay), duplicate: await duplicateMessage(relay) }
    },
    variation: { refusal: 'false invalid:t', duplicate: 'true "duplicate:"' },
    standard: { refusal: 'false invalid: ', duplicate: 'true "duplicate: …"' },
  },
  'plain-ok': { observe: duplicateMessage, variation: 'true ""', standard: 'true "duplicate: …"' },
  'stale-refused': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        await client.publish(persona(keys, 'fresh', { created_at: nowSeconds() - 5 }))
        const [accepted, message] = await client.publish(persona(keys, 'fresh', { created_at: nowSeconds() - 50 }))
        return `${accepted} ${message.split(':')[0]}`
      })
    },
    variation: 'false duplicate',
    standard: 'true duplicate',
  },
  'max-limit-5': {
    async observe(relay) {
      const keys = newKeys()
      const info = await fetchInfo(relay.httpUrl)
      return withClients(relay.url, 1, async (client) => {
        for (let i = 0; i < 6; i++) await client.publish(sign(keys, { kind: 1, content: `n${i}` }))
        const all = await client.query('a', { authors: [keys.pubkey] })
        const asked = await client.query('b', { authors: [keys.pubkey], limit: 6 })
        return { all: all.events.length, asked: asked.events.length, advertised: limitation(info)?.max_limit }
      })
    },
    variation: { all: 5, asked: 5, advertised: 5 },
    standard: { all: 6, asked: 6, advertised: 1000 },
  },
  'no-notice': {
    async observe(relay) {
      return withClients(relay.url, 1, async (client) => {
        client.sendRaw('this is not json')
        client.send(['HELLO'])
        await client.barrier()
        return client.frames.filter((frame) => frame[0] === 'NOTICE').length
      })
    },
    variation: 0,
    standard: 2,
  },
  'small-frames': {
    async observe(relay) {
      const keys = newKeys()
      const info = await fetchInfo(relay.httpUrl)
      return withClients(relay.url, 1, async (client) => {
        const big = sign(keys, { kind: 1, content: 'x'.repeat(66_000) })
        const [accepted] = await client.publish(big)
        return { accepted, advertised: limitation(info)?.max_message_length }
      })
    },
    variation: { accepted: false, advertised: 65_536 },
    standard: { accepted: true, advertised: 524_288 },
  },
  'clock-window': {
    observe: clockAnswer,
    variation: { accepted: false, prefix: 'invalid', advertised: 600 },
    standard: { accepted: true, prefix: '', advertised: null },
  },
  'clock-window-silent': {
    observe: clockAnswer,
    variation: { accepted: false, prefix: 'invalid', advertised: null },
    standard: { accepted: true, prefix: '', advertised: null },
  },
  'auth-required': {
    async observe(relay) {
      const [me, other] = [newKeys(), newKeys()]
      return withClients(relay.url, 1, async (client) => {
        const before = await client.query('s', { kinds: [30175] })
        const [, eventBefore] = await client.publish(persona(me, 'early'))
        const onConnect = client.frames[0]?.[0] === 'AUTH'
        if (before.closed !== null) await client.authenticate(me.secretKey, relay.url)
        const [, foreign] = await client.publish(persona(other, 'not-mine'))
        const [own] = await client.publish(persona(me, 'mine'))
        return {
          onConnect,
          req: before.closed?.split(':')[0] ?? 'EOSE',
          event: eventBefore.split(':')[0],
          foreign: foreign.split(':')[0],
          own,
        }
      })
    },
    variation: { onConnect: true, req: 'auth-required', event: 'auth-required', foreign: 'restricted', own: true },
    standard: { onConnect: false, req: 'EOSE', event: '', foreign: '', own: true },
  },
  'auth-on-demand': {
    // A NOTICE round trip shows whether AUTH came on connect; a REQ then draws it out.
    async observe(relay) {
      return withClients(relay.url, 1, async (client) => {
        client.sendRaw('not json')
        await client.take((f) => f[0] === 'NOTICE', 'NOTICE')
        await client.query('s', { kinds: [30175], authors: [newKeys().pubkey] })
        return client.frames.map((f) => f[0])
      })
    },
    variation: ['NOTICE', 'AUTH', 'CLOSED'],
    standard: ['NOTICE', 'EOSE'],
  },
  'tight-limits': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        const [tags] = await client.publish(sign(keys, { kind: 1, tags: Array.from({ length: 17 }, (_, i) => ['t', `x${i}`]) }))
        const longId = await client.query('x'.repeat(33), { kinds: [1], limit: 1 })
        const opened: string[] = []
        for (let i = 0; i < 9; i++) opened.push((await client.query(`s${i}`, { kinds: [1], limit: 1 })).closed === null ? 'open' : 'closed')
        return { tags, longId: longId.closed === null, ninth: opened[8] }
      })
    },
    variation: { tags: false, longId: false, ninth: 'closed' },
    standard: { tags: true, longId: true, ninth: 'open' },
  },
  'fanout-before-ok': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 1, async (client) => {
        await client.query('mine', { authors: [keys.pubkey] })
        const event = sign(keys, { kind: 1 })
        await client.publish(event)
        await client.barrier()
        const order = client.frames.filter((f) => (f[0] === 'OK' || f[0] === 'EVENT') && JSON.stringify(f).includes(event.id))
        return order.map((f) => f[0])
      })
    },
    variation: ['EVENT', 'OK'],
    standard: ['OK', 'EVENT'],
  },
}

let standard: RunningTestRelay

beforeAll(async () => {
  standard = await startTestRelay({ relay: 'core' })
})
afterAll(async () => {
  await standard.close()
})

test('the default relay answers a publish/read round trip', async () => {
  await roundTrip(standard, false)
})

test('every variation has a check', () => {
  expect(Object.keys(checks).sort()).toEqual(variations.map((v) => v.name).sort())
})

describe.each(variations.map((v) => v.name))('variation %s', (name) => {
  let relay: RunningTestRelay
  beforeAll(async () => {
    relay = await startTestRelay({ relay: 'core', variations: [name] })
  })
  afterAll(async () => {
    await relay.close()
  })

  test('answers a publish/read round trip', async () => {
    await roundTrip(relay, needsAuth(name))
  })

  test('shows itself where the default relay does not', async () => {
    const check = checks[name]!
    expect(check.variation).not.toEqual(check.standard)
    expect(await check.observe(relay)).toEqual(check.variation)
    expect(await check.observe(standard)).toEqual(check.standard)
  })
})

describe.each(presets.map((p) => p.name))('preset %s', (name) => {
  test('starts, combines without conflict and answers a round trip', async () => {
    const relay = await startTestRelay({ relay: 'core', variations: [name] })
    try {
      await roundTrip(relay, needsAuth(name))
    } finally {
      await relay.close()
    }
  })
})

test('auth-required with authKeys lets only those keys act', async () => {
  const [allowed, stranger] = [newKeys(), newKeys()]
  const relay = await startTestRelay({ relay: 'core', variations: ['auth-required'], authKeys: [allowed.pubkey] })
  try {
    const strangerClient = await ready(relay, stranger, true)
    const refused = await strangerClient.query('s', { kinds: [30175] })
    const [accepted, message] = await strangerClient.publish(persona(stranger, 'nope'))
    strangerClient.close()
    expect(refused.closed).toMatch(/^restricted: /)
    expect([accepted, message.split(':')[0]]).toEqual([false, 'restricted'])
    const allowedClient = await ready(relay, allowed, true)
    expect(await allowedClient.publish(persona(allowed, 'yes'))).toEqual([true, ''])
    allowedClient.close()
  } finally {
    await relay.close()
  }
})
