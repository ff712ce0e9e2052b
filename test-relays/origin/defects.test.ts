import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DefectSet, ORIGIN_DEFECTS, type OriginDefectId } from './defects.ts'
import type { NostrEvent } from './event.ts'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, nip98, nowSeconds, post, sign, TestClient, type Key } from './test-client.ts'

// Each probe observes one behaviour; the default relay must show the ORIGIN-RELAY.md reading and
// the relay with that one defect switched on must show the defect.

let healthy: RunningOriginRelay
const open: TestClient[] = []

beforeAll(async () => {
  healthy = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await healthy.close()
})

async function writer(relay: RunningOriginRelay, key: Key = newKey()): Promise<{ key: Key; c: TestClient }> {
  const c = await authed(relay.url, key)
  open.push(c)
  return { key, c }
}

async function bare(relay: RunningOriginRelay): Promise<TestClient> {
  const c = await TestClient.open(relay.url)
  open.push(c)
  return c
}

/** A writer in a fresh open channel it created. */
async function inChannel(relay: RunningOriginRelay): Promise<{ key: Key; c: TestClient; say(tags: string[][]): Promise<{ ev: NostrEvent; ok: unknown[] }> }> {
  const { key, c } = await writer(relay)
  const channel = crypto.randomUUID()
  await c.publish(sign(key, 9007, [['h', channel], ['name', 'probe']]))
  let n = 0
  return {
    key,
    c,
    say: async (tags) => {
      const ev = sign(key, 9, [['h', channel], ...tags], `m${n++}`)
      return { ev, ok: await c.publish(ev) }
    },
  }
}

const okMessage = (f: unknown[]): [unknown, unknown] => [f[2], f[3]]
const ghost = (c: string) => c.repeat(64)
const e = (id: string, marker: string) => ['e', id, '', marker]

interface Probe {
  id: OriginDefectId
  run(relay: RunningOriginRelay): Promise<unknown>
  healthy: unknown
  defective: unknown
}

const probes: Probe[] = [
  {
    id: 'auth-not-required',
    run: async (r) => okMessage(await (await bare(r)).publish(sign(newKey(), 1, [], 'early'))),
    healthy: [false, 'auth-required: not authenticated'],
    defective: [true, ''],
  },
  {
    id: 'auth-relay-tag-strict',
    run: async (r) => (await (await bare(r)).auth(newKey(), r.url, { relay: r.url.replace('127.0.0.1', 'localhost') }))[2],
    healthy: true,
    defective: false,
  },
  {
    id: 'auth-retry-allowed',
    run: async (r) => {
      const c = await bare(r)
      const challenge = await c.challenge()
      await c.auth(newKey(), r.url, { challenge: 'wrong' })
      return okMessage(await c.auth(newKey(), r.url, { challenge }))
    },
    healthy: [false, 'auth-required: authentication already failed'],
    defective: [true, ''],
  },
  {
    id: 'pubkey-mismatch-accepted',
    run: async (r) => okMessage(await (await writer(r)).c.publish(sign(newKey(), 1, [], 'not mine'))),
    healthy: [false, 'invalid: event pubkey does not match authenticated identity'],
    defective: [true, ''],
  },
  {
    id: 'duplicate-with-text',
    run: async (r) => {
      const { key, c } = await writer(r)
      const ev = sign(key, 1, [], 'twice')
      await c.publish(ev)
      return okMessage(await c.publish(ev))
    },
    healthy: [true, 'duplicate:'],
    defective: [true, 'duplicate: already have this event'],
  },
  {
    id: 'duplicate-before-checks',
    run: async (r) => {
      const { key, c } = await writer(r)
      const ev = sign(key, 1, [], 'resent broken')
      await c.publish(ev)
      return okMessage(await c.publish({ ...ev, sig: '0'.repeat(128) }))
    },
    healthy: [false, 'invalid: invalid schnorr signature'],
    defective: [true, 'duplicate:'],
  },
  {
    id: 'persona-content-checked',
    run: async (r) => {
      const { key, c } = await writer(r)
      return okMessage(await c.publish(sign(key, 30175, [['d', 'plain']], 'not json')))
    },
    healthy: [true, ''],
    defective: [false, 'invalid: persona content must be a JSON object'],
  },
  {
    id: 'persona-h-scoped',
    run: async (r) => {
      const { key, c } = await writer(r)
      return okMessage(await c.publish(sign(key, 30175, [['d', 'scoped'], ['h', crypto.randomUUID()]], '{}')))
    },
    healthy: [true, ''],
    defective: [false, 'restricted: not a channel member'],
  },
  {
    id: 'non-uuid-channel',
    run: async (r) => {
      const { key, c } = await writer(r)
      return okMessage(await c.publish(sign(key, 9, [['h', 'general']], 'hi')))
    },
    healthy: [false, 'invalid: channel-scoped events must include an h tag'],
    defective: [true, ''],
  },
  {
    id: 'kind11-accepted',
    run: async (r) => {
      const { key, c } = await writer(r)
      const channel = crypto.randomUUID()
      await c.publish(sign(key, 9007, [['h', channel], ['name', 'k11']]))
      return okMessage(await c.publish(sign(key, 11, [['h', channel]], 'forum thread')))
    },
    healthy: [false, 'restricted: unknown event kind'],
    defective: [true, ''],
  },
  {
    id: 'first-marker-wins',
    run: async (r) => {
      const room = await inChannel(r)
      const top = await room.say([])
      return okMessage((await room.say([e(ghost('b'), 'reply'), e(top.ev.id, 'reply')])).ok)
    },
    healthy: [true, ''],
    defective: [false, 'invalid: reply parent not found'],
  },
  {
    id: 'root-alone-is-reply',
    run: async (r) => okMessage((await (await inChannel(r)).say([e(ghost('c'), 'root')])).ok),
    healthy: [true, ''],
    defective: [false, 'invalid: reply parent not found'],
  },
  {
    id: 'three-element-marker-read',
    run: async (r) => okMessage((await (await inChannel(r)).say([['e', ghost('d'), 'reply']])).ok),
    healthy: [true, ''],
    defective: [false, 'invalid: reply parent not found'],
  },
  {
    id: 'thread-text-differs',
    run: async (r) => okMessage((await (await inChannel(r)).say([e(ghost('e'), 'reply')])).ok),
    healthy: [false, 'invalid: reply parent not found'],
    defective: [false, 'invalid: parent event not found'],
  },
  {
    id: 'depth-limit-99',
    run: async (r) => {
      const room = await inChannel(r)
      const top = await room.say([])
      let parent = top.ev.id
      let last: unknown[] = []
      for (let depth = 1; depth <= 100; depth++) {
        const reply = await room.say([e(top.ev.id, 'root'), e(parent, 'reply')])
        parent = reply.ev.id
        last = reply.ok
      }
      return okMessage(last)
    },
    healthy: [true, ''],
    defective: [false, 'invalid: thread depth limit exceeded'],
  },
  {
    id: 'deletion-two-targets',
    run: async (r) => {
      const { key, c } = await writer(r)
      const a = sign(key, 1, [], 'a')
      const b = sign(key, 1, [], 'b')
      await c.publish(a)
      await c.publish(b)
      return okMessage(await c.publish(sign(key, 5, [['e', a.id], ['e', b.id]])))
    },
    healthy: [false, 'invalid: deletion events must reference exactly one target via e or a tag (got e=2, a=0)'],
    defective: [true, ''],
  },
  {
    id: 'deletion-tombstone',
    run: async (r) => {
      const { key, c } = await writer(r)
      const t = nowSeconds()
      await c.publish(sign(key, 30175, [['d', 'gone']], '{}', t))
      await c.publish(sign(key, 5, [['a', `30175:${key.pk}:gone`]], '', t + 1))
      return okMessage(await c.publish(sign(key, 30175, [['d', 'gone']], '{"older":true}', t - 50)))
    },
    healthy: [true, ''],
    defective: [false, 'blocked: address was deleted'],
  },
  {
    id: 'deleted-resend-restores',
    run: async (r) => {
      const { key, c } = await writer(r)
      const note = sign(key, 1, [], 'deleted')
      await c.publish(note)
      await c.publish(sign(key, 5, [['e', note.id]]))
      return [okMessage(await c.publish(note)), (await c.req('after', { ids: [note.id] })).events.length]
    },
    healthy: [[true, 'duplicate:'], 0],
    defective: [[true, ''], 1],
  },
  {
    id: 'kindless-served',
    run: async (r) => {
      const { key, c } = await writer(r)
      await c.publish(sign(key, 1, [], 'x'))
      const res = await c.req('k', { authors: [key.pk] })
      return res.closed?.[2] ?? res.events.length
    },
    healthy: 'restricted: p-gated events require #p matching your pubkey',
    defective: 1,
  },
  {
    id: 'empty-kinds-match-all',
    run: async (r) => {
      const { key, c } = await writer(r)
      await c.publish(sign(key, 1, [], 'x'))
      return (await c.req('none', { kinds: [], authors: [key.pk] })).events.length
    },
    healthy: 0,
    defective: 1,
  },
  {
    id: 'close-silent',
    run: async (r) => {
      const { c } = await writer(r)
      await c.req('s', { kinds: [1], limit: 0 })
      c.send(['CLOSE', 's'])
      return c.next((f) => f[0] === 'CLOSED', 500).then((f) => f[2], () => 'no answer')
    },
    healthy: '',
    defective: 'no answer',
  },
  {
    id: 'no-subscription-limit',
    run: async (r) => {
      const { c } = await writer(r)
      for (let i = 0; i < 1024; i++) c.send(['REQ', `s${i}`, { kinds: [7], limit: 0 }])
      await c.next((f) => f[0] === 'EOSE' && f[1] === 's1023')
      return (await c.req('one-more', { kinds: [7], limit: 0 })).closed?.[2] ?? 'served'
    },
    healthy: 'error: too many subscriptions',
    defective: 'served',
  },
  {
    id: 'clock-window-600',
    run: async (r) => {
      const { key, c } = await writer(r)
      return okMessage(await c.publish(sign(key, 1, [], 'old', nowSeconds() - 700)))
    },
    healthy: [true, ''],
    defective: [false, 'invalid: event timestamp too far from server time'],
  },
  {
    id: 'nip11-auth-not-required',
    run: async (r) => {
      const doc = (await (await fetch(r.httpUrl, { headers: { accept: 'application/nostr+json' } })).json()) as { limitation: { auth_required: boolean } }
      return doc.limitation.auth_required
    },
    healthy: true,
    defective: false,
  },
  {
    id: 'query-removes-repeats',
    run: async (r) => {
      const key = newKey()
      await post(r.httpUrl, '/events', JSON.stringify(sign(key, 1, [], 'x')), key)
      const f = { kinds: [1], authors: [key.pk] }
      return ((await post(r.httpUrl, '/query', JSON.stringify([f, f]), key)).body as unknown[]).length
    },
    healthy: 2,
    defective: 1,
  },
  {
    id: 'thread-query-includes-root',
    run: async (r) => {
      const room = await inChannel(r)
      const top = await room.say([])
      const reply = await room.say([e(top.ev.id, 'reply')])
      const res = await post(r.httpUrl, '/query', JSON.stringify([{ kinds: [9], '#e': [top.ev.id], depth_limit: 3 }]), room.key)
      const got = (res.body as NostrEvent[]).map((x) => x.id)
      return got.map((id) => (id === top.ev.id ? 'root' : id === reply.ev.id ? 'reply' : 'other'))
    },
    healthy: ['reply'],
    defective: ['root', 'reply'],
  },
  {
    id: 'thread-query-honours-kinds',
    run: async (r) => {
      const room = await inChannel(r)
      const top = await room.say([])
      await room.say([e(top.ev.id, 'reply')])
      const res = await post(r.httpUrl, '/query', JSON.stringify([{ kinds: [1], '#e': [top.ev.id], depth_limit: 3 }]), room.key)
      return (res.body as unknown[]).length
    },
    healthy: 1,
    defective: 0,
  },
  {
    id: 'http-401-text',
    run: async (r) => {
      const res = await post(r.httpUrl, '/query', '[]', {})
      return [res.status, res.body]
    },
    healthy: [401, { error: 'missing Nostr auth' }],
    defective: [401, { error: 'unauthorized' }],
  },
  {
    id: 'x-pubkey-refused',
    run: async (r) => {
      const res = await post(r.httpUrl, '/count', '[{"kinds":[1]}]', { 'x-pubkey': newKey().pk })
      return res.status
    },
    healthy: 200,
    defective: 401,
  },
  {
    id: 'nip98-replay-allowed',
    run: async (r) => {
      const authorization = nip98(newKey(), `${r.httpUrl}/count`, 'POST')
      await post(r.httpUrl, '/count', '[{"kinds":[1]}]', { authorization })
      return (await post(r.httpUrl, '/count', '[{"kinds":[1]}]', { authorization })).status
    },
    healthy: 401,
    defective: 200,
  },
  {
    id: 'http-refusal-200',
    run: async (r) => {
      const key = newKey()
      const res = await post(r.httpUrl, '/events', JSON.stringify(sign(key, 30175, [['d', 'Bad']], '{}')), key)
      return res.status
    },
    healthy: 400,
    defective: 200,
  },
  {
    id: 'http-body-unlimited',
    run: async (r) => (await post(r.httpUrl, '/events', 'x'.repeat(1024 * 1024 + 1), {})).status,
    healthy: 413,
    defective: 401,
  },
]

describe('each origin defect shows itself and only when switched on', () => {
  test('every catalogued defect has a probe', () => {
    expect(probes.map((p) => p.id).sort()).toEqual(ORIGIN_DEFECTS.map((d) => d.id).sort())
  })

  test('an unknown defect id is refused', () => {
    expect(() => new DefectSet(['no-such-defect'])).toThrow(/unknown origin defect/)
  })

  for (const probe of probes) {
    test(probe.id, async () => {
      expect(await probe.run(healthy)).toEqual(probe.healthy)
      const broken = await startOriginRelay({ defects: [probe.id] })
      try {
        expect(await probe.run(broken)).toEqual(probe.defective)
      } finally {
        await broken.close()
      }
    })
  }
})
