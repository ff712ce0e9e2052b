import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { addressOf } from '../../spec/model/head.ts'
import { controlHead, describeIds, expectHead, readAddress, readSettled, readStored } from '../lib/reads.ts'

relayCase(
  {
    id: 'replaceable.newer-replaces-older',
    title: 'an accepted persona is stored and served as the head of its address, and a newer version replaces it',
    requirements: ['AP-REPL-1', 'AP-REPL-2', 'AP-RELAY-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const older = c.persona({ slug, created_at: now - 10 })
    const newer = c.persona({ slug, created_at: now - 5, body: { display_name: 'Newer', system_prompt: 'v2' } })
    expectAccepted(await ws.publish(older), 'the first version')
    // This case owns storage (NIP-01: the latest version of an address MUST be stored):
    // a relay that acknowledges a persona and never serves it fails here, and only here.
    await expectHead(ws, c.keys.pubkey, slug, older, 'the read after the first version')
    expectAccepted(await ws.publish(newer), 'the newer version')
    await expectHead(ws, c.keys.pubkey, slug, newer, 'the read after the newer version')
  },
)

relayCase(
  {
    id: 'replaceable.read-returns-only-head',
    title: 'reads of a replaced persona (by address and by author) return only the head',
    requirements: ['AP-READ-1'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const now = c.now()
    const older = c.persona({ slug, created_at: now - 10 })
    const newer = c.persona({ slug, created_at: now - 5 })
    expectAccepted(await ws.publish(older), 'the first version')
    expectAccepted(await ws.publish(newer), 'the newer version')
    await controlHead(ws, c.keys.pubkey, slug, newer, 'the newer version')
    const byAddress = await readSettled(
      () => readAddress(ws, c.keys.pubkey, slug),
      (answer) => answer.length === 1,
    )
    if (byAddress.length !== 1 || byAddress[0]?.id !== newer.id) {
      violation(`the read of the address returned ${describeIds(byAddress)}, expected only the head ${describeIds([newer])}`)
    }
    const byAuthor = await readStored(ws, [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 'the list read')
    const addresses = byAuthor.map((e) => addressOf(e))
    if (new Set(addresses).size !== addresses.length) {
      violation(`the list read of the owner returned more than one version of an address: ${describeIds(byAuthor)}`)
    }
  },
)
