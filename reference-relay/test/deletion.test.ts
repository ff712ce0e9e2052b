/** NIP-09 deletion over a real socket: e and a targets, authorship, tombstones, resurrection. */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { RelayInternals } from '../src/relay.ts'
import { deletion, newKey, nowSeconds, persona, sign, startTestRelay, TestClient } from './helpers.ts'

let relay: RelayInternals
let client: TestClient

beforeAll(async () => {
  relay = await startTestRelay()
  client = await TestClient.connect(relay.url)
})
afterAll(async () => {
  client.close()
  await relay.close()
})

const byAddress = (pk: string, slug: string) => ({ kinds: [30175], authors: [pk], '#d': [slug] })

describe('deletion by address (a tag)', () => {
  test('removes the persona; the deletion itself is stored and served', async () => {
    const key = newKey()
    const now = nowSeconds()
    const p = persona(key, 'doomed', now - 5)
    await client.store(p)
    const del = deletion(key, personaDeletionTags(key.pk, 'doomed'), now)
    await client.store(del)
    expect(await client.ids('a', byAddress(key.pk, 'doomed'))).toEqual([])
    expect(await client.ids('a', { ids: [p.id] })).toEqual([])
    expect(await client.ids('d', { kinds: [5], authors: [key.pk] })).toEqual([del.id])
    expect(await client.ids('k', { kinds: [5], '#a': [`30175:${key.pk}:doomed`] })).toEqual([del.id])
  })

  test('re-sending a deleted version is refused with blocked:', async () => {
    const key = newKey()
    const now = nowSeconds()
    const p = persona(key, 'gone', now - 5)
    await client.store(p)
    await client.store(deletion(key, personaDeletionTags(key.pk, 'gone'), now))
    expect(await client.publish(p)).toEqual({ accepted: false, message: 'blocked: this event was deleted by its author' })
    const older = persona(key, 'gone', now - 100)
    expect((await client.publish(older)).message).toMatch(/^blocked: /)
    const sameSecond = persona(key, 'gone', now)
    expect((await client.publish(sameSecond)).message).toMatch(/^blocked: /)
  })

  test('a newer version after the deletion is accepted (resurrection)', async () => {
    const key = newKey()
    const now = nowSeconds()
    await client.store(persona(key, 'phoenix', now - 10))
    await client.store(deletion(key, personaDeletionTags(key.pk, 'phoenix'), now - 5))
    const reborn = persona(key, 'phoenix', now)
    expect(await client.publish(reborn)).toEqual({ accepted: true, message: '' })
    expect(await client.ids('r', byAddress(key.pk, 'phoenix'))).toEqual([reborn.id])
  })

  test('a deletion older than the head leaves the head in place', async () => {
    const key = newKey()
    const now = nowSeconds()
    const head = persona(key, 'survivor', now)
    await client.store(head)
    await client.store(deletion(key, personaDeletionTags(key.pk, 'survivor'), now - 30))
    expect(await client.ids('s', byAddress(key.pk, 'survivor'))).toEqual([head.id])
  })

  test('a deletion naming another author\'s address is refused and changes nothing', async () => {
    const owner = newKey()
    const intruder = newKey()
    const p = persona(owner, 'mine')
    await client.store(p)
    const del = deletion(intruder, personaDeletionTags(owner.pk, 'mine'))
    expect(await client.publish(del)).toEqual({ accepted: false, message: 'invalid: must be event author' })
    expect(await client.ids('m', byAddress(owner.pk, 'mine'))).toEqual([p.id])
  })

  test('a deletion arriving before the persona still blocks that version', async () => {
    const key = newKey()
    const now = nowSeconds()
    await client.store(deletion(key, personaDeletionTags(key.pk, 'early'), now))
    expect((await client.publish(persona(key, 'early', now - 1))).message).toMatch(/^blocked: /)
  })
})

describe('deletion by id (e tag)', () => {
  test('removes the event and blocks its re-send', async () => {
    const key = newKey()
    const note = sign(key, { kind: 1, content: 'regret' })
    await client.store(note)
    await client.store(deletion(key, [['e', note.id]]))
    expect(await client.ids('e', { ids: [note.id] })).toEqual([])
    expect((await client.publish(note)).message).toMatch(/^blocked: /)
  })

  test('an e deletion of the current persona head removes it', async () => {
    const key = newKey()
    const p = persona(key, 'by-id')
    await client.store(p)
    await client.store(deletion(key, [['e', p.id]]))
    expect(await client.ids('p', byAddress(key.pk, 'by-id'))).toEqual([])
  })

  test('an e deletion of a superseded version does not touch the head', async () => {
    const key = newKey()
    const now = nowSeconds()
    const v1 = persona(key, 'versions', now - 10)
    const v2 = persona(key, 'versions', now)
    await client.store(v1)
    await client.store(v2)
    await client.store(deletion(key, [['e', v1.id]]))
    expect(await client.ids('v', byAddress(key.pk, 'versions'))).toEqual([v2.id])
  })

  test('an e deletion of another author\'s event is refused', async () => {
    const owner = newKey()
    const note = sign(owner, { kind: 1 })
    await client.store(note)
    const del = deletion(newKey(), [['e', note.id]])
    expect(await client.publish(del)).toEqual({ accepted: false, message: 'invalid: must be event author' })
    expect(await client.ids('n', { ids: [note.id] })).toEqual([note.id])
  })

  test('deleting a deletion has no effect', async () => {
    const key = newKey()
    const note = sign(key, { kind: 1 })
    await client.store(note)
    const del = deletion(key, [['e', note.id]])
    await client.store(del)
    await client.store(deletion(key, [['e', del.id]]))
    expect(await client.ids('dd', { ids: [del.id] })).toEqual([del.id])
    expect((await client.publish(note)).message).toMatch(/^blocked: /)
  })
})
