/**
 * The client against the reference relay's origin mode (NIP-42 AUTH required on every
 * connection, one key per connection): publish, read from another home, delete, with a
 * no-AUTH control showing the relay really asks.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Nip01Connection } from '../../lib/nip01/connection.ts'
import { type RunningRelay, startRelay } from '../../reference-relay/src/index.ts'
import { covers } from './testing/covers.ts'
import { type CliHome, cliHome, nowSeconds, signPersona } from './testing/helpers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

describe("against the reference relay's origin mode (AUTH required)", () => {
  let relay: RunningRelay
  const scratch = scratchDirs('persona-origin-mode-')
  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, origin: true, verifier: 'main' })
  })
  afterAll(async () => {
    await relay.close()
  })

  const home = (): Promise<CliHome> => cliHome(relay.url, scratch())

  test('publish, get from a fresh home, ls and rm, each after answering the challenge with the owner key', covers('AP-WRITE-1', 'AP-DEL-1'), async () => {
    const owner = await home()
    // control: without AUTH the relay refuses the write and the read
    const raw = await Nip01Connection.open(relay.url)
    try {
      const refused = await raw.publish(signPersona(owner.secretKey, 'pilot', { display_name: 'x', system_prompt: 'y' }, nowSeconds()))
      expect(refused).toMatchObject({ accepted: false, message: 'auth-required: not authenticated' })
    } finally {
      await raw.close()
    }
    const published = await owner.run('publish', 'pilot', '--display-name', 'Pilot', '--system-prompt', 'Steer.', '--json')
    expect(published.code, published.stderr).toBe(0)
    expect(published.json()).toMatchObject({ sync: 'sent' })

    const reader = await home()
    const got = await reader.run('get', 'pilot', '--author', owner.pubkey, '--json')
    expect(got.code, got.stderr).toBe(0)
    expect(got.json()).toMatchObject({ source: 'relay', id: published.json().id, content: { system_prompt: 'Steer.' } })
    const listed = await reader.run('ls', '--author', owner.pubkey, '--json')
    expect((listed.json().personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['pilot'])

    const removed = await owner.run('rm', 'pilot', '--json')
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.json()).toMatchObject({ ok: true, sync: 'sent' })
    const gone = await reader.run('get', 'pilot', '--author', owner.pubkey)
    expect(gone.code).toBe(4)
  })
})
