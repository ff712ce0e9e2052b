/**
 * The client against an origin-like relay (test-relays/origin: NIP-42 always on, the
 * origin's texts, `duplicate:` with nothing after the colon for a stale write, the HTTP
 * bridge with NIP-98), written blind to this client: publish, read, list, delete, resurrect,
 * a stale write from another device, and the bridge transport.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import { startTestRelay } from '../../test-relays/launch.ts'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome, nowSeconds, runCli, signPersona } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

type Running = Awaited<ReturnType<typeof startTestRelay>>

describe('against an origin-like relay (AUTH always on)', () => {
  let relay: Running
  const scratch = scratchDirs('persona-origin-relay-')
  beforeAll(async () => {
    relay = await startTestRelay({ relay: 'origin' })
  })
  afterAll(async () => {
    await relay.close()
  })

  const home = (url: string | null = relay.url): Promise<CliHome> => cliHome(url, scratch())

  const publishArgs = (slug: string, prompt: string) => ['publish', slug, '--display-name', 'Origin', '--system-prompt', prompt, '--json']

  test('publish, get, ls, rm and a resurrecting publish, each after answering the challenge with the owner key', covers('AP-DEL-1', 'AP-DEL-9', 'AP-WRITE-1'), async () => {
    const owner = await home()
    // control: without AUTH this relay refuses the write
    const raw = await Nip01Connection.open(relay.url)
    try {
      const refused = await raw.publish(signPersona(owner.secretKey, 'scout', { display_name: 'x', system_prompt: 'y' }, nowSeconds()))
      expect(refused).toMatchObject({ accepted: false, message: 'auth-required: not authenticated' })
    } finally {
      await raw.close()
    }
    const first = await owner.run(...publishArgs('scout', 'Look.'))
    expect(first.code, first.stderr).toBe(0)
    expect(first.json()).toMatchObject({ sync: 'sent' })
    const second = await owner.run(...publishArgs('scout', 'Look closer.'))
    expect(second.json()).toMatchObject({ sync: 'sent' })
    expect(second.json().created_at as number).toBeGreaterThan(first.json().created_at as number)

    // a fresh home (no local copy) reads what the relay holds
    const reader = await home()
    const got = await reader.run('get', 'scout', '--author', owner.pubkey, '--json')
    expect(got.code, got.stderr).toBe(0)
    expect(got.json()).toMatchObject({ source: 'relay', id: second.json().id, content: { system_prompt: 'Look closer.' }, rejected_events: [] })
    const listed = await reader.run('ls', '--author', owner.pubkey, '--json')
    expect((listed.json().personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['scout'])

    const removed = await owner.run('rm', 'scout', '--json')
    expect(removed.json()).toMatchObject({ ok: true, sync: 'sent' })
    const gone = await reader.run('get', 'scout', '--author', owner.pubkey)
    expect(gone.code).toBe(4)
    const back = await owner.run(...publishArgs('scout', 'Back.'))
    expect(back.json()).toMatchObject({ sync: 'sent' })
    expect(back.json().created_at as number).toBeGreaterThan(removed.json().created_at as number)
    const again = await reader.run('get', 'scout', '--author', owner.pubkey, '--json')
    expect(again.json()).toMatchObject({ id: back.json().id })
  })

  test('a version another device wrote offline, older than the head, is answered duplicate: and reported as not taken effect', covers('AP-WRITE-4', 'AP-STORE-7'), async () => {
    const laptop = await home()
    // the phone has the same key, no relay, and a clock 100 s behind
    const phone = await home(null)
    expect((await runCli(['key', 'import', '-', '--force'], phone.env, { stdin: Buffer.from(laptop.secretKey).toString('hex') })).code).toBe(0)
    const behind = () => Date.now() - 100_000
    const offline = await runCli(publishArgs('notes', 'From the phone.'), phone.env, { clock: behind })
    expect(offline.json()).toMatchObject({ sync: 'queued' })
    const head = await laptop.run(...publishArgs('notes', 'From the laptop.'))
    expect(head.json()).toMatchObject({ sync: 'sent' })

    const synced = await runCli(['sync', '--relay', relay.url, '--json'], phone.env, { clock: behind })
    expect(synced.code).toBe(7)
    expect(synced.json().duplicate).toEqual([expect.objectContaining({ id: offline.json().id, head: { id: head.json().id, created_at: head.json().created_at } })])
    expect((synced.json().duplicate as Array<{ message: string }>)[0]?.message).toMatch(/^duplicate: /)
    const local = await runCli(['get', 'notes', '--json'], phone.env)
    expect(local.json()).toMatchObject({ id: head.json().id, pending_sync: false })
  })

  test('the HTTP bridge transport (NIP-98) publishes and reads', async () => {
    const owner = await home(relay.httpUrl)
    const published = await owner.run('publish', 'bridged', '--display-name', 'B', '--system-prompt', 'b', '--transport', 'http', '--json')
    expect(published.code, published.stderr).toBe(0)
    expect(published.json()).toMatchObject({ sync: 'sent' })
    const got = await owner.run('get', 'bridged', '--transport', 'http', '--json', '--relay', relay.url)
    expect(got.json()).toMatchObject({ source: 'relay', id: published.json().id })
  })
})
