/**
 * How the client reads a persona body (section 5.3) and hashes it (section 6), checked
 * against the spec's vectors: every body a reader must refuse is refused and gets no hash,
 * defaults apply, unknown fields (an `env_vars` member included) are ignored and never
 * reach an agent, the last of repeated members wins, and the hashes are the vectors'.
 */

import { readFileSync } from 'node:fs'
import { generateSecretKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { driftOf } from './drift.ts'
import { viewPersona } from './persona.ts'
import { snapshotEnvironment, takeSnapshot } from './snapshot.ts'
import { covers } from './testing/covers.ts'
import { signPersona } from './testing/helpers.ts'

interface Vectors<C> {
  cases: C[]
}

function vectors<C>(name: string): C[] {
  return (JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8')) as Vectors<C>).cases
}

const sk = generateSecretKey()

function withBody(text: string) {
  return { ...signPersona(sk, 'p', {}, 1000), content: text }
}

describe('reading a persona body', () => {
  test('every body of reader-rejects.json is refused with its reason and gets no content hash', covers('AP-BODY-4', 'AP-HASH-2'), () => {
    const cases = vectors<{ why: string; body: string; message: string }>('reader-rejects.json')
    expect(cases.length).toBeGreaterThan(10)
    for (const c of cases) {
      const view = viewPersona(withBody(c.body))
      expect(view, c.why).toMatchObject({ ok: false, message: c.message })
      expect(view, c.why).not.toHaveProperty('version')
      const snapshot = takeSnapshot({ event: withBody(c.body), localEnv: {}, pinnedEnv: {}, takenNames: new Set(), now: new Date(0) })
      expect(snapshot.ok, c.why).toBe(false)
    }
  })

  test('absent or null optional fields read as null, an absent name_pool as []', covers('AP-BODY-5'), () => {
    const view = viewPersona(withBody('{"display_name":"D","system_prompt":"S","model":null}'))
    expect(view.ok && view.content).toEqual({ display_name: 'D', system_prompt: 'S', avatar_url: null, runtime: null, model: null, provider: null, name_pool: [] })
  })

  test('unknown fields are ignored and reported; an env_vars member in a body never reaches an agent', covers('AP-BODY-6', 'AP-BODY-7'), () => {
    const text = JSON.stringify({ display_name: 'D', system_prompt: 'S', 'x-future': { a: 1 }, env_vars: { EVIL: 'injected' } })
    const view = viewPersona(withBody(text))
    expect(view.ok && view.unknown_fields.sort()).toEqual(['env_vars', 'x-future'])
    const plain = viewPersona(withBody('{"display_name":"D","system_prompt":"S"}'))
    expect(view.ok && plain.ok && view.version === plain.version).toBe(true)
    const taken = takeSnapshot({ event: withBody(text), localEnv: {}, pinnedEnv: {}, takenNames: new Set(), now: new Date(0) })
    if (!taken.ok) throw new Error(taken.message)
    expect(taken.snapshot.env_vars).toEqual({})
    const env = snapshotEnvironment(taken.snapshot, 'a1', {})
    expect(Object.values(env)).not.toContain('injected')
    expect(env).not.toHaveProperty('EVIL')
  })

  test('a repeated member name reads as its last occurrence', covers('AP-BODY-8'), () => {
    const view = viewPersona(withBody('{"display_name":"First","system_prompt":"S","display_name":"Last"}'))
    expect(view.ok && view.content.display_name).toBe('Last')
  })

  test('the content hash of every body in content-hash.json is the vector hash, lowercase hex, compared exactly', covers('AP-HASH-1', 'AP-HASH-3'), () => {
    const cases = vectors<{ why: string; body: string; hash: string }>('content-hash.json')
    for (const c of cases) {
      const view = viewPersona(withBody(c.body))
      expect(view.ok && view.version, c.why).toBe(c.hash)
      expect(c.hash).toMatch(/^[0-9a-f]{64}$/)
    }
    const hash = cases[0]!.hash
    // the same digits in upper case are not the same hash: drift compares exact strings
    expect(driftOf(hash.toUpperCase(), { status: 'present', version: hash, event_id: 'e' })).toBe('out-of-date')
    expect(driftOf(hash, { status: 'present', version: hash, event_id: 'e' })).toBe('up-to-date')
  })
})
