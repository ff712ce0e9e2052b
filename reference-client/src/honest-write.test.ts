/**
 * Write results the client reports honestly: `sent` only when the version is the relay's
 * head, `duplicate` (with the head that won) when it is not, `queued` while it waits; NIP-42
 * AUTH answered with the owner key; `auth-required:` retried; the relay's clock window and
 * message size respected before anything is signed or sent.
 */

import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterEach, describe, expect, test } from 'vitest'
import type { NostrEvent } from '../../spec/model/event.ts'
import { RelayAuthKind } from '../../spec/model/kinds.ts'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome, nowSeconds, signPersona } from './testing/helpers.ts'
import { type ScriptedRelay, type ScriptedRelayOptions, startScriptedRelay } from './testing/scripted-relay.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const body = { display_name: 'Writer', system_prompt: 'Write.' }
const publishArgs = (slug: string, prompt = 'Write.') => ['publish', slug, '--display-name', 'Writer', '--system-prompt', prompt, '--json']

describe('publishing against scripted relays', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function relay(options: ScriptedRelayOptions = {}): Promise<ScriptedRelay> {
    const started = await startScriptedRelay(options)
    cleanups.push(() => started.close())
    return started
  }

  const scratch = scratchDirs('persona-honest-write-')
  const home = (url: string | null): Promise<CliHome> => cliHome(url, scratch())

  for (const answer of ['duplicate:', 'duplicate: have a newer version']) {
    test(
      `a write answered ${JSON.stringify(answer)} that did not become the head is reported as duplicate, with the head that won`,
      covers('AP-WRITE-4', 'AP-STORE-7'),
      async () => {
        let pending: NostrEvent | undefined
        let winner: NostrEvent | undefined
        const scripted = await relay({
          onlyServe: true,
          serve: () => (winner ? [winner] : []),
          onEvent: () => {
            // the relay reveals the version another device of the owner wrote only after our write
            winner = pending
            return { accepted: true, message: answer, store: false }
          },
        })
        const owner = await home(scripted.url)
        pending = signPersona(owner.secretKey, 'essay', { ...body, system_prompt: 'From the laptop.' }, nowSeconds() + 5)
        const published = await owner.run(...publishArgs('essay'))
        expect(published.code).toBe(8)
        expect(published.json()).toMatchObject({ ok: false, sync: 'duplicate', head: { id: pending.id, created_at: pending.created_at } })
        expect(published.stderr).toContain('did not become the head')
        // the queue is empty (the relay answered) and the store now holds the head that won
        const offline = await owner.run('get', 'essay', '--json', '--relay', '')
        expect(offline.json()).toMatchObject({ id: pending.id, pending_sync: false })
      },
    )
  }

  test('a duplicate answer for a version that is the head afterwards (a re-send) is reported as sent', covers('AP-WRITE-4'), async () => {
    const scripted = await relay({ onEvent: (event) => ({ accepted: true, message: 'duplicate: already have it', store: !scripted.stored.some((e) => e.id === event.id) }) })
    const owner = await home(scripted.url)
    const published = await owner.run(...publishArgs('again'))
    expect(published.code).toBe(0)
    expect(published.json()).toMatchObject({ ok: true, sync: 'sent' })
  })

  test('against a relay that requires NIP-42 AUTH the client answers the challenge with the owner key, then writes and reads', async () => {
    const scripted = await relay({ requireAuth: true })
    const owner = await home(scripted.url)
    const published = await owner.run(...publishArgs('guarded'))
    expect(published.code).toBe(0)
    expect(published.json()).toMatchObject({ ok: true, sync: 'sent' })
    expect(scripted.authenticated).toContain(owner.pubkey)
    const auth = scripted.received.find((frame) => frame[0] === 'AUTH')?.[1] as NostrEvent
    expect(auth).toMatchObject({ kind: RelayAuthKind, pubkey: owner.pubkey })
    expect(auth.tags).toContainEqual(['relay', scripted.url])
    const got = await owner.run('get', 'guarded', '--json')
    expect(got.json()).toMatchObject({ source: 'relay', id: published.json().id })
    // reading another author's personas works on a connection authenticated as the owner
    const other = generateSecretKey()
    scripted.stored.push(signPersona(other, 'theirs', body, nowSeconds()))
    const theirs = await owner.run('get', 'theirs', '--author', getPublicKey(other), '--json')
    expect(theirs.code).toBe(0)
    expect(theirs.json()).toMatchObject({ source: 'relay' })
  })

  test('an auth-required: refusal is retried later, not failed for good', covers('AP-STORE-7', 'AP-STORE-9'), async () => {
    let refusals = 1
    const scripted = await relay({
      onEvent: () => {
        if (refusals === 0) return undefined
        refusals -= 1
        return { accepted: false, message: 'auth-required: the relay wants another try' }
      },
    })
    const owner = await home(scripted.url)
    const published = await owner.run(...publishArgs('later'))
    expect(published.code).toBe(0)
    expect(published.json()).toMatchObject({ sync: 'queued', relay_message: 'auth-required: the relay wants another try' })
    const synced = await owner.run('sync', '--json')
    expect(synced.code).toBe(0)
    expect((synced.json().sent as Array<{ id: string }>).map((s) => s.id)).toEqual([published.json().id])
  })

  test('a relay that advertises no window: the writer assumes 900 s and refuses a version that would lie beyond it', covers('AP-SKEW-7', 'AP-WRITE-3', 'AP-WRITE-1', 'AP-WRITE-2'), async () => {
    let head: NostrEvent | undefined
    const scripted = await relay({ nip11: { name: 'no limits' }, serve: () => (head ? [head] : []) })
    const owner = await home(scripted.url)
    head = signPersona(owner.secretKey, 'future', body, nowSeconds() + 1000)
    const refused = await owner.run(...publishArgs('future'))
    expect(refused.code).toBe(5)
    expect(refused.json().error).toMatch(/^blocked: .*900s window; wait \d+s/)
    expect(scripted.received.some((frame) => frame[0] === 'EVENT')).toBe(false)
    // within the assumed window the write goes through with created_at = T + 1
    head = signPersona(owner.secretKey, 'soon', body, nowSeconds() + 100)
    const accepted = await owner.run(...publishArgs('soon'))
    expect(accepted.code).toBe(0)
    expect(accepted.json().created_at).toBe(head.created_at + 1)
  })

  test("an EVENT message larger than the relay's max_message_length is refused before it is signed into the store or sent", covers('AP-WRITE-5'), async () => {
    const scripted = await relay({ nip11: { name: 'small', limitation: { max_message_length: 1000 } } })
    const owner = await home(scripted.url)
    const refused = await owner.run(...publishArgs('big', 'x'.repeat(1200)))
    expect(refused.code).toBe(5)
    expect(refused.json().error).toMatch(/^blocked: the EVENT message is \d+ bytes; the relay accepts at most 1000 \(NIP-11 max_message_length\)/)
    expect(scripted.received.some((frame) => frame[0] === 'EVENT')).toBe(false)
    const offline = await owner.run('ls', '--json', '--relay', '')
    expect(offline.json().personas).toEqual([])
    // a message that fits is sent
    expect((await owner.run(...publishArgs('small', 'short'))).code).toBe(0)
  })
})
