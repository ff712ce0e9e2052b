import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { nsecEncode } from 'nostr-tools/nip19'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRelay } from '../../reference-relay/src/index.ts'
import { fetchPersona } from './fetch.ts'
import { openRelay } from './relay.ts'
import { runCli } from './testing/helpers.ts'
import { covers } from './testing/covers.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

type Relay = Awaited<ReturnType<typeof startRelay>>

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function relayHead(url: string, pubkey: string, slug: string) {
  const opened = await openRelay(url)
  if (!opened.ok) throw new Error(opened.message)
  try {
    return await fetchPersona(opened.relay, pubkey, slug)
  } finally {
    await opened.relay.close()
  }
}

describe('persona CLI (in-process) against the reference relay', () => {
  let relay: Relay
  const scratch = scratchDirs('persona-cli-')
  beforeAll(async () => {
    relay = await startRelay({ port: 0 })
  })
  afterAll(async () => {
    await relay.close()
  })
  function newHome(relayUrl: string | null = relay.url): { home: string; dir: string; env: Record<string, string | undefined> } {
    const dir = scratch()
    const home = join(dir, 'home')
    return { home, dir, env: { PATH: process.env.PATH, PERSONA_HOME: home, PERSONA_RELAY: relayUrl ?? undefined } }
  }

  async function withKey(env: Record<string, string | undefined>): Promise<string> {
    const generated = await runCli(['key', 'generate', '--json'], env)
    expect(generated.code).toBe(0)
    return generated.json().pubkey as string
  }

  describe('help and usage', () => {
    test('every command has --help with the exit code table', async () => {
      const { env } = newHome()
      const overview = await runCli(['--help'], env)
      expect(overview.code).toBe(0)
      const commands = ['key generate', 'key show', 'key import', 'publish', 'get', 'ls', 'rm', 'sync', 'import-legacy', 'agent create', 'agent start', 'agent stop', 'agent restart', 'agent respawn', 'agent rm', 'agent ls', 'agent status']
      for (const command of commands) {
        expect(overview.stdout).toContain(command)
        const help = await runCli([...command.split(' '), '--help'], env)
        expect(help.code).toBe(0)
        expect(help.stdout).toContain('Usage: persona')
        expect(help.stdout).toContain('Exit codes:')
      }
    })

    test('usage errors exit 2 with a usage: message (JSON too)', async () => {
      const { env } = newHome()
      expect((await runCli([], env)).code).toBe(2)
      const unknown = await runCli(['frobnicate'], env)
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toMatch(/^usage: unknown command/)
      const missing = await runCli(['get', '--json'], env)
      expect(missing.code).toBe(2)
      expect(missing.json()).toMatchObject({ ok: false, exit_code: 2 })
      const badOption = await runCli(['ls', '--colour'], env)
      expect(badOption.code).toBe(2)
      expect((await runCli(['agent'], env)).code).toBe(2)
      expect((await runCli(['ls', '--transport', 'pigeon'], env)).code).toBe(2)
    })
  })

  describe('keys', () => {
    test('generate writes a 0600 key in a 0700 home; show prints the public key; a second generate is a conflict', covers('AP-SEC-5'), async () => {
      const { env, home } = newHome()
      const pubkey = await withKey(env)
      expect(statSync(home).mode & 0o777).toBe(0o700)
      expect(statSync(join(home, 'key')).mode & 0o777).toBe(0o600)
      const shown = await runCli(['key', 'show', '--json'], env)
      expect(shown.json()).toMatchObject({ ok: true, pubkey })
      expect(shown.stdout).not.toContain(readFileSync(join(home, 'key'), 'utf8').trim())
      expect((await runCli(['key', 'generate'], env)).code).toBe(8)
      const forced = await runCli(['key', 'generate', '--force', '--json'], env)
      expect(forced.code).toBe(0)
      expect(forced.json().pubkey).not.toBe(pubkey)
    })

    test('import takes hex or nsec, from stdin with -; garbage is invalid; no key is not found', async () => {
      const { env } = newHome()
      expect((await runCli(['key', 'show'], env)).code).toBe(4)
      const sk = generateSecretKey()
      const fromStdin = await runCli(['key', 'import', '-', '--json'], env, { stdin: `${bytesToHex(sk)}\n` })
      expect(fromStdin.code).toBe(0)
      expect(fromStdin.json().pubkey).toBe(getPublicKey(sk))
      const other = generateSecretKey()
      const nsec = await runCli(['key', 'import', nsecEncode(other), '--force', '--json'], env)
      expect(nsec.json().pubkey).toBe(getPublicKey(other))
      const garbage = await runCli(['key', 'import', 'not-a-key', '--force'], env)
      expect(garbage.code).toBe(3)
      expect(garbage.stderr).toMatch(/^invalid: /)
    })
  })

  describe('personas', () => {
    test('publish, get, ls and rm end to end; the relay holds what the CLI says', covers('AP-KIND-1', 'AP-DEL-1', 'AP-DEL-9'), async () => {
      const { env } = newHome()
      const pubkey = await withKey(env)
      const published = await runCli(
        ['publish', 'reviewer', '--display-name', 'Reviewer', '--system-prompt', 'Review code.', '--model', 'm1', '--provider', 'p1', '--runtime', 'goose', '--avatar-url', 'https://example.com/a.png', '--name-pool', 'Ann, Bo', '--json'],
        env,
      )
      expect(published.code).toBe(0)
      const doc = published.json()
      expect(doc).toMatchObject({ ok: true, slug: 'reviewer', sync: 'sent' })
      const onRelay = await relayHead(relay.url, pubkey, 'reviewer')
      expect(onRelay.status === 'found' && onRelay.event.id).toBe(doc.id)
      expect(onRelay.status === 'found' && onRelay.event.tags).toEqual([['d', 'reviewer']])

      const edited = await runCli(['publish', 'reviewer', '--display-name', 'Reviewer', '--system-prompt', 'Review code twice.', '--json'], env)
      expect(edited.json().created_at as number).toBeGreaterThan(doc.created_at as number)

      const got = await runCli(['get', 'reviewer', '--json'], env)
      expect(got.code).toBe(0)
      expect(got.json()).toMatchObject({ slug: 'reviewer', id: edited.json().id, source: 'relay', content: { system_prompt: 'Review code twice.', model: null, name_pool: [] } })
      const human = await runCli(['get', 'reviewer'], env)
      expect(human.stdout).toContain('system_prompt Review code twice.')

      await runCli(['publish', 'another', '--display-name', 'Another', '--system-prompt', 'x'], env)
      const listed = await runCli(['ls', '--json'], env)
      expect((listed.json().personas as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['another', 'reviewer'])

      const removed = await runCli(['rm', 'reviewer', '--json'], env)
      expect(removed.code).toBe(0)
      expect(removed.json()).toMatchObject({ ok: true, sync: 'sent' })
      expect(['deleted', 'missing']).toContain((await relayHead(relay.url, pubkey, 'reviewer')).status)
      const gone = await runCli(['get', 'reviewer'], env)
      expect(gone.code).toBe(4)
      expect(gone.stderr).toMatch(/^error: persona reviewer was deleted/)
      expect((await runCli(['rm', 'reviewer'], env)).code).toBe(4)
      expect((await runCli(['rm', 'never-was'], env)).code).toBe(4)

      // a later publish resurrects the slug
      const back = await runCli(['publish', 'reviewer', '--display-name', 'Back', '--system-prompt', 'Back again.', '--json'], env)
      expect(back.json()).toMatchObject({ ok: true, sync: 'sent' })
      expect((await relayHead(relay.url, pubkey, 'reviewer')).status).toBe('found')
    })

    test('another author is read with --author', covers('AP-KIND-2', 'AP-READ-2'), async () => {
      const alice = newHome()
      const bob = newHome()
      const alicePk = await withKey(alice.env)
      await withKey(bob.env)
      await runCli(['publish', 'shared', '--display-name', 'Alice', '--system-prompt', 'a'], alice.env)
      const read = await runCli(['get', 'shared', '--author', alicePk, '--json'], bob.env)
      expect(read.code).toBe(0)
      expect(read.json()).toMatchObject({ pubkey: alicePk, content: { display_name: 'Alice' } })
      expect((await runCli(['get', 'shared'], bob.env)).code).toBe(4)
      expect((await runCli(['ls', '--author', 'nobody'], bob.env)).code).toBe(3)
    })

    test('refusals: bad slug, env_vars in the body, missing fields, missing key', covers('AP-SLUG-1', 'AP-BODY-1', 'AP-BODY-2'), async () => {
      const { env, dir } = newHome()
      expect((await runCli(['publish', 'x', '--display-name', 'X', '--system-prompt', 'y'], env)).code).toBe(4)
      await withKey(env)
      const badSlug = await runCli(['publish', 'Bad Slug', '--display-name', 'X', '--system-prompt', 'y'], env)
      expect(badSlug.code).toBe(3)
      expect(badSlug.stderr).toContain('invalid: persona event `d` tag must start with a lowercase letter or digit')
      const file = join(dir, 'body.json')
      writeFileSync(file, JSON.stringify({ display_name: 'X', system_prompt: 'y', env_vars: { TOKEN: 'secret' } }))
      const secret = await runCli(['publish', 'x', '--file', file], env)
      expect(secret.code).toBe(3)
      expect(secret.stderr).toMatch(/^invalid: .*env_vars/)
      expect((await runCli(['publish', 'x', '--display-name', 'X'], env)).code).toBe(3)
      writeFileSync(file, JSON.stringify({ display_name: 'From file', system_prompt: 'file prompt', model: 'fm' }))
      const fromFile = await runCli(['publish', 'x', '--file', file, '--model', 'flag-model', '--json'], env)
      expect(fromFile.code).toBe(0)
      const got = await runCli(['get', 'x', '--json'], env)
      expect(got.json()).toMatchObject({ content: { display_name: 'From file', model: 'flag-model' } })
    })

    test("the writer refuses with blocked: (exit 5) when max(now, T+1) would leave the relay's window", covers('AP-WRITE-3', 'AP-SKEW-6'), async () => {
      const narrow = await startRelay({ port: 0, skewSeconds: 3 })
      try {
        const { env } = newHome(narrow.url)
        await withKey(env)
        const frozen = Date.now()
        const clock = () => frozen
        const codes: number[] = []
        let last = ''
        for (let i = 0; i < 5; i += 1) {
          const run = await runCli(['publish', 'burst', '--display-name', 'B', '--system-prompt', `v${i}`], env, { clock })
          codes.push(run.code)
          last = run.stderr
        }
        // T+1 climbs one second per write against a clock that does not move: 0,1,2,3 fit in a 3 s window, the fifth does not
        expect(codes).toEqual([0, 0, 0, 0, 5])
        expect(last).toMatch(/blocked: next version needs created_at/)
      } finally {
        await narrow.close()
      }
    })
  })

  describe('offline and sync', () => {
    test('offline create, then the relay comes up: the next command that reaches it drains the queue', covers('AP-STORE-5', 'AP-STORE-6', 'AP-STORE-7'), async () => {
      const port = await freePort()
      const url = `ws://127.0.0.1:${port}`
      const { env } = newHome(url)
      const pubkey = await withKey(env)
      const offline = await runCli(['publish', 'later', '--display-name', 'Later', '--system-prompt', 'Wait.', '--json'], env)
      expect(offline.code).toBe(0)
      expect(offline.json()).toMatchObject({ ok: true, sync: 'queued' })
      expect(offline.stderr).toContain('relay unreachable')
      const readOffline = await runCli(['get', 'later', '--json'], env)
      expect(readOffline.json()).toMatchObject({ source: 'store', pending_sync: true })

      const late = await startRelay({ port })
      try {
        const listed = await runCli(['ls', '--json'], env)
        expect(listed.stderr).toContain('synced 1 queued event(s)')
        expect((listed.json().personas as Array<{ pending_sync: boolean }>)[0]?.pending_sync).toBe(false)
        const onRelay = await relayHead(late.url, pubkey, 'later')
        expect(onRelay.status === 'found' && onRelay.event.id).toBe(offline.json().id)
      } finally {
        await late.close()
      }
    })

    test('persona sync: exit 6 while the relay is down, then everything is sent despite the backoff', covers('AP-STORE-7'), async () => {
      const port = await freePort()
      const url = `ws://127.0.0.1:${port}`
      const { env } = newHome(url)
      const pubkey = await withKey(env)
      await runCli(['publish', 'one', '--display-name', 'One', '--system-prompt', '1'], env)
      await runCli(['publish', 'two', '--display-name', 'Two', '--system-prompt', '2'], env)
      const down = await runCli(['sync', '--json'], env)
      expect(down.code).toBe(6)
      expect(down.json()).toMatchObject({ ok: false, exit_code: 6, pending: 2 })

      const late = await startRelay({ port })
      try {
        const up = await runCli(['sync', '--json'], env)
        expect(up.code).toBe(0)
        const report = up.json()
        expect((report.sent as unknown[]).length).toBe(2)
        expect(report.remaining).toEqual({ pending: 0, failed: 0 })
        expect((await relayHead(late.url, pubkey, 'one')).status).toBe('found')
        expect((await relayHead(late.url, pubkey, 'two')).status).toBe('found')
        const again = await runCli(['sync', '--json'], env)
        expect((again.json().sent as unknown[]).length).toBe(0)
      } finally {
        await late.close()
      }
    })

    test('sync without a relay configured is a usage error; reads still work offline', covers('AP-STORE-5'), async () => {
      const { env } = newHome(null)
      await withKey(env)
      expect((await runCli(['sync'], env)).code).toBe(2)
      expect((await runCli(['publish', 'solo', '--display-name', 'S', '--system-prompt', 's'], env)).code).toBe(0)
      const got = await runCli(['get', 'solo', '--json'], env)
      expect(got.json()).toMatchObject({ source: 'store', pending_sync: true })
    })
  })

  describe('import-legacy', () => {
    const records = [
      { id: 'planner', display_name: 'Planner', system_prompt: 'Plan.', model: 'm', env_vars: { PLAN_TOKEN: 'tok-123' } },
      { id: 'builtin-one', display_name: 'Builtin', system_prompt: 'b', is_builtin: true },
      { id: 'coder', display_name: 'Coder', system_prompt: 'Code.', name_pool: ['Ada'] },
    ]

    test('migrates, publishes, keeps env vars local; a second run changes nothing', covers('AP-STORE-10', 'AP-STORE-11', 'AP-STORE-12', 'AP-SEC-2'), async () => {
      const { env, dir } = newHome()
      const pubkey = await withKey(env)
      const file = join(dir, 'personas.json')
      writeFileSync(file, JSON.stringify(records))
      const first = await runCli(['import-legacy', file, '--json'], env)
      expect(first.code).toBe(0)
      expect(first.json()).toMatchObject({ ok: true, skipped_builtin: ['builtin-one'], already_migrated: false, errors: [], sync: { pending: 0 } })
      expect((first.json().imported as Array<{ slug: string }>).map((i) => i.slug)).toEqual(['planner', 'coder'])
      const onRelay = await relayHead(relay.url, pubkey, 'planner')
      expect(onRelay.status).toBe('found')
      expect(onRelay.status === 'found' && onRelay.event.content).not.toContain('tok-123')
      const got = await runCli(['get', 'planner', '--json'], env)
      expect(got.json().env_var_names).toEqual(['PLAN_TOKEN'])
      expect(got.stdout).not.toContain('tok-123')

      const second = await runCli(['import-legacy', file, '--json'], env)
      expect(second.code).toBe(0)
      expect(second.json()).toMatchObject({ imported: [], already_migrated: true })
    })

    test('invalid records are refused one by one (exit 7); nothing valid is exit 3; a missing file is exit 4', covers('AP-STORE-13'), async () => {
      const { env, dir } = newHome()
      await withKey(env)
      const file = join(dir, 'personas.json')
      writeFileSync(file, JSON.stringify([...records, { id: 'Bad!', display_name: 'x', system_prompt: 'y' }]))
      const partial = await runCli(['import-legacy', file, '--json'], env)
      expect(partial.code).toBe(7)
      expect((partial.json().errors as unknown[]).length).toBe(1)
      expect(partial.stderr).toContain('WARNING: record 3 (Bad!) refused: invalid:')
      writeFileSync(file, JSON.stringify([{ id: 'Bad!', display_name: 'x', system_prompt: 'y' }]))
      expect((await runCli(['import-legacy', file], env)).code).toBe(3)
      writeFileSync(file, '{"not": "an array"}')
      expect((await runCli(['import-legacy', file], env)).code).toBe(3)
      expect((await runCli(['import-legacy', join(dir, 'nope.json')], env)).code).toBe(4)
    })
  })

  describe('HTTP bridge transport', () => {
    test('publish and get with --transport http (NIP-98) when the bridge is mounted', async (ctx) => {
      const probe = await fetch(`${relay.httpUrl}/query`, { method: 'POST', body: '[]' })
      if (probe.status === 404) {
        ctx.skip('the reference relay does not mount the HTTP bridge yet (POST /query is 404)')
        return
      }
      const { env } = newHome(relay.httpUrl)
      const pubkey = await withKey(env)
      const published = await runCli(['publish', 'bridged', '--display-name', 'B', '--system-prompt', 'b', '--transport', 'http', '--json'], env)
      expect(published.json()).toMatchObject({ ok: true, sync: 'sent' })
      expect((await relayHead(relay.url, pubkey, 'bridged')).status).toBe('found')
      const got = await runCli(['get', 'bridged', '--transport', 'http', '--json'], env)
      expect(got.json()).toMatchObject({ source: 'relay', id: published.json().id })
    })
  })
})
