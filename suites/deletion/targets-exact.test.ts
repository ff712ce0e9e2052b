import { controlAccepted, expectAccepted, fc, propertyCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { formatAddress } from '../../spec/model/head.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { deletionTargetScenario } from '../../spec/arbitraries/negative-space.ts'
import { controlDeletionHonoured, publishDeletionOf } from '../lib/deletion.ts'
import { controlHead, describeEvent, readHead, readSettled } from '../lib/reads.ts'
import { slugVariants } from '../lib/variants.ts'

propertyCase(
  {
    id: 'deletion.targets-exact',
    title: 'a deletion removes every persona it names (each a and e tag; one deletion each where the relay refuses several targets) and nothing else: not a slug that extends or prefixes a named one, not another author\'s persona at a named slug, not a persona named only with another kind',
    requirements: ['AP-DEL-10', 'AP-DEL-3', 'AP-DEL-4'],
    level: 'MUST',
    profile: 'core',
  },
  [deletionTargetScenario],
  async (c, scenario) => {
    const ws = await c.connect()
    await controlDeletionHonoured(c, ws)
    const owner = c.keys
    const other = c.freshKeys()
    const variants = slugVariants(c.slug('target')).slice(0, 5)
    const t = c.now() - 30
    const mine = variants.map((slug) => c.persona({ slug, created_at: t }))
    const theirs = c.persona({ slug: variants[0] as string, created_at: t, keys: other })
    for (const persona of [...mine, theirs]) expectAccepted(await ws.publish(persona), `the persona ${describeEvent(persona)}`)
    for (const [v, persona] of mine.entries()) await controlHead(ws, owner.pubkey, variants[v] as string, persona, `the persona at ${variants[v]}`)
    await controlHead(ws, other.pubkey, variants[0] as string, theirs, 'the other author\'s persona at the base slug')

    const tags: string[][] = []
    for (const { variant, form } of scenario.targets) {
      tags.push(form === 'a' ? ['a', formatAddress(PersonaKind, owner.pubkey, variants[variant] as string)] : ['e', (mine[variant] as NostrEvent).id])
    }
    for (const variant of scenario.otherKind) tags.push(['a', formatAddress(30176, owner.pubkey, variants[variant] as string)])
    await publishDeletionOf(c, ws, tags, t + 10, `the owner's deletion ${fc.stringify(tags)}`, controlAccepted)

    const named = new Set(scenario.targets.map((target) => target.variant))
    const what = `after the deletion ${fc.stringify(scenario)}`
    // NIP-01 keeps every persona no deletion names (MUST).
    for (const [v, persona] of mine.entries()) {
      if (named.has(v)) continue
      const head = await readSettled(() => readHead(ws, owner.pubkey, variants[v] as string), (answer) => answer?.id === persona.id)
      if (head?.id !== persona.id) violation(`${what}: the persona at ${variants[v]}, which it does not name, is gone (read gives ${describeEvent(head)})`)
    }
    const kept = await readSettled(() => readHead(ws, other.pubkey, variants[0] as string), (answer) => answer?.id === theirs.id)
    if (kept?.id !== theirs.id) violation(`${what}: the other author's persona at ${variants[0]} is gone (read gives ${describeEvent(kept)})`)
    // NIP-09 removes what it names (SHOULD).
    for (const { variant, form } of scenario.targets) {
      const head = await readSettled(() => readHead(ws, owner.pubkey, variants[variant] as string), (answer) => answer === undefined)
      c.should(head === undefined, `${what}: the persona at ${variants[variant]}, named by its ${form} tag, is still served (${describeEvent(head)})`)
    }
  },
  { numRuns: 8 },
)
