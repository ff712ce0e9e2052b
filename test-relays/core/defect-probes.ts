// One minimal exchange per defect. `observe` runs it against a relay; the relay with the
// defect must answer `defect`, the same relay without it `correct`. Both answers are
// observed outright (no "nothing arrived, so it must be broken"): where an absence is the
// point, a barrier round trip on the same socket first proves the frame would have come.
import type { RunningTestRelay } from '../catalog.ts'
import { authEvent, TestClient, withClients } from '../testing/client.ts'
import { forgeSignature, newKeys, nowSeconds, persona, sign, tiedPair, type Keys } from '../testing/events.ts'
import { fetchInfo } from '../testing/http.ts'
import type { DefectName } from './defects.ts'
import type { NostrEvent } from './event.ts'

export interface Probe {
  observe(relay: RunningTestRelay): Promise<unknown>
  defect: unknown
  correct: unknown
}

const addressFilter = (keys: Keys, slug: string) => ({ kinds: [30175], authors: [keys.pubkey], '#d': [slug] })

/** Which of the named events a query returned, by name, in the order returned. */
function named(events: readonly NostrEvent[], names: Record<string, NostrEvent>): string[] {
  return events.map((event) => Object.entries(names).find(([, e]) => e.id === event.id)?.[0] ?? `other:${event.id.slice(0, 8)}`)
}

const one = <T>(relay: RunningTestRelay, body: (client: TestClient) => Promise<T>): Promise<T> =>
  withClients(relay.url, 1, body)

/** Is a persona with these tags accepted? */
const personaAccepted = (relay: RunningTestRelay, tags: string[][], content?: string): Promise<boolean> =>
  one(relay, async (client) => {
    const keys = newKeys()
    const [accepted] = await client.publish(persona(keys, '', { tags, ...(content === undefined ? {} : { content }) }))
    return accepted
  })

/** Accepted? for each slug, in order. */
const slugsAccepted = (relay: RunningTestRelay, slugs: string[]): Promise<boolean[]> =>
  one(relay, async (client) => {
    const keys = newKeys()
    const answers: boolean[] = []
    for (const slug of slugs) answers.push((await client.publish(persona(keys, slug)))[0])
    return answers
  })

/**
 * A subscriber and a publisher: `act` publishes; afterwards the subscriber's barrier proves
 * every live frame sent before the publisher's last OK has arrived. Returns the live events.
 */
async function liveAfter(
  relay: RunningTestRelay,
  subscribe: (subscriber: TestClient) => Promise<void>,
  act: (publisher: TestClient) => Promise<void>,
  subscriptionId: string,
): Promise<NostrEvent[]> {
  return withClients(relay.url, 2, async (subscriber, publisher) => {
    await subscribe(subscriber)
    await act(publisher)
    await subscriber.barrier()
    return subscriber.live(subscriptionId)
  })
}

/** Publish `targets`, then a deletion request, then read `read`; returns the named events served. */
async function afterDeletion(
  relay: RunningTestRelay,
  targets: Record<string, NostrEvent>,
  deletion: NostrEvent,
  read: object,
): Promise<string[]> {
  return one(relay, async (client) => {
    for (const event of Object.values(targets)) {
      const [accepted, message] = await client.publish(event)
      if (!accepted) throw new Error(`setup event refused: ${message}`)
    }
    const [accepted, message] = await client.publish(deletion)
    if (!accepted) throw new Error(`deletion refused: ${message}`)
    return named((await client.query('after', read)).events, targets).sort()
  })
}

const hasPrefix = (message: string): boolean => /^[a-z][a-z-]*:/.test(message)

export const defectProbes: Record<DefectName, Probe> = {
  // ---- negative controls
  null: {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const event = persona(keys, 'held')
        const [accepted] = await client.publish(event)
        const served = await client.query('q', { ids: [event.id] })
        return { accepted, served: served.events.length }
      })
    },
    defect: { accepted: true, served: 0 },
    correct: { accepted: true, served: 1 },
  },
  'drop-personas': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const personaEvent = persona(keys, 'dropped')
        const note = sign(keys, { kind: 1, content: 'kept' })
        const answers = [(await client.publish(personaEvent))[0], (await client.publish(note))[0]]
        const served = await client.query('q', { authors: [keys.pubkey] })
        return { answers, served: named(served.events, { persona: personaEvent, note }).sort() }
      })
    },
    defect: { answers: [true, true], served: ['note'] },
    correct: { answers: [true, true], served: ['note', 'persona'] },
  },
  'no-eose': {
    // The relay answers a connection's messages in order: the COUNT reply comes after EOSE.
    async observe(relay) {
      return one(relay, async (client) => {
        client.send(['REQ', 'r', { kinds: [30175], limit: 1 }])
        await client.count('c', { kinds: [30175] })
        return client.frames.some((f) => f[0] === 'EOSE' && f[1] === 'r') ? 'EOSE' : 'no EOSE'
      })
    },
    defect: 'no EOSE',
    correct: 'EOSE',
  },
  'no-live': {
    async observe(relay) {
      const keys = newKeys()
      const live = await liveAfter(
        relay,
        async (s) => void (await s.query('live', { authors: [keys.pubkey] })),
        async (p) => void (await p.publish(sign(keys, { kind: 1 }))),
        'live',
      )
      return live.length
    },
    defect: 0,
    correct: 1,
  },
  'count-hangup': {
    async observe(relay) {
      return one(relay, async (client) => {
        await client.barrier()
        try {
          return (await client.count('c', { kinds: [1] }))[0]
        } catch (error) {
          if (client.isClosed) return 'socket closed'
          throw error
        }
      })
    },
    defect: 'socket closed',
    correct: 'COUNT',
  },
  // ---- replacement
  'tie-keeps-first': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 10
      const [lower, higher] = tiedPair((salt) => persona(keys, 'tie', { created_at: at, content: salt }))
      return one(relay, async (client) => {
        await client.publish(higher)
        await client.publish(lower)
        return named((await client.query('q', addressFilter(keys, 'tie'))).events, { lower, higher })
      })
    },
    defect: ['higher'],
    correct: ['lower'],
  },
  'tie-keeps-last': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 10
      const [lower, higher] = tiedPair((salt) => persona(keys, 'tie', { created_at: at, content: salt }))
      return one(relay, async (client) => {
        await client.publish(lower)
        await client.publish(higher)
        return named((await client.query('q', addressFilter(keys, 'tie'))).events, { lower, higher })
      })
    },
    defect: ['higher'],
    correct: ['lower'],
  },
  'tie-highest-id': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 10
      const [lower, higher] = tiedPair((salt) => persona(keys, 'tie', { created_at: at, content: salt }))
      return one(relay, async (client) => {
        await client.publish(lower)
        await client.publish(higher)
        const first = named((await client.query('a', addressFilter(keys, 'tie'))).events, { lower, higher })
        return first
      })
    },
    defect: ['higher'],
    correct: ['lower'],
  },
  'older-replaces': {
    async observe(relay) {
      const keys = newKeys()
      const newer = persona(keys, 'order', { created_at: nowSeconds() - 5 })
      const older = persona(keys, 'order', { created_at: nowSeconds() - 50 })
      return one(relay, async (client) => {
        await client.publish(newer)
        await client.publish(older)
        return named((await client.query('q', addressFilter(keys, 'order'))).events, { newer, older })
      })
    },
    defect: ['older'],
    correct: ['newer'],
  },
  'superseded-by-ids': {
    async observe(relay) {
      const keys = newKeys()
      const v1 = persona(keys, 'history', { created_at: nowSeconds() - 50 })
      const v2 = persona(keys, 'history', { created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(v1)
        await client.publish(v2)
        const byIds = named((await client.query('i', { ids: [v1.id, v2.id] })).events, { v1, v2 })
        const byAddress = named((await client.query('a', addressFilter(keys, 'history'))).events, { v1, v2 })
        return { byIds, byAddress }
      })
    },
    defect: { byIds: ['v2', 'v1'], byAddress: ['v2'] },
    correct: { byIds: ['v2'], byAddress: ['v2'] },
  },
  'superseded-returned': {
    async observe(relay) {
      const keys = newKeys()
      const v1 = persona(keys, 'history', { created_at: nowSeconds() - 50 })
      const v2 = persona(keys, 'history', { created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(v1)
        await client.publish(v2)
        return named((await client.query('a', addressFilter(keys, 'history'))).events, { v1, v2 })
      })
    },
    defect: ['v2', 'v1'],
    correct: ['v2'],
  },
  'stale-stored': {
    async observe(relay) {
      const keys = newKeys()
      const v2 = persona(keys, 'late', { created_at: nowSeconds() - 5 })
      const v1 = persona(keys, 'late', { created_at: nowSeconds() - 50 })
      return one(relay, async (client) => {
        await client.publish(v2)
        const [accepted, message] = await client.publish(v1)
        const served = named((await client.query('a', addressFilter(keys, 'late'))).events, { v1, v2 })
        return { accepted, duplicate: message.startsWith('duplicate:'), served }
      })
    },
    defect: { accepted: true, duplicate: false, served: ['v2', 'v1'] },
    correct: { accepted: true, duplicate: true, served: ['v2'] },
  },
  'replaceable-0-3-regular': {
    async observe(relay) {
      const keys = newKeys()
      const v1 = sign(keys, { kind: 0, content: '{"name":"one"}', created_at: nowSeconds() - 50 })
      const v2 = sign(keys, { kind: 0, content: '{"name":"two"}', created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(v1)
        await client.publish(v2)
        return named((await client.query('m', { kinds: [0], authors: [keys.pubkey] })).events, { v1, v2 })
      })
    },
    defect: ['v2', 'v1'],
    correct: ['v2'],
  },
  // ---- isolation
  'cross-kind-replace': {
    async observe(relay) {
      const keys = newKeys()
      const personaEvent = persona(keys, 'shared', { created_at: nowSeconds() - 50 })
      const other = sign(keys, { kind: 30176, tags: [['d', 'shared']], created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(personaEvent)
        await client.publish(other)
        const served = await client.query('q', { kinds: [30175, 30176], authors: [keys.pubkey] })
        return named(served.events, { persona: personaEvent, other }).sort()
      })
    },
    defect: ['other'],
    correct: ['other', 'persona'],
  },
  'cross-author-replace': {
    async observe(relay) {
      const [alice, bob] = [newKeys(), newKeys()]
      const mine = persona(alice, 'same-slug', { created_at: nowSeconds() - 50 })
      const theirs = persona(bob, 'same-slug', { created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(mine)
        await client.publish(theirs)
        const served = await client.query('q', { kinds: [30175], authors: [alice.pubkey, bob.pubkey] })
        return named(served.events, { mine, theirs }).sort()
      })
    },
    defect: ['theirs'],
    correct: ['mine', 'theirs'],
  },
  'd-prefix-match': {
    async observe(relay) {
      const keys = newKeys()
      const event = persona(keys, 'abcd')
      return one(relay, async (client) => {
        await client.publish(event)
        const exact = (await client.query('e', addressFilter(keys, 'abcd'))).events.length
        const prefix = (await client.query('p', addressFilter(keys, 'abc'))).events.length
        return { exact, prefix }
      })
    },
    defect: { exact: 1, prefix: 1 },
    correct: { exact: 1, prefix: 0 },
  },
  'd-case-insensitive': {
    async observe(relay) {
      const keys = newKeys()
      const event = persona(keys, 'abc')
      return one(relay, async (client) => {
        await client.publish(event)
        const exact = (await client.query('e', addressFilter(keys, 'abc'))).events.length
        const upper = (await client.query('u', addressFilter(keys, 'ABC'))).events.length
        return { exact, upper }
      })
    },
    defect: { exact: 1, upper: 1 },
    correct: { exact: 1, upper: 0 },
  },
  'persona-h-scoped': {
    async observe(relay) {
      const keys = newKeys()
      const event = persona(keys, 'grouped', { tags: [['d', 'grouped'], ['h', 'channel-1']] })
      return one(relay, async (client) => {
        const [accepted] = await client.publish(event)
        const global = (await client.query('g', { kinds: [30175], authors: [keys.pubkey] })).events.length
        const channel = (await client.query('c', { kinds: [30175], authors: [keys.pubkey], '#h': ['channel-1'] })).events.length
        return { accepted, global, channel }
      })
    },
    defect: { accepted: true, global: 0, channel: 1 },
    correct: { accepted: true, global: 1, channel: 1 },
  },
  // ---- slug grammar
  'slug-uppercase-accepted': {
    observe: (relay) => slugsAccepted(relay, ['agent', 'Agent']),
    defect: [true, true],
    correct: [true, false],
  },
  'slug-65-accepted': {
    observe: (relay) => slugsAccepted(relay, ['a'.repeat(64), 'a'.repeat(65)]),
    defect: [true, true],
    correct: [true, false],
  },
  'slug-64-refused': {
    observe: (relay) => slugsAccepted(relay, ['b'.repeat(63), 'b'.repeat(64)]),
    defect: [true, false],
    correct: [true, true],
  },
  'slug-non-ascii-accepted': {
    observe: (relay) => slugsAccepted(relay, ['cafe', 'café']),
    defect: [true, true],
    correct: [true, false],
  },
  'slug-leading-symbol-accepted': {
    observe: (relay) => slugsAccepted(relay, ['agent_-x', '_agent', '-agent']),
    defect: [true, true, true],
    correct: [true, false, false],
  },
  'slug-slash-accepted': {
    observe: (relay) => slugsAccepted(relay, ['team-agent', 'team/agent']),
    defect: [true, true],
    correct: [true, false],
  },
  'slug-empty-accepted': {
    observe: (relay) => slugsAccepted(relay, ['x', '']),
    defect: [true, true],
    correct: [true, false],
  },
  // ---- envelope
  'two-d-tags-accepted': {
    async observe(relay) {
      return [await personaAccepted(relay, [['d', 'one']]), await personaAccepted(relay, [['d', 'one'], ['d', 'two']])]
    },
    defect: [true, true],
    correct: [true, false],
  },
  'valueless-d-counted': {
    observe: (relay) => personaAccepted(relay, [['d', 'one'], ['d']]),
    defect: false,
    correct: true,
  },
  'extra-tags-refused': {
    observe: (relay) => personaAccepted(relay, [['d', 'tagged'], ['alt', 'agent persona definition'], ['t', 'misc']]),
    defect: false,
    correct: true,
  },
  'h-tag-refused': {
    observe: (relay) => personaAccepted(relay, [['d', 'in-channel'], ['h', 'channel-1']]),
    defect: false,
    correct: true,
  },
  'content-validated': {
    async observe(relay) {
      return [
        await personaAccepted(relay, [['d', 'body']]),
        await personaAccepted(relay, [['d', 'body']], 'not json at all'),
      ]
    },
    defect: [true, false],
    correct: [true, true],
  },
  // ---- deletion
  'a-deletion-deletes-newer': {
    async observe(relay) {
      const keys = newKeys()
      const head = persona(keys, 'kept', { created_at: nowSeconds() - 5 })
      const deletion = sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:kept`]], created_at: nowSeconds() - 50 })
      return afterDeletion(relay, { head }, deletion, addressFilter(keys, 'kept'))
    },
    defect: [],
    correct: ['head'],
  },
  'a-deletion-foreign-address': {
    async observe(relay) {
      const [owner, other] = [newKeys(), newKeys()]
      const target = persona(owner, 'owned', { created_at: nowSeconds() - 50 })
      const deletion = sign(other, { kind: 5, tags: [['a', `30175:${owner.pubkey}:owned`]] })
      return afterDeletion(relay, { target }, deletion, addressFilter(owner, 'owned'))
    },
    defect: [],
    correct: ['target'],
  },
  'a-deletion-prefix': {
    async observe(relay) {
      const keys = newKeys()
      const abc = persona(keys, 'abc', { created_at: nowSeconds() - 50 })
      const abcd = persona(keys, 'abcd', { created_at: nowSeconds() - 50 })
      const deletion = sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:abc`]] })
      return afterDeletion(relay, { abc, abcd }, deletion, { kinds: [30175], authors: [keys.pubkey] })
    },
    defect: [],
    correct: ['abcd'],
  },
  'e-deletion-foreign': {
    async observe(relay) {
      const [owner, other] = [newKeys(), newKeys()]
      const target = persona(owner, 'owned', { created_at: nowSeconds() - 50 })
      const deletion = sign(other, { kind: 5, tags: [['e', target.id]] })
      return afterDeletion(relay, { target }, deletion, { ids: [target.id] })
    },
    defect: [],
    correct: ['target'],
  },
  'deletion-first-a-only': {
    async observe(relay) {
      const keys = newKeys()
      const first = persona(keys, 'one', { created_at: nowSeconds() - 50 })
      const second = persona(keys, 'two', { created_at: nowSeconds() - 50 })
      const deletion = sign(keys, {
        kind: 5,
        tags: [['a', `30175:${keys.pubkey}:one`], ['a', `30175:${keys.pubkey}:two`], ['k', '30175']],
      })
      return afterDeletion(relay, { first, second }, deletion, { kinds: [30175], authors: [keys.pubkey] })
    },
    defect: ['second'],
    correct: [],
  },
  'deletion-kind-confused': {
    async observe(relay) {
      const keys = newKeys()
      const personaEvent = persona(keys, 'x', { created_at: nowSeconds() - 50 })
      const other = sign(keys, { kind: 30176, tags: [['d', 'x']], created_at: nowSeconds() - 50 })
      const deletion = sign(keys, { kind: 5, tags: [['a', `30176:${keys.pubkey}:x`]] })
      return afterDeletion(relay, { persona: personaEvent, other }, deletion, { kinds: [30175, 30176], authors: [keys.pubkey] })
    },
    defect: [],
    correct: ['persona'],
  },
  'forgets-deletions': {
    async observe(relay) {
      const keys = newKeys()
      const version = persona(keys, 'gone', { created_at: nowSeconds() - 50 })
      const note = sign(keys, { kind: 1, content: 'gone too' })
      return one(relay, async (client) => {
        await client.publish(version)
        await client.publish(note)
        await client.publish(sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:gone`], ['e', note.id]] }))
        const answers = [(await client.publish(version))[0], (await client.publish(note))[0]]
        const served = named((await client.query('q', { ids: [version.id, note.id] })).events, { version, note }).sort()
        return { answers, served }
      })
    },
    defect: { answers: [true, true], served: ['note', 'version'] },
    correct: { answers: [false, false], served: [] },
  },
  'resurrection-refused': {
    async observe(relay) {
      const keys = newKeys()
      const old = persona(keys, 'phoenix', { created_at: nowSeconds() - 50 })
      const deletion = sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:phoenix`]], created_at: nowSeconds() - 20 })
      const reborn = persona(keys, 'phoenix', { created_at: nowSeconds() - 5 })
      return one(relay, async (client) => {
        await client.publish(old)
        await client.publish(deletion)
        const [accepted] = await client.publish(reborn)
        return { accepted, served: named((await client.query('q', addressFilter(keys, 'phoenix'))).events, { old, reborn }) }
      })
    },
    defect: { accepted: false, served: [] },
    correct: { accepted: true, served: ['reborn'] },
  },
  'deletion-requests-dropped': {
    async observe(relay) {
      const keys = newKeys()
      const target = persona(keys, 'bye', { created_at: nowSeconds() - 50 })
      const deletion = sign(keys, { kind: 5, tags: [['a', `30175:${keys.pubkey}:bye`], ['k', '30175']] })
      return one(relay, async (client) => {
        await client.publish(target)
        const [accepted] = await client.publish(deletion)
        const served = named((await client.query('q', { authors: [keys.pubkey] })).events, { target, deletion })
        return { accepted, served }
      })
    },
    defect: { accepted: true, served: [] },
    correct: { accepted: true, served: ['deletion'] },
  },
  'e-deletion-ignored': {
    async observe(relay) {
      const keys = newKeys()
      const target = persona(keys, 'by-id', { created_at: nowSeconds() - 50 })
      const deletion = sign(keys, { kind: 5, tags: [['e', target.id]] })
      return afterDeletion(relay, { target }, deletion, { ids: [target.id] })
    },
    defect: ['target'],
    correct: [],
  },
  // ---- live delivery
  'stale-live': {
    async observe(relay) {
      const keys = newKeys()
      const v2 = persona(keys, 'live', { created_at: nowSeconds() - 5 })
      const v1 = persona(keys, 'live', { created_at: nowSeconds() - 50 })
      const live = await liveAfter(
        relay,
        async (s) => void (await s.query('s', addressFilter(keys, 'live'))),
        async (p) => {
          await p.publish(v2)
          await p.publish(v1)
        },
        's',
      )
      return named(live, { v1, v2 })
    },
    defect: ['v2', 'v1'],
    correct: ['v2'],
  },
  'resend-live': {
    async observe(relay) {
      const keys = newKeys()
      const note = sign(keys, { kind: 1 })
      const live = await liveAfter(
        relay,
        async (s) => void (await s.query('s', { authors: [keys.pubkey] })),
        async (p) => {
          await p.publish(note)
          await p.publish(note)
        },
        's',
      )
      return live.length
    },
    defect: 2,
    correct: 1,
  },
  'refused-live': {
    async observe(relay) {
      const keys = newKeys()
      const good = persona(keys, 'good')
      const bad = persona(keys, 'Bad Slug')
      const live = await liveAfter(
        relay,
        async (s) => void (await s.query('s', { kinds: [30175], authors: [keys.pubkey] })),
        async (p) => {
          await p.publish(bad)
          await p.publish(good)
        },
        's',
      )
      return named(live, { good, bad })
    },
    defect: ['bad', 'good'],
    correct: ['good'],
  },
  'req-reuse-adds': {
    async observe(relay) {
      const keys = newKeys()
      const note = sign(keys, { kind: 1 })
      const reaction = sign(keys, { kind: 7, content: '+' })
      const live = await liveAfter(
        relay,
        async (s) => {
          await s.query('s', { kinds: [1], authors: [keys.pubkey] })
          await s.query('s', { kinds: [7], authors: [keys.pubkey] })
        },
        async (p) => {
          await p.publish(note)
          await p.publish(reaction)
        },
        's',
      )
      return named(live, { note, reaction })
    },
    defect: ['note', 'reaction'],
    correct: ['reaction'],
  },
  'close-ignored': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 2, async (subscriber, publisher) => {
        await subscriber.query('closed', { authors: [keys.pubkey] })
        await subscriber.query('open', { authors: [keys.pubkey] })
        subscriber.send(['CLOSE', 'closed'])
        await subscriber.barrier()
        await publisher.publish(sign(keys, { kind: 1 }))
        await subscriber.barrier()
        return { open: subscriber.live('open').length, closed: subscriber.live('closed').length }
      })
    },
    defect: { open: 1, closed: 1 },
    correct: { open: 1, closed: 0 },
  },
  'unmatched-delivery': {
    async observe(relay) {
      const [watched, stranger] = [newKeys(), newKeys()]
      const mine = sign(watched, { kind: 1 })
      const theirs = sign(stranger, { kind: 1 })
      const live = await liveAfter(
        relay,
        async (s) => void (await s.query('s', { kinds: [1], authors: [watched.pubkey] })),
        async (p) => {
          await p.publish(theirs)
          await p.publish(mine)
        },
        's',
      )
      return named(live, { mine, theirs })
    },
    defect: ['theirs', 'mine'],
    correct: ['mine'],
  },
  'live-limit': {
    async observe(relay) {
      const keys = newKeys()
      const stored = sign(keys, { kind: 1, content: 'stored', created_at: nowSeconds() - 50 })
      return withClients(relay.url, 2, async (subscriber, publisher) => {
        await publisher.publish(stored)
        const initial = await subscriber.query('s', { authors: [keys.pubkey], limit: 1 })
        await publisher.publish(sign(keys, { kind: 1, content: 'live 1' }))
        await publisher.publish(sign(keys, { kind: 1, content: 'live 2' }))
        await subscriber.barrier()
        return { initial: initial.events.length, live: subscriber.live('s').length }
      })
    },
    defect: { initial: 1, live: 0 },
    correct: { initial: 1, live: 2 },
  },
  'subid-not-scoped': {
    async observe(relay) {
      const keys = newKeys()
      return withClients(relay.url, 3, async (first, second, publisher) => {
        await first.query('same-id', { kinds: [1], authors: [keys.pubkey] })
        await second.query('same-id', { kinds: [7], authors: [keys.pubkey] })
        await publisher.publish(sign(keys, { kind: 1 }))
        await first.barrier()
        await second.barrier()
        return { first: first.live('same-id').length, second: second.live('same-id').length }
      })
    },
    defect: { first: 0, second: 0 },
    correct: { first: 1, second: 0 },
  },
  // ---- filters
  'since-exclusive': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 30
      const event = sign(keys, { kind: 1, created_at: at })
      return one(relay, async (client) => {
        await client.publish(event)
        const before = (await client.query('b', { authors: [keys.pubkey], since: at - 1 })).events.length
        const exact = (await client.query('e', { authors: [keys.pubkey], since: at })).events.length
        return { before, exact }
      })
    },
    defect: { before: 1, exact: 0 },
    correct: { before: 1, exact: 1 },
  },
  'until-exclusive': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 30
      const event = sign(keys, { kind: 1, created_at: at })
      return one(relay, async (client) => {
        await client.publish(event)
        const after = (await client.query('a', { authors: [keys.pubkey], until: at + 1 })).events.length
        const exact = (await client.query('e', { authors: [keys.pubkey], until: at })).events.length
        return { after, exact }
      })
    },
    defect: { after: 1, exact: 0 },
    correct: { after: 1, exact: 1 },
  },
  'limit-ignored': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        for (let i = 0; i < 3; i++) await client.publish(sign(keys, { kind: 1, content: `n${i}`, created_at: nowSeconds() - i }))
        return (await client.query('q', { authors: [keys.pubkey], limit: 2 })).events.length
      })
    },
    defect: 3,
    correct: 2,
  },
  'oldest-first': {
    async observe(relay) {
      const keys = newKeys()
      const t = nowSeconds()
      const events = {
        old: sign(keys, { kind: 1, content: 'old', created_at: t - 30 }),
        mid: sign(keys, { kind: 1, content: 'mid', created_at: t - 20 }),
        new: sign(keys, { kind: 1, content: 'new', created_at: t - 10 }),
      }
      return one(relay, async (client) => {
        for (const event of Object.values(events)) await client.publish(event)
        return named((await client.query('q', { authors: [keys.pubkey], limit: 2 })).events, events)
      })
    },
    defect: ['old', 'mid'],
    correct: ['new', 'mid'],
  },
  'limit-tie-order': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 10
      const [lower, higher] = tiedPair((salt) => sign(keys, { kind: 1, content: salt, created_at: at }))
      return one(relay, async (client) => {
        await client.publish(lower)
        await client.publish(higher)
        const all = named((await client.query('a', { authors: [keys.pubkey] })).events, { lower, higher })
        const first = named((await client.query('f', { authors: [keys.pubkey], limit: 1 })).events, { lower, higher })
        return { all, first }
      })
    },
    defect: { all: ['higher', 'lower'], first: ['higher'] },
    correct: { all: ['lower', 'higher'], first: ['lower'] },
  },
  'tie-order-arrival': {
    async observe(relay) {
      const keys = newKeys()
      const at = nowSeconds() - 10
      const [lower, higher] = tiedPair((salt) => sign(keys, { kind: 1, content: salt, created_at: at }))
      return one(relay, async (client) => {
        await client.publish(higher)
        await client.publish(lower)
        return named((await client.query('a', { authors: [keys.pubkey] })).events, { lower, higher })
      })
    },
    defect: ['higher', 'lower'],
    correct: ['lower', 'higher'],
  },
  'authors-ignored-with-kinds': {
    async observe(relay) {
      const [asked, other] = [newKeys(), newKeys()]
      const mine = sign(asked, { kind: 1 })
      const theirs = sign(other, { kind: 1 })
      return one(relay, async (client) => {
        await client.publish(mine)
        await client.publish(theirs)
        const served = await client.query('q', { kinds: [1], authors: [asked.pubkey], since: nowSeconds() - 60 })
        return named(served.events, { mine, theirs }).filter((name) => !name.startsWith('other:')).sort()
      })
    },
    defect: ['mine', 'theirs'],
    correct: ['mine'],
  },
  'multi-filter-first-only': {
    async observe(relay) {
      const [alice, bob] = [newKeys(), newKeys()]
      const a = sign(alice, { kind: 1 })
      const b = sign(bob, { kind: 1 })
      return one(relay, async (client) => {
        await client.publish(a)
        await client.publish(b)
        return named((await client.query('q', { authors: [alice.pubkey] }, { authors: [bob.pubkey] })).events, { a, b }).sort()
      })
    },
    defect: ['a'],
    correct: ['a', 'b'],
  },
  'tag-values-all': {
    async observe(relay) {
      const keys = newKeys()
      const event = sign(keys, { kind: 1, tags: [['t', 'alpha']] })
      return one(relay, async (client) => {
        await client.publish(event)
        const single = (await client.query('s', { authors: [keys.pubkey], '#t': ['alpha'] })).events.length
        const either = (await client.query('e', { authors: [keys.pubkey], '#t': ['alpha', 'beta'] })).events.length
        return { single, either }
      })
    },
    defect: { single: 1, either: 0 },
    correct: { single: 1, either: 1 },
  },
  'limit-zero-ignored': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        await client.publish(sign(keys, { kind: 1 }))
        const single = (await client.query('o', { authors: [keys.pubkey], limit: 1 })).events.length
        const zero = (await client.query('z', { authors: [keys.pubkey], limit: 0 })).events.length
        return { single, zero }
      })
    },
    defect: { single: 1, zero: 1 },
    correct: { single: 1, zero: 0 },
  },
  'eose-first': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        await client.publish(sign(keys, { kind: 1 }))
        client.send(['REQ', 'order', { authors: [keys.pubkey] }])
        await client.barrier()
        return client.frames.filter((f) => f[1] === 'order').map((f) => f[0])
      })
    },
    defect: ['EOSE', 'EVENT'],
    correct: ['EVENT', 'EOSE'],
  },
  // ---- COUNT
  'count-off-by-one': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        await client.publish(sign(keys, { kind: 1, content: 'a' }))
        await client.publish(sign(keys, { kind: 1, content: 'b' }))
        return (await client.count('c', { authors: [keys.pubkey] }))[2]
      })
    },
    defect: { count: 3, approximate: false },
    correct: { count: 2 },
  },
  'count-superseded': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        await client.publish(persona(keys, 'counted', { created_at: nowSeconds() - 50 }))
        await client.publish(persona(keys, 'counted', { created_at: nowSeconds() - 5 }))
        const served = (await client.query('q', { kinds: [30175], authors: [keys.pubkey] })).events.length
        return { served, counted: (await client.count('c', { kinds: [30175], authors: [keys.pubkey] }))[2] }
      })
    },
    defect: { served: 1, counted: { count: 2, approximate: false } },
    correct: { served: 1, counted: { count: 1 } },
  },
  // ---- OK and CLOSED
  'resend-no-ok': {
    async observe(relay) {
      const keys = newKeys()
      const note = sign(keys, { kind: 1 })
      return one(relay, async (client) => {
        await client.publish(note)
        client.send(['EVENT', note])
        await client.barrier()
        return client.frames.filter((f) => f[0] === 'OK' && f[1] === note.id).length
      })
    },
    defect: 1,
    correct: 2,
  },
  'ok-no-prefix': {
    async observe(relay) {
      const [accepted, message] = await one(relay, (client) => client.publish(persona(newKeys(), 'Bad Slug')))
      return { accepted, prefixed: hasPrefix(message) }
    },
    defect: { accepted: false, prefixed: false },
    correct: { accepted: false, prefixed: true },
  },
  'duplicate-ok-false': {
    async observe(relay) {
      const note = sign(newKeys(), { kind: 1 })
      return one(relay, async (client) => {
        const first = await client.publish(note)
        const again = await client.publish(note)
        return [first[0], again[0], again[1].split(':')[0]]
      })
    },
    defect: [true, false, 'duplicate'],
    correct: [true, true, 'duplicate'],
  },
  'ok-three-elements': {
    async observe(relay) {
      const note = sign(newKeys(), { kind: 1 })
      return one(relay, async (client) => {
        client.send(['EVENT', note])
        return (await client.take((f) => f[0] === 'OK' && f[1] === note.id, 'OK')).length
      })
    },
    defect: 3,
    correct: 4,
  },
  'closed-no-prefix': {
    async observe(relay) {
      const answer = await one(relay, (client) => client.query('bad', { ids: ['not-hex'] }))
      return answer.closed === null ? 'EOSE' : hasPrefix(answer.closed) ? 'CLOSED with prefix' : 'CLOSED without prefix'
    },
    defect: 'CLOSED without prefix',
    correct: 'CLOSED with prefix',
  },
  'bad-sig-notice': {
    async observe(relay) {
      const forged = forgeSignature(sign(newKeys(), { kind: 1 }))
      return one(relay, async (client) => {
        client.send(['EVENT', forged])
        await client.barrier()
        return client.frames
          .filter((f) => f[0] === 'NOTICE' || (f[0] === 'OK' && f[1] === forged.id))
          .map((f) => (f[0] === 'OK' ? `OK ${f[2]}` : 'NOTICE'))
      })
    },
    defect: ['NOTICE'],
    correct: ['OK false'],
  },
  // ---- NIP-11
  'nip11-no-cors': {
    async observe(relay) {
      const info = await fetchInfo(relay.httpUrl)
      const preflight = await fetch(relay.httpUrl, { method: 'OPTIONS' })
      return {
        document: info.document !== null,
        cors: [info.cors.origin, info.cors.headers, info.cors.methods].every((h) => h !== null),
        preflight: preflight.headers.get('access-control-allow-origin') !== null,
      }
    },
    defect: { document: true, cors: false, preflight: false },
    correct: { document: true, cors: true, preflight: true },
  },
  'limits-not-enforced': {
    async observe(relay) {
      const keys = newKeys()
      const info = await fetchInfo(relay.httpUrl)
      const limitation = info.document?.limitation as { max_event_tags: number }
      const tags = Array.from({ length: limitation.max_event_tags + 1 }, (_, i) => ['t', `x${i}`])
      const [accepted] = await one(relay, (client) => client.publish(sign(keys, { kind: 1, tags })))
      return { advertised: limitation.max_event_tags, overAccepted: accepted }
    },
    defect: { advertised: 2000, overAccepted: true },
    correct: { advertised: 2000, overAccepted: false },
  },
  'limits-stricter': {
    async observe(relay) {
      const keys = newKeys()
      const info = await fetchInfo(relay.httpUrl)
      const limitation = info.document?.limitation as { max_content_length: number }
      const event = persona(keys, 'long', { content: JSON.stringify({ display_name: 'Long', system_prompt: 'x'.repeat(10_000) }) })
      const [accepted] = await one(relay, (client) => client.publish(event))
      return { advertised: limitation.max_content_length, accepted }
    },
    defect: { advertised: 131_072, accepted: false },
    correct: { advertised: 131_072, accepted: true },
  },
  // ---- ingest
  'sig-not-verified': {
    async observe(relay) {
      const keys = newKeys()
      const forged = forgeSignature(persona(keys, 'forged'))
      return one(relay, async (client) => {
        const [accepted] = await client.publish(forged)
        return { accepted, served: (await client.query('q', { ids: [forged.id] })).events.length }
      })
    },
    defect: { accepted: true, served: 1 },
    correct: { accepted: false, served: 0 },
  },
  'id-not-verified': {
    async observe(relay) {
      const keys = newKeys()
      const signed = persona(keys, 'tampered')
      const tampered = { ...signed, content: JSON.stringify({ display_name: 'Evil', system_prompt: 'changed' }) }
      return one(relay, async (client) => {
        const [accepted] = await client.publish(tampered)
        return { accepted, served: (await client.query('q', { ids: [tampered.id] })).events.length }
      })
    },
    defect: { accepted: true, served: 1 },
    correct: { accepted: false, served: 0 },
  },
  'ephemeral-stored': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const [accepted] = await client.publish(sign(keys, { kind: 20001, content: 'fleeting' }))
        return { accepted, served: (await client.query('q', { authors: [keys.pubkey] })).events.length }
      })
    },
    defect: { accepted: true, served: 1 },
    correct: { accepted: true, served: 0 },
  },
  'any-path': {
    async observe(relay) {
      const root = await TestClient.connect(relay.url)
      root.close()
      try {
        const other = await TestClient.connect(`${relay.url}/some/other/path`)
        other.close()
        return 'other path accepted'
      } catch {
        return 'other path refused'
      }
    },
    defect: 'other path accepted',
    correct: 'other path refused',
  },
  // ---- NIP-42 (these run under auth-required)
  'auth-any-challenge': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const challenge = await client.challenge()
        const wrong = await client.sendAuth(authEvent(keys.secretKey, relay.url, `${challenge}-not`))
        const right = await client.sendAuth(authEvent(keys.secretKey, relay.url, challenge))
        return [wrong[0], right[0]]
      })
    },
    defect: [true, true],
    correct: [false, true],
  },
  'auth-event-broadcast': {
    async observe(relay) {
      const keys = newKeys()
      const auth = sign(keys, { kind: 22242, tags: [['relay', relay.url], ['challenge', 'none']] })
      const note = sign(keys, { kind: 1 })
      const live = await liveAfter(
        relay,
        async (s) => {
          await s.authenticate(keys.secretKey, relay.url)
          await s.query('s', { authors: [keys.pubkey] })
        },
        async (p) => {
          await p.authenticate(keys.secretKey, relay.url)
          await p.publish(auth)
          await p.publish(note)
        },
        's',
      )
      return named(live, { auth, note })
    },
    defect: ['auth', 'note'],
    correct: ['note'],
  },
  'auth-message-broadcast': {
    async observe(relay) {
      const [reader, author] = [newKeys(), newKeys()]
      return withClients(relay.url, 2, async (subscriber, publisher) => {
        await subscriber.authenticate(reader.secretKey, relay.url)
        await subscriber.query('s', { kinds: [22242] })
        await publisher.authenticate(author.secretKey, relay.url)
        await publisher.publish(sign(author, { kind: 1 }))
        await subscriber.barrier()
        return subscriber.live('s').map((event) => (event.pubkey === author.pubkey ? 'auth' : 'other'))
      })
    },
    defect: ['auth'],
    correct: [],
  },
  'auth-no-ok': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const event = authEvent(keys.secretKey, relay.url, await client.challenge())
        client.send(['AUTH', event])
        const read = await client.query('after-auth', { kinds: [30175], authors: [keys.pubkey] })
        return { oks: client.frames.filter((f) => f[0] === 'OK' && f[1] === event.id).length, read: read.closed ?? 'EOSE' }
      })
    },
    defect: { oks: 0, read: 'EOSE' },
    correct: { oks: 1, read: 'EOSE' },
  },
  'auth-single-key': {
    async observe(relay) {
      const [first, second] = [newKeys(), newKeys()]
      return one(relay, async (client) => {
        await client.authenticate(first.secretKey, relay.url)
        await client.authenticate(second.secretKey, relay.url)
        const [firstAccepted, message] = await client.publish(persona(first, 'first-key'))
        const [secondAccepted] = await client.publish(persona(second, 'second-key'))
        return { firstAccepted, prefix: message.split(':')[0], secondAccepted }
      })
    },
    defect: { firstAccepted: false, prefix: 'restricted', secondAccepted: true },
    correct: { firstAccepted: true, prefix: '', secondAccepted: true },
  },
  'auth-stale-accepted': {
    async observe(relay) {
      const keys = newKeys()
      return one(relay, async (client) => {
        const challenge = await client.challenge()
        const stale = await client.sendAuth(authEvent(keys.secretKey, relay.url, challenge, nowSeconds() - 86_400))
        const fresh = await client.sendAuth(authEvent(keys.secretKey, relay.url, challenge))
        return [stale[0], fresh[0]]
      })
    },
    defect: [true, true],
    correct: [false, true],
  },
}

