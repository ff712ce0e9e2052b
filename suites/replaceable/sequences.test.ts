import { fc, propertyCase } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { selectHead } from '../../spec/model/head.ts'
import { versionSequence } from '../../spec/arbitraries/replacement.ts'
import { expectHead } from '../lib/reads.ts'

propertyCase(
  {
    id: 'replaceable.sequence-head',
    title: 'after any sequence of versions of one address (ties, stale and out-of-order arrivals) the head is the spec/model head',
    requirements: ['AP-REPL-1', 'AP-REPL-2', 'AP-REPL-3'],
    level: 'MUST',
    profile: 'core',
  },
  [versionSequence],
  async (c, steps) => {
    const ws = await c.connect()
    const slug = c.slug('seq')
    const base = c.now() - 60
    const published: NostrEvent[] = []
    for (const [i, step] of steps.entries()) {
      const version = c.persona({ slug, created_at: base + step.offset, body: { display_name: `Version ${i}`, system_prompt: String(i) } })
      await ws.publish(version)
      published.push(version)
    }
    const head = selectHead(published) as NostrEvent
    await expectHead(ws, c.keys.pubkey, slug, head, `after versions at offsets ${fc.stringify(steps.map((s) => s.offset))}`)
  },
  { numRuns: 12 },
)
