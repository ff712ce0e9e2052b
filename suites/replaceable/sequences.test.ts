import { fc, propertyCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { selectHead } from '../../spec/model/head.ts'
import { arrangeTies, versionSequence } from '../../spec/arbitraries/replacement.ts'
import { controlHead, describeEvent, readHead, readSettled } from '../lib/reads.ts'

propertyCase(
  {
    id: 'replaceable.sequence-head',
    title: 'after any sequence of versions of one address (stale, tied and out-of-order arrivals) the head has the greatest created_at, and on a tie the lowest id',
    requirements: ['AP-REPL-1', 'AP-REPL-2', 'AP-REPL-3', 'AP-REPL-6'],
    level: 'MUST',
    profile: 'core',
  },
  [versionSequence],
  async (c, steps) => {
    const ws = await c.connect()
    const slug = c.slug('seq')
    const base = c.now() - 60
    const signed = steps.map((step, i) => c.persona({ slug, created_at: base + step.offset, body: { display_name: `Version ${i}`, system_prompt: String(i) } }))
    // Each tie arrives in the id order the generator chose, not in the order of random ids.
    const published = arrangeTies(steps, signed, (step) => base + step.offset)
    for (const [i, version] of published.entries()) {
      await ws.publish(version) // any OK: a stale or tie-losing write may be refused
      if (i === 0) await controlHead(ws, c.keys.pubkey, slug, version, 'the first version')
    }
    const expected = selectHead(published) as NostrEvent
    const what = `after versions at offsets ${fc.stringify(steps.map((s) => s.offset))} (id ranks within ties ${fc.stringify(steps.map((s) => s.idRank))})`
    const head = await readSettled(
      () => readHead(ws, c.keys.pubkey, slug),
      (answer) => answer?.id === expected.id,
    )
    // NIP-01: the latest version MUST be stored; among equal created_at the lowest id SHOULD be.
    if (head === undefined || head.created_at !== expected.created_at) {
      violation(`${what}: the head has the greatest created_at ${expected.created_at}, the relay's answer gives ${describeEvent(head)}`)
    }
    c.should(head.id === expected.id, `${what}: on the tie at created_at ${expected.created_at} the lowest id ${describeEvent(expected)} should be the head, the relay's answer gives ${describeEvent(head)}`)
  },
  {
    numRuns: 12,
    // A tie at the head's created_at with the lowest id neither first nor last: a relay
    // keeping the first arrival and one keeping the last both keep another version.
    examples: [[[{ offset: 3, idRank: 1 }, { offset: 3, idRank: 0 }, { offset: 1, idRank: 0 }, { offset: 3, idRank: 2 }]]],
  },
)
