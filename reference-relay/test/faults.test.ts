/**
 * Every test fault is wired: the same scenario observed on a healthy relay and on a relay
 * with exactly that fault gives different results, and the healthy result is the correct one.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { RelayInternals } from '../src/relay.ts'
import { type FaultName, Faults } from '../test-support/faults.ts'
import { createFaultyRelay, startFaultyRelay } from '../test-support/faulty-relay.ts'
import { deletion, memoryStoreOf, newKey, persona, sign, startTestRelay, TestClient, tiedVersions } from './helpers.ts'
import { authHeader, request } from './http-helpers.ts'

/** All relays here share one pinned clock so clock-window scenarios are exact. */
const now = 1_800_000_000
const clock = () => now * 1000 + 250

interface Ctx {
  c: TestClient
  relay: RelayInternals
}

type Scenario = { healthy: unknown; observe: (ctx: Ctx) => Promise<unknown> }

let barrierCount = 0
/** Every frame the relay sent before this returns has been received. */
async function barrier(c: TestClient): Promise<void> {
  await c.count(`barrier-${++barrierCount}`, { limit: 0 })
}

const accepted = async (c: TestClient, event: Parameters<TestClient['publish']>[0]) => (await c.publish(event)).accepted
const address = (pk: string, slug: string) => ({ kinds: [30175], authors: [pk], '#d': [slug] })
const forged = () => {
  const e = sign(newKey(), { kind: 1, created_at: now })
  return { ...e, sig: (e.sig[0] === '0' ? '1' : '0') + e.sig.slice(1) }
}

/** HTTP bridge calls signed at the pinned clock; each at its own second so none is a replay. */
const httpKey = newKey()
let httpSpread = 0
const http = (relay: RelayInternals, path: string, body: unknown, options: Parameters<typeof request>[3] = {}) =>
  request(relay.httpUrl, path, body, { key: httpKey, authCreatedAt: now - (httpSpread++ % 50), ...options })

let channelCounter = 0
/** A fresh channel with a stored root; `message` signs kind 9 events in it. */
async function channel(c: TestClient) {
  const key = newKey()
  const name = `fault-room-${++channelCounter}`
  const message = (tags: string[][] = [], created_at = now) => sign(key, { kind: 9, created_at, tags: [['h', name], ...tags] })
  const root = message()
  await c.publish(root)
  const reply = async (parent: { id: string }, tags: string[][] = [], created_at = now) => {
    const event = message([['e', root.id, '', 'root'], ['e', parent.id, '', 'reply'], ...tags], created_at)
    const result = await c.publish(event)
    if (!result.accepted) throw new Error(`reply refused: ${result.message}`)
    return event
  }
  return { name, root, message, reply }
}
const ids = (reply: { json: unknown }) => (reply.json as Array<{ id: string }>).map((e) => e.id)

const scenarios: Record<FaultName, Scenario> = {
  'slug-accept-uppercase': { healthy: false, observe: ({ c }) => accepted(c, persona(newKey(), 'Agent', now)) },
  'slug-accept-65-bytes': { healthy: false, observe: ({ c }) => accepted(c, persona(newKey(), 'a'.repeat(65), now)) },
  'slug-refuse-64-bytes': { healthy: true, observe: ({ c }) => accepted(c, persona(newKey(), 'a'.repeat(64), now)) },
  'envelope-count-valueless-d': {
    healthy: true,
    observe: ({ c }) => accepted(c, sign(newKey(), { kind: 30175, created_at: now, tags: [['d'], ['d', 'x']] })),
  },
  'envelope-accept-two-d-tags': {
    healthy: false,
    observe: ({ c }) => accepted(c, sign(newKey(), { kind: 30175, created_at: now, tags: [['d', 'a'], ['d', 'b']] })),
  },
  'content-validate-persona-json': {
    healthy: true,
    observe: ({ c }) => accepted(c, sign(newKey(), { kind: 30175, created_at: now, tags: [['d', 'x']], content: 'not json' })),
  },
  'replace-no-tie-break': {
    healthy: 'low',
    observe: async ({ c }) => {
      const key = newKey()
      const [low, high] = tiedVersions(key, 'tie', now) as [ReturnType<typeof persona>, ReturnType<typeof persona>]
      await c.publish(low)
      await c.publish(high)
      const [head] = await c.ids('q', address(key.pk, 'tie'))
      return head === low.id ? 'low' : head === high.id ? 'high' : head
    },
  },
  'replace-tie-break-highest-id': {
    healthy: 'low',
    observe: async ({ c }) => {
      const key = newKey()
      const [low, high] = tiedVersions(key, 'tie', now) as [ReturnType<typeof persona>, ReturnType<typeof persona>]
      await c.publish(high)
      await c.publish(low)
      const [head] = await c.ids('q', address(key.pk, 'tie'))
      return head === low.id ? 'low' : head === high.id ? 'high' : head
    },
  },
  'replace-older-wins': {
    healthy: 'new',
    observe: async ({ c }) => {
      const key = newKey()
      const fresh = persona(key, 'p', now)
      await c.publish(fresh)
      await c.publish(persona(key, 'p', now - 10))
      const [head] = await c.ids('q', address(key.pk, 'p'))
      return head === fresh.id ? 'new' : 'old'
    },
  },
  'replace-stale-answered-false': {
    healthy: true,
    observe: async ({ c }) => {
      const key = newKey()
      await c.publish(persona(key, 'p', now))
      return accepted(c, persona(key, 'p', now - 10))
    },
  },
  'replace-keep-superseded': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      await c.publish(persona(key, 'p', now - 10))
      await c.publish(persona(key, 'p', now))
      return (await c.ids('q', address(key.pk, 'p'))).length
    },
  },
  'replace-superseded-by-id': {
    healthy: [],
    observe: async ({ c }) => {
      const key = newKey()
      const old = persona(key, 'p', now - 10)
      await c.publish(old)
      await c.publish(persona(key, 'p', now))
      return c.ids('q', { ids: [old.id] })
    },
  },
  'fanout-stale-versions': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      await c.req('live', { authors: [key.pk] })
      await c.publish(persona(key, 'p', now))
      await c.publish(persona(key, 'p', now - 10))
      await barrier(c)
      c.send(['CLOSE', 'live'])
      return c.pending().filter((f) => f[0] === 'EVENT' && f[1] === 'live').length
    },
  },
  'duplicate-answered-false': {
    healthy: true,
    observe: async ({ c }) => {
      const e = sign(newKey(), { kind: 1, created_at: now })
      await c.publish(e)
      return accepted(c, e)
    },
  },
  'skew-boundary-exclusive': { healthy: true, observe: ({ c }) => accepted(c, persona(newKey(), 'p', now - 900)) },
  'skew-no-future-check': { healthy: false, observe: ({ c }) => accepted(c, persona(newKey(), 'p', now + 5000)) },
  'skew-no-past-check': { healthy: false, observe: ({ c }) => accepted(c, persona(newKey(), 'p', now - 5000)) },
  'nip11-skew-not-enforced': {
    healthy: [900, false],
    observe: async ({ c, relay }) => {
      const doc = (await (await fetch(relay.httpUrl, { headers: { accept: 'application/nostr+json' } })).json()) as {
        limitation: { created_at_lower_limit: number }
      }
      return [doc.limitation.created_at_lower_limit, await accepted(c, persona(newKey(), 'p', now - 901))]
    },
  },
  'scope-refuse-persona-h-tag': { healthy: true, observe: ({ c }) => accepted(c, persona(newKey(), 'p', now, [['h', 'room']])) },
  'delete-accept-foreign-author': {
    healthy: false,
    observe: async ({ c }) => {
      const owner = newKey()
      await c.publish(persona(owner, 'p', now))
      return accepted(c, deletion(newKey(), personaDeletionTags(owner.pk, 'p'), now))
    },
  },
  'delete-a-ignores-created-at': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      await c.publish(persona(key, 'p', now))
      await c.publish(deletion(key, personaDeletionTags(key.pk, 'p'), now - 30))
      return (await c.ids('q', address(key.pk, 'p'))).length
    },
  },
  'delete-no-resurrection': {
    healthy: true,
    observe: async ({ c }) => {
      const key = newKey()
      await c.publish(persona(key, 'p', now - 10))
      await c.publish(deletion(key, personaDeletionTags(key.pk, 'p'), now - 5))
      return accepted(c, persona(key, 'p', now))
    },
  },
  'delete-e-superseded-removes-head': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      const v1 = persona(key, 'p', now - 10)
      await c.publish(v1)
      await c.publish(persona(key, 'p', now))
      await c.publish(deletion(key, [['e', v1.id]], now))
      return (await c.ids('q', address(key.pk, 'p'))).length
    },
  },
  'reasons-without-prefix': {
    healthy: 'invalid: signature does not verify',
    observe: async ({ c }) => (await c.publish(forged())).message,
  },
  'req-no-eose': {
    healthy: true,
    observe: async ({ c }) => {
      c.send(['REQ', 'e', { limit: 0 }])
      await barrier(c)
      const sawEose = c.pending().some((f) => f[0] === 'EOSE' && f[1] === 'e')
      c.send(['CLOSE', 'e'])
      if (sawEose) await c.next((f) => f[0] === 'EOSE' && f[1] === 'e')
      return sawEose
    },
  },
  'close-ignored': {
    healthy: 0,
    observe: async ({ c }) => {
      const key = newKey()
      await c.req('gone', { authors: [key.pk] })
      c.send(['CLOSE', 'gone'])
      await c.publish(sign(key, { kind: 1, created_at: now }))
      await barrier(c)
      return c.pending().filter((f) => f[0] === 'EVENT' && f[1] === 'gone').length
    },
  },
  'signature-not-checked': { healthy: false, observe: ({ c }) => accepted(c, forged()) },
  'filter-until-exclusive': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      await c.publish(sign(key, { kind: 1, created_at: now - 3 }))
      return (await c.ids('q', { authors: [key.pk], until: now - 3 })).length
    },
  },
  'filter-limit-ignored': {
    healthy: 1,
    observe: async ({ c }) => {
      const key = newKey()
      for (const offset of [1, 2, 3]) await c.publish(sign(key, { kind: 1, created_at: now - offset }))
      return (await c.ids('q', { authors: [key.pk], limit: 1 })).length
    },
  },
  'query-oldest-first': {
    healthy: 'newest-first',
    observe: async ({ c }) => {
      const key = newKey()
      const older = sign(key, { kind: 1, created_at: now - 5 })
      await c.publish(older)
      await c.publish(sign(key, { kind: 1, created_at: now }))
      const [first] = await c.ids('q', { authors: [key.pk] })
      return first === older.id ? 'oldest-first' : 'newest-first'
    },
  },
  'count-off-by-one': {
    healthy: 2,
    observe: async ({ c }) => {
      const key = newKey()
      for (const offset of [1, 2]) await c.publish(sign(key, { kind: 1, created_at: now - offset }))
      return c.count('n', { authors: [key.pk] })
    },
  },
  'thread-accept-missing-parent': {
    healthy: false,
    observe: async ({ c }) => {
      const { message } = await channel(c)
      return accepted(c, message([['e', 'f'.repeat(64), '', 'reply']]))
    },
  },
  'thread-accept-other-channel': {
    healthy: false,
    observe: async ({ c }) => {
      const first = await channel(c)
      const second = await channel(c)
      return accepted(c, second.message([['e', first.root.id, '', 'reply']]))
    },
  },
  'thread-accept-root-mismatch': {
    healthy: false,
    observe: async ({ c }) => {
      const { root, message, reply } = await channel(c)
      const other = message([['t', 'another root']])
      await c.publish(other)
      const child = await reply(root)
      return accepted(c, message([['e', other.id, '', 'root'], ['e', child.id, '', 'reply']]))
    },
  },
  'thread-no-depth-limit': {
    healthy: false,
    observe: async ({ c, relay }) => {
      const { root, message } = await channel(c)
      // A stored reply at the maximum depth, seeded directly: a 100-step chain adds nothing here.
      const deepest = message([['e', root.id, '', 'root']])
      memoryStoreOf(relay).insert(deepest, { root: root.id, parent: root.id, depth: 100, broadcast: false })
      return accepted(c, message([['e', root.id, '', 'root'], ['e', deepest.id, '', 'reply']]))
    },
  },
  'thread-query-includes-root': {
    healthy: 1,
    observe: async ({ c, relay }) => {
      const { root, reply } = await channel(c)
      await reply(root)
      return ids(await http(relay, '/query', [{ '#e': [root.id], depth_limit: 1 }])).length
    },
  },
  'thread-depth-limit-exclusive': {
    healthy: 2,
    observe: async ({ c, relay }) => {
      const { root, reply } = await channel(c)
      await reply(await reply(root))
      return ids(await http(relay, '/query', [{ '#e': [root.id], depth_limit: 2 }])).length
    },
  },
  'thread-query-newest-first': {
    healthy: 'oldest-first',
    observe: async ({ c, relay }) => {
      const { root, reply } = await channel(c)
      const older = await reply(root, [], now - 2)
      await reply(root, [], now - 1)
      const [first] = ids(await http(relay, '/query', [{ '#e': [root.id], depth_limit: 1 }]))
      return first === older.id ? 'oldest-first' : 'newest-first'
    },
  },
  'thread-top-level-broadcast-depth-2': {
    healthy: false,
    observe: async ({ c, relay }) => {
      const { name, root, reply } = await channel(c)
      const deep = await reply(await reply(root), [['broadcast', '1']])
      return ids(await http(relay, '/query', [{ '#h': [name], top_level: true }])).includes(deep.id)
    },
  },
  'thread-top-level-non-broadcast-depth-1': {
    healthy: false,
    observe: async ({ c, relay }) => {
      const { name, root, reply } = await channel(c)
      const direct = await reply(root)
      return ids(await http(relay, '/query', [{ '#h': [name], top_level: true }])).includes(direct.id)
    },
  },
  'http-auth-replay-accepted': {
    healthy: 401,
    observe: async ({ relay }) => {
      const authorization = authHeader(httpKey, `${relay.httpUrl}/count`, 'POST', '[]', { authCreatedAt: now })
      await http(relay, '/count', '[]', { authorization })
      return (await http(relay, '/count', '[]', { authorization })).status
    },
  },
  'http-auth-url-unchecked': {
    healthy: 401,
    observe: async ({ relay }) => (await http(relay, '/count', '[]', { authUrl: 'http://elsewhere.example/count' })).status,
  },
  'http-auth-payload-unchecked': {
    healthy: 401,
    observe: async ({ relay }) => (await http(relay, '/count', '[]', { payload: '[{}]' })).status,
  },
  'http-auth-window-unchecked': {
    healthy: 401,
    observe: async ({ relay }) => (await http(relay, '/count', '[]', { authCreatedAt: now - 600 })).status,
  },
  'http-duplicate-refused': {
    healthy: 200,
    observe: async ({ relay }) => {
      const event = sign(newKey(), { kind: 1, created_at: now })
      await http(relay, '/events', event)
      return (await http(relay, '/events', event)).status
    },
  },
}

let healthy: RelayInternals
let healthyClient: TestClient

beforeAll(async () => {
  healthy = await startTestRelay({}, { clock })
  healthyClient = await TestClient.connect(healthy.url)
})
afterAll(async () => {
  healthyClient.close()
  await healthy.close()
})

describe('test faults', () => {
  test('there are at least 22, with unique names and a description each', () => {
    expect(Faults.length).toBeGreaterThanOrEqual(22)
    expect(new Set(Faults.map((f) => f.name)).size).toBe(Faults.length)
    for (const fault of Faults) expect(fault.description.length).toBeGreaterThan(10)
  })

  test('an unknown fault name is refused at start', async () => {
    await expect(startFaultyRelay({ port: 0, faults: ['no-such-fault'] })).rejects.toThrow('unknown fault "no-such-fault"')
  })

  test.each(Faults.map((fault) => [fault.name] as const))('%s changes observable behaviour', async (name) => {
    const scenario = scenarios[name]
    expect(await scenario.observe({ c: healthyClient, relay: healthy })).toEqual(scenario.healthy)
    const faulty = await createFaultyRelay({ host: '127.0.0.1', port: 0, faults: [name] }, { clock })
    const c = await TestClient.connect(faulty.url)
    try {
      expect(await scenario.observe({ c, relay: faulty })).not.toEqual(scenario.healthy)
    } finally {
      c.close()
      await faulty.close()
    }
  })
})
