import { generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { buildPersonaDeletion } from './delete.ts'
import { importLegacyPersonas, parseLegacyPersonas } from './migrate.ts'
import { openRetentionStore } from './store/index.ts'
import { covers } from './testing/covers.ts'

const legacy = [
  { id: 'writer', display_name: 'Writer', system_prompt: 'Write.', model: 'm1', provider: 'p1', name_pool: ['Ann', 'Bo'], env_vars: { API_KEY: 'sk-secret' } },
  { id: 'builtin-helper', display_name: 'Helper', system_prompt: 'Help.', is_builtin: true },
  { id: 'Not A Slug', display_name: 'Bad', system_prompt: 'x' },
  { id: 'no-prompt', display_name: 'No prompt' },
  { id: 'reviewer', display_name: 'Reviewer', system_prompt: 'Review.', runtime: 'goose', avatar_url: null },
]

describe('legacy personas.json migration', () => {
  test('imports valid records signed with the real key, skips builtins, refuses invalid ones one by one', covers('AP-STORE-10', 'AP-STORE-11', 'AP-STORE-13'), () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const store = openRetentionStore(':memory:')
    const result = importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify(legacy), now: 5000 })
    expect(result.ok).toBe(true)
    const { report } = result
    expect(report.imported.map((i) => i.slug)).toEqual(['writer', 'reviewer'])
    expect(report.skipped_builtin).toEqual(['builtin-helper'])
    expect(report.errors.map((e) => [e.index, e.message.split(':')[0]])).toEqual([
      [2, 'invalid'],
      [3, 'invalid'],
    ])
    const writer = store.personas.read(pk, 'writer')
    expect(writer.status).toBe('present')
    if (writer.status !== 'present') return
    expect(writer.event.pubkey).toBe(pk)
    expect(verifyEvent({ ...writer.event })).toBe(true)
    expect(writer.event.content).not.toContain('sk-secret')
    expect(JSON.parse(writer.event.content)).not.toHaveProperty('env_vars')
    expect(store.env.read(pk, 'writer')).toEqual({ API_KEY: 'sk-secret' })
    expect(store.personas.read(pk, 'builtin-helper').status).toBe('missing')
    expect(store.queue.count().pending).toBe(2)
    store.close()
  })

  test('a second run finds the rows and changes nothing (no sentinel file)', covers('AP-STORE-12'), () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const store = openRetentionStore(':memory:')
    const first = importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify(legacy), now: 5000 })
    const before = store.personas.list(pk).events.map((e) => e.id)
    const second = importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify(legacy), now: 6000 })
    expect(first.ok && second.ok).toBe(true)
    expect(second.report.imported).toEqual([])
    expect(second.report.already_migrated).toBe(true)
    expect(store.personas.list(pk).events.map((e) => e.id)).toEqual(before)
    expect(store.queue.count().pending).toBe(2)
    store.close()
  })

  test('a deleted persona is not brought back by a re-run', covers('AP-STORE-12'), () => {
    const sk = generateSecretKey()
    const pk = getPublicKey(sk)
    const store = openRetentionStore(':memory:')
    const tombstoned = [{ id: 'old', display_name: 'Old', system_prompt: 'x' }]
    importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify(tombstoned), now: 5000 })
    const head = store.personas.read(pk, 'old')
    expect(head.status).toBe('present')
    const deletion = buildPersonaDeletion({ secretKey: sk, slug: 'old', now: 5001 })
    if (deletion.ok) store.personas.putDeletion(deletion.event)
    const again = importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify(tombstoned), now: 6000 })
    expect(again.ok && again.report.already_migrated).toBe(true)
    expect(store.personas.read(pk, 'old').status).toBe('deleted')
    store.close()
  })

  test('nothing valid: refused as a whole and nothing is written', covers('AP-STORE-13'), () => {
    const sk = generateSecretKey()
    const store = openRetentionStore(':memory:')
    const result = importLegacyPersonas(store, { secretKey: sk, text: JSON.stringify([{ id: '-x', display_name: 'a', system_prompt: 'b' }]), now: 5000 })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.message.startsWith('invalid: ')).toBe(true)
    expect(store.personas.list().events).toEqual([])
    store.close()
  })

  test('the file must be a JSON array; duplicate ids and bad env vars are per-record errors', covers('AP-STORE-13'), () => {
    expect(parseLegacyPersonas('{"id":"a"}')).toEqual({ ok: false, message: 'invalid: legacy personas file must be a JSON array of persona records' })
    expect(parseLegacyPersonas('not json').ok).toBe(false)
    const parsed = parseLegacyPersonas(
      JSON.stringify([
        { id: 'a', display_name: 'A', system_prompt: 'x' },
        { id: 'a', display_name: 'A again', system_prompt: 'y' },
        { id: 'b', display_name: 'B', system_prompt: 'z', env_vars: { 'BAD NAME': 'v' } },
      ]),
    )
    expect(parsed.ok && parsed.records.map((r) => r.status)).toEqual(['valid', 'invalid', 'invalid'])
  })
})
