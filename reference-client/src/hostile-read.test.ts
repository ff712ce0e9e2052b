/**
 * The client against relays that serve what they should not: forged events, other
 * authors' personas at the owner's slug, ungrammatical slugs, several `d` tags, the wrong
 * kind, an invalid body as the head, deletions by `e` tag, and two relays that disagree.
 * Every bad event is counted and listed (`rejected_events` in --json) and never stored.
 */

import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { hashPersonaContentText } from '../../spec/model/hash.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome, nowSeconds, signPersona } from './testing/helpers.ts'
import { type ScriptedRelay, startScriptedRelay } from './testing/scripted-relay.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const body = { display_name: 'Scout', system_prompt: 'Look around.' }

interface Rejected {
  id: string | null
  pubkey: string | null
  kind: number | null
  reason: string
}

describe('reading from a hostile relay', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function relay(options: Parameters<typeof startScriptedRelay>[0] = {}): Promise<ScriptedRelay> {
    const started = await startScriptedRelay(options)
    cleanups.push(() => started.close())
    return started
  }

  const scratch = scratchDirs('persona-hostile-read-')
  const home = (url: string | null): Promise<CliHome> => cliHome(url, scratch())

  /** A copy of `event` whose signature no longer verifies (another valid-looking signature). */
  function forgeSignature(event: NostrEvent, other: NostrEvent): NostrEvent {
    return { ...event, sig: other.sig }
  }

  test(
    'forged, foreign, wrong-kind and two-d-tag events for the slug are rejected, listed and never stored; the head comes from the valid version',
    covers('AP-READ-2', 'AP-READ-4', 'AP-STORE-3', 'AP-ENV-4', 'AP-KIND-2', 'AP-READ-3'),
    async () => {
      const hostile: NostrEvent[] = []
      const scripted = await relay({ serve: () => hostile })
      const owner = await home(scripted.url)
      const now = nowSeconds()
      const valid = signPersona(owner.secretKey, 'scout', body, now - 30)
      const newer = signPersona(owner.secretKey, 'scout', { ...body, system_prompt: 'Forged.' }, now - 20)
      const other = generateSecretKey()
      const forgedSig = forgeSignature(newer, valid)
      const badId = { ...signPersona(owner.secretKey, 'scout', body, now - 19), content: JSON.stringify({ ...body, system_prompt: 'Tampered.' }) }
      const foreign = signPersona(other, 'scout', { ...body, display_name: 'Impostor' }, now - 10)
      const wrongKind = finalizeEvent({ kind: 1, created_at: now - 9, tags: [['d', 'scout']], content: JSON.stringify(body) }, owner.secretKey)
      const twoD = signPersona(owner.secretKey, 'scout', body, now - 8, [['d', 'scout'], ['d', 'other']])
      scripted.stored.push(valid)
      hostile.push(forgedSig, badId, foreign, wrongKind, twoD)

      const got = await owner.run('get', 'scout', '--json')
      expect(got.code).toBe(0)
      const document = got.json()
      expect(document).toMatchObject({ id: valid.id, source: 'relay' })
      const rejected = document.rejected_events as Rejected[]
      expect(rejected.map((r) => r.id).sort()).toEqual([forgedSig.id, badId.id, foreign.id, wrongKind.id, twoD.id].sort())
      for (const item of rejected) expect(item.reason).toMatch(/^invalid: /)
      expect(rejected.find((r) => r.id === foreign.id)).toMatchObject({ pubkey: getPublicKey(other), reason: expect.stringContaining('author') })
      expect(rejected.find((r) => r.id === twoD.id)?.reason).toContain('exactly one `d` tag')
      expect(got.stderr).toMatch(/WARNING: ignored 5 event\(s\) from the relay/)

      // the persona read asked the relay for the owner's events only
      const reqs = scripted.received.filter((frame) => frame[0] === 'REQ')
      for (const req of reqs) for (const filter of req.slice(2) as Array<{ authors?: string[] }>) expect(filter.authors).toEqual([owner.pubkey])

      // nothing bad reached the store: offline, the store answers with the valid version alone
      const offline = await owner.run('get', 'scout', '--json', '--relay', '')
      expect(offline.json()).toMatchObject({ id: valid.id, source: 'store' })
      // the same slug under another key is another persona
      const theirs = await owner.run('get', 'scout', '--author', getPublicKey(other), '--json')
      expect(theirs.code).toBe(0)
      expect(theirs.json()).toMatchObject({ id: foreign.id, pubkey: getPublicKey(other) })
    },
  )

  test(
    "a listing drops the owner's events with ungrammatical slugs or several d tags and lists them as rejected",
    covers('AP-SLUG-4', 'AP-ENV-4', 'AP-READ-4'),
    async () => {
      const hostile: NostrEvent[] = []
      const scripted = await relay({ serve: () => hostile })
      const owner = await home(scripted.url)
      const now = nowSeconds()
      const good = signPersona(owner.secretKey, 'good', body, now - 5)
      const badSlug = signPersona(owner.secretKey, 'Bad Slug', body, now - 5)
      const tooLong = signPersona(owner.secretKey, 'a'.repeat(65), body, now - 5)
      const emptyD = signPersona(owner.secretKey, '', body, now - 5, [['d', '']])
      const twoD = signPersona(owner.secretKey, 'x', body, now - 5, [['d', 'x'], ['d', 'y']])
      const noD = signPersona(owner.secretKey, 'z', body, now - 5, [['d']])
      hostile.push(good, badSlug, tooLong, emptyD, twoD, noD)
      const listed = await owner.run('ls', '--json')
      expect(listed.code).toBe(0)
      const document = listed.json()
      expect((document.personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['good'])
      const rejected = document.rejected_events as Rejected[]
      expect(rejected.map((r) => r.id).sort()).toEqual([badSlug.id, tooLong.id, emptyD.id, twoD.id, noD.id].sort())
      expect(rejected.find((r) => r.id === badSlug.id)?.reason).toBe('invalid: persona event `d` tag must start with a lowercase letter or digit')
      const offline = await owner.run('ls', '--json', '--relay', '')
      expect((offline.json().personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['good'])
    },
  )

  test(
    'the slug comes from the single valued d tag; other tags (a valueless d, p, alt, h) change nothing, and an h tag scopes nothing',
    covers('AP-ENV-4', 'AP-SCOPE-4'),
    async () => {
      const hostile: NostrEvent[] = []
      const scripted = await relay({ serve: () => hostile })
      const owner = await home(scripted.url)
      const now = nowSeconds()
      const tagged = signPersona(owner.secretKey, 'tagged', body, now - 5, [
        ['d'],
        ['d', 'tagged', 'extra'],
        ['p', getPublicKey(generateSecretKey())],
        ['alt', 'agent persona definition'],
        ['h', 'some-channel'],
      ])
      hostile.push(tagged)
      const got = await owner.run('get', 'tagged', '--json')
      expect(got.code).toBe(0)
      expect(got.json()).toMatchObject({ slug: 'tagged', id: tagged.id, version: hashPersonaContentText(JSON.stringify(body)), rejected_events: [] })
      expect(got.json()).not.toHaveProperty('channel')
    },
  )

  test(
    'an invalid body at the head makes the persona invalid: no fall back to the older valid version, and drift says why',
    covers('AP-READ-5', 'AP-HASH-2', 'AP-AGENT-7', 'AP-AGENT-8', 'AP-BODY-4'),
    async () => {
      const hostile: NostrEvent[] = []
      const scripted = await relay({ serve: () => hostile })
      const owner = await home(scripted.url)
      expect((await owner.run('publish', 'scout', '--display-name', 'Scout', '--system-prompt', 'Look around.')).code).toBe(0)
      expect((await owner.run('agent', 'create', 'a1', '--persona', 'scout')).code).toBe(0)
      const broken = finalizeEvent({ kind: PersonaKind, created_at: nowSeconds() + 5, tags: [['d', 'scout']], content: '{"display_name": "Scout",' }, owner.secretKey)
      hostile.push(broken)

      const got = await owner.run('get', 'scout', '--json')
      expect(got.code).toBe(3)
      expect(got.json()).toMatchObject({ ok: false, id: broken.id, error: 'invalid: persona content is not valid JSON' })
      const status = await owner.run('agent', 'status', 'a1', '--json')
      const agent = (status.json().agents as Array<Record<string, unknown>>)[0]
      expect(agent).toMatchObject({
        drift: 'orphaned',
        live: { status: 'gone', reason: 'unreadable', message: expect.stringContaining('invalid: persona content is not valid JSON') },
      })
      const respawn = await owner.run('agent', 'respawn', 'a1')
      expect(respawn.code).toBe(3)
      expect(respawn.stderr).toContain('not valid JSON')
      // offline the store still holds the invalid head, not the older version
      const offline = await owner.run('get', 'scout', '--json', '--relay', '')
      expect(offline.json()).toMatchObject({ id: broken.id, ok: false })
    },
  )

  test(
    'two relays that disagree: whichever answers first, the head is the newest valid version either served',
    covers('AP-READ-3', 'AP-STORE-2'),
    async () => {
      const sk = generateSecretKey()
      const now = nowSeconds()
      const v1 = signPersona(sk, 'scout', body, now - 20)
      const v2 = signPersona(sk, 'scout', { ...body, system_prompt: 'Newer.' }, now - 10)
      const forgedV3 = { ...signPersona(sk, 'scout', { ...body, system_prompt: 'Forged.' }, now - 1), sig: v1.sig }
      const ahead = await relay({ onlyServe: true, serve: () => [v2] })
      const behind = await relay({ onlyServe: true, serve: () => [v1, forgedV3] })
      for (const order of [
        [behind, ahead, behind],
        [ahead, behind],
      ]) {
        const reader = await home(null)
        let last: Record<string, unknown> = {}
        for (const r of order) {
          const got = await reader.run('get', 'scout', '--author', getPublicKey(sk), '--relay', r.url, '--json')
          expect(got.code).toBe(0)
          last = got.json()
        }
        expect(last).toMatchObject({ id: v2.id })
      }
    },
  )

  test(
    "a deletion naming the head by id deletes the persona; an older version from another relay does not bring it back",
    covers('AP-DEL-9', 'AP-STORE-4'),
    async () => {
      const sk = generateSecretKey()
      const now = nowSeconds()
      const older = signPersona(sk, 'scout', body, now - 30)
      const head = signPersona(sk, 'scout', { ...body, system_prompt: 'Head.' }, now - 20)
      const byId = finalizeEvent({ kind: DeletionKind, created_at: now - 10, tags: [['e', head.id], ['k', String(PersonaKind)]], content: '' }, sk)
      const first = await relay({ onlyServe: true, serve: () => [head, byId] })
      const second = await relay({ onlyServe: true, serve: () => [older] })
      const reader = await home(null)
      const author = getPublicKey(sk)
      const deleted = await reader.run('get', 'scout', '--author', author, '--relay', first.url)
      expect(deleted.code).toBe(4)
      expect(deleted.stderr).toContain(`was deleted (${byId.id}`)
      const still = await reader.run('get', 'scout', '--author', author, '--relay', second.url)
      expect(still.code).toBe(4)
      expect(still.stderr).toContain('was deleted')
    },
  )
})
