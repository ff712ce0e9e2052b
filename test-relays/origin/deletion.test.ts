import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startOriginRelay, type RunningOriginRelay } from './index.ts'
import { authed, newKey, nowSeconds, sign, type Key, type TestClient } from './test-client.ts'

let relay: RunningOriginRelay
const open: TestClient[] = []

async function writer(): Promise<{ key: Key; c: TestClient }> {
  const key = newKey()
  const c = await authed(relay.url, key)
  open.push(c)
  return { key, c }
}

beforeAll(async () => {
  relay = await startOriginRelay()
})
afterAll(async () => {
  for (const c of open) c.close()
  await relay.close()
})

describe('deletion texts (§5)', () => {
  test('each refusal text, author check first, then exactly one target', async () => {
    const { key, c } = await writer()
    const other = await writer()
    const mine = sign(key, 1, [], 'mine')
    const theirs = sign(other.key, 1, [], 'theirs')
    await c.publish(mine)
    await other.c.publish(theirs)
    const cases: Array<[string[][], string]> = [
      [[], 'invalid: missing e or a tag for target'],
      [[['k', '1']], 'invalid: missing e or a tag for target'],
      [[['a', 'no-colon']], 'invalid: invalid a-tag format'],
      [[['a', '30175:zz:slug']], 'invalid: invalid pubkey in a-tag'],
      [[['a', `30175:${other.key.pk}:slug`]], 'invalid: must be event author'],
      [[['e', theirs.id]], 'invalid: must be event author'],
      [[['e', 'f'.repeat(64)]], 'invalid: target event not found'],
      [[['e', mine.id], ['e', theirs.id]], 'invalid: must be event author'],
      [[['e', mine.id], ['a', `30175:${key.pk}:x`]], 'invalid: deletion events must reference exactly one target via e or a tag (got e=1, a=1)'],
      [[['e', mine.id], ['e', mine.id]], 'invalid: deletion events must reference exactly one target via e or a tag (got e=2, a=0)'],
      [[['a', `30175:${key.pk}:x`], ['a', `30175:${key.pk}:y`]], 'invalid: deletion events must reference exactly one target via e or a tag (got e=0, a=2)'],
      [[['e', 'not-hex'], ['e', mine.id]], 'invalid: deletion events must reference exactly one target via e or a tag (got e=2, a=0)'],
    ]
    for (const [tags, text] of cases) {
      const del = sign(key, 5, tags, '')
      expect(await c.publish(del), JSON.stringify(tags)).toEqual(['OK', del.id, false, text])
    }
  })

  test('an e deletion soft-deletes the target; a re-send of the target gets duplicate: and stays deleted', async () => {
    const { key, c } = await writer()
    const note = sign(key, 1, [], 'soon gone')
    await c.publish(note)
    const del = sign(key, 5, [['e', note.id]], '')
    expect(await c.publish(del)).toEqual(['OK', del.id, true, ''])
    expect((await c.req('gone', { ids: [note.id] })).events).toEqual([])
    expect(await c.publish(note)).toEqual(['OK', note.id, true, 'duplicate:'])
    expect((await c.req('still', { ids: [note.id] })).events).toEqual([])
    // A deleted target still counts as found and authored.
    const again = sign(key, 5, [['e', note.id]], 'again')
    expect((await c.publish(again))[2]).toBe(true)
  })

  test('an a deletion deletes every stored version; afterwards an older, never-stored version becomes the head', async () => {
    const { key, c } = await writer()
    const t = nowSeconds()
    const v2 = sign(key, 30175, [['d', 'agent']], '{"v":2}', t)
    await c.publish(v2)
    const del = sign(key, 5, [['a', `30175:${key.pk}:agent`], ['k', '30175']], '', t + 5)
    expect(await c.publish(del)).toEqual(['OK', del.id, true, ''])
    const read = { kinds: [30175], authors: [key.pk], '#d': ['agent'] }
    expect((await c.req('after-delete', read)).events).toEqual([])
    expect(await c.publish(v2)).toEqual(['OK', v2.id, true, 'duplicate:'])
    const v1 = sign(key, 30175, [['d', 'agent']], '{"v":1}', t - 100)
    expect(await c.publish(v1)).toEqual(['OK', v1.id, true, ''])
    expect((await c.req('resurrected', read)).events.map((e) => e.id)).toEqual([v1.id])
  })

  test('an a tag with only kind and pubkey is accepted and deletes nothing', async () => {
    const { key, c } = await writer()
    const p = sign(key, 30175, [['d', 'keep']], '{}')
    await c.publish(p)
    const del = sign(key, 5, [['a', `30175:${key.pk}`]], '')
    expect((await c.publish(del))[2]).toBe(true)
    expect((await c.req('kept', { kinds: [30175], authors: [key.pk] })).events.map((e) => e.id)).toEqual([p.id])
  })
})
