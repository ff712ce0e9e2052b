import { control, controlAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { nextWriteTimestamp } from '../../spec/model/clock.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { controlHead, expectHead } from '../lib/reads.ts'
import { windowOf } from '../lib/clock.ts'

relayCase(
  {
    id: 'clock-skew.write-rule-burst',
    title: 'a burst of edits timed by the write rule max(now, T+1), slightly in the future, ends with the last edit as head',
    requirements: ['AP-RELAY-1', 'AP-REPL-1', 'AP-REPL-2'],
    level: 'MUST',
    profile: 'core',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const slug = c.slug('burst')
    const margin = c.clockMargin()
    // The writer's view of the window, shrunk by the clock margin so its "ok" is safe for the relay too.
    const safe = { lower: Math.max(0, window.lower - margin), upper: Math.max(0, window.upper - margin) }
    let head: NostrEvent | undefined
    for (let i = 0; i < 6; i += 1) {
      const next = nextWriteTimestamp(c.now(), head?.created_at, safe)
      if (!next.ok) {
        control(i >= 2, `the advertised window is too narrow for a burst of edits: the write rule blocked after ${i} edits (${next.message})`)
        c.note(`write rule stopped the burst after ${i} edits: ${next.message}`)
        break
      }
      const version = c.persona({ slug, created_at: next.created_at, body: { display_name: `Edit ${i}`, system_prompt: String(i) } })
      // Refusing is within the relay's rights (an advertised window is not a promise); the head is judged.
      controlAccepted(await ws.publish(version), `edit ${i} at created_at ${next.created_at} (now ${c.now()})`)
      if (i === 0) await controlHead(ws, c.keys.pubkey, slug, version, 'the first edit')
      head = version
    }
    if (head === undefined) violation('no edit was published')
    await expectHead(ws, c.keys.pubkey, slug, head, 'the read after the burst')
  },
)
