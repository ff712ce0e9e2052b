import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { loadAgents, saveAgents } from './agents.ts'
import { backfillSnapshots } from './backfill.ts'
import { driftOf, liveVersionOf } from './drift.ts'
import { pickInstanceName, snapshotEnvironment, takeSnapshot } from './snapshot.ts'
import { openRetentionStore } from './store/index.ts'
import { signDeletion, signPersona } from './testing/helpers.ts'
import { covers } from './testing/covers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const sk = generateSecretKey()
const pk = getPublicKey(sk)
const body = { display_name: 'Coder', system_prompt: 'Code.', model: 'm', provider: 'p', runtime: 'r', name_pool: ['Ada', 'Bob'] }

describe('snapshot', () => {
  test('pins the body, an instance name, the env vars and the content hash', covers('AP-AGENT-1', 'AP-AGENT-2'), () => {
    const event = signPersona(sk, 'coder', body, 1000)
    const taken = takeSnapshot({ event, localEnv: { A: '1', B: '2' }, pinnedEnv: { B: 'override' }, takenNames: new Set(['Ada']), now: new Date(0) })
    expect(taken.ok).toBe(true)
    if (!taken.ok) return
    expect(taken.snapshot).toMatchObject({
      slug: 'coder',
      pubkey: pk,
      event_id: event.id,
      system_prompt: 'Code.',
      model: 'm',
      provider: 'p',
      runtime: 'r',
      instance_name: 'Bob',
      env_vars: { A: '1', B: 'override' },
    })
    expect(taken.snapshot.persona_source_version).toMatch(/^[0-9a-f]{64}$/)
  })

  test('instance names: first free pool name, then suffixed, display name for an empty pool', covers('AP-AGENT-2'), () => {
    expect(pickInstanceName(['Ada', 'Bob'], 'Coder', new Set())).toBe('Ada')
    expect(pickInstanceName(['Ada', 'Bob'], 'Coder', new Set(['Ada', 'Bob']))).toBe('Ada-2')
    expect(pickInstanceName([], 'Coder', new Set())).toBe('Coder')
    expect(pickInstanceName([], 'Coder', new Set(['Coder', 'Coder-2']))).toBe('Coder-3')
  })

  test('the child environment: pinned vars, then PERSONA_* (which win); inherited PERSONA_* are dropped; nulls unset', covers('AP-AGENT-3'), () => {
    const event = signPersona(sk, 'coder', { display_name: 'C', system_prompt: 'S' }, 1000)
    const taken = takeSnapshot({ event, localEnv: {}, pinnedEnv: { PERSONA_SLUG: 'spoof', TOKEN: 't' }, takenNames: new Set(), now: new Date(0) })
    if (!taken.ok) throw new Error(taken.message)
    const env = snapshotEnvironment(taken.snapshot, 'agent-1', { PATH: '/bin', PERSONA_MODEL: 'inherited' })
    expect(env.PATH).toBe('/bin')
    expect(env.TOKEN).toBe('t')
    expect(env.PERSONA_SLUG).toBe('coder')
    expect(env.PERSONA_NAME).toBe('C')
    expect(env.PERSONA_SYSTEM_PROMPT).toBe('S')
    expect(env.PERSONA_SOURCE_VERSION).toBe(taken.snapshot.persona_source_version)
    expect(env).not.toHaveProperty('PERSONA_MODEL')
  })
})

describe('drift', () => {
  const store = openRetentionStore(':memory:')
  const v1 = signPersona(sk, 'd', body, 1000)
  const pinned = takeSnapshot({ event: v1, localEnv: {}, pinnedEnv: {}, takenNames: new Set(), now: new Date(0) })
  if (!pinned.ok) throw new Error(pinned.message)
  const version = pinned.snapshot.persona_source_version

  test('up-to-date, out-of-date, orphaned', covers('AP-AGENT-7', 'AP-AGENT-8', 'AP-STORE-4'), () => {
    expect(driftOf(version, liveVersionOf(store.personas.read(pk, 'd')))).toBe('orphaned')
    store.personas.put(v1)
    expect(driftOf(version, liveVersionOf(store.personas.read(pk, 'd')))).toBe('up-to-date')
    store.personas.put(signPersona(sk, 'd', { ...body, system_prompt: 'Code better.' }, 1001))
    expect(driftOf(version, liveVersionOf(store.personas.read(pk, 'd')))).toBe('out-of-date')
    store.personas.putDeletion(signDeletion(sk, 'd', 1002))
    // deleted after an edit: orphaned, never out-of-date
    expect(driftOf(version, liveVersionOf(store.personas.read(pk, 'd')))).toBe('orphaned')
  })

  test('an edit that only reorders keys or adds unknown fields is not drift', covers('AP-HASH-1', 'AP-BODY-6', 'AP-AGENT-7'), () => {
    const reordered = signPersona(sk, 'e', { name_pool: body.name_pool, runtime: 'r', provider: 'p', model: 'm', system_prompt: 'Code.', display_name: 'Coder', extra: 1 }, 1000)
    store.personas.put(reordered)
    expect(driftOf(version, liveVersionOf(store.personas.read(pk, 'e')))).toBe('up-to-date')
  })
})

describe('agent records and backfill', () => {
  const scratch = scratchDirs('persona-agents-')
  test('records are saved 0600 and older shapes (no snapshot, bare persona slug) still load', covers('AP-SEC-5'), () => {
    const dir = scratch()
    const file = join(dir, 'agents.json')
    writeFileSync(file, JSON.stringify([{ name: 'old-one', persona: 'coder', command: 'true' }, { name: 'older', persona_slug: 'gone' }]))
    const loaded = loadAgents(file)
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    expect(loaded.agents.map((a) => [a.name, a.persona.slug, a.snapshot])).toEqual([
      ['old-one', 'coder', null],
      ['older', 'gone', null],
    ])
    saveAgents(file, loaded.agents)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(loadAgents(file)).toEqual(loaded)
  })

  test('backfill snapshots records whose persona exists, once, and flags the others without a snapshot', covers('AP-AGENT-10', 'AP-AGENT-11'), () => {
    const store = openRetentionStore(':memory:')
    store.personas.put(signPersona(sk, 'coder', body, 1000))
    store.env.set(pk, 'coder', { KEY: 'v' })
    const records = [
      { name: 'a', persona: { slug: 'coder', pubkey: null }, command: null, env: {}, snapshot: null, created_at: '', backfill_error: null },
      { name: 'b', persona: { slug: 'gone', pubkey: null }, command: null, env: {}, snapshot: null, created_at: '', backfill_error: null },
    ]
    const first = backfillSnapshots(records, store, { ownerPubkey: pk, now: new Date(0) })
    expect(first.report.filled.map((f) => f.agent)).toEqual(['a'])
    expect(first.report.missing.map((m) => m.agent)).toEqual(['b'])
    expect(first.agents[0]?.snapshot?.env_vars).toEqual({ KEY: 'v' })
    expect(first.agents[0]?.persona.pubkey).toBe(pk)
    expect(first.agents[1]?.snapshot).toBeNull()
    expect(first.agents[1]?.backfill_error).toMatch(/^error: persona gone does not exist/)

    // once: an edit after the backfill does not move the pin
    store.personas.put(signPersona(sk, 'coder', { ...body, system_prompt: 'new' }, 1001))
    const second = backfillSnapshots(first.agents, store, { ownerPubkey: pk, now: new Date(0) })
    expect(second.report.filled).toEqual([])
    expect(second.agents[0]).toBe(first.agents[0])
    store.close()
  })
})
