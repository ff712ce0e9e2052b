import { control, relayCase } from '../../harness/src/authoring.ts'
import { publishJudged, windowOf } from '../lib/clock.ts'

const at = (offset: number) => `now${offset >= 0 ? '+' : ''}${offset}s`

relayCase(
  {
    id: 'clock-skew.beyond-refused',
    title: 'events the relay refuses for a created_at beyond its advertised window carry the invalid: prefix',
    requirements: ['AP-SKEW-1'],
    level: 'SHOULD',
    profile: 'core',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const m = c.clockMargin() + 1
    const offsets = [-window.lower - m, window.upper + m, -window.lower - 86_400 * 400, window.upper + 86_400 * 2]
    let refused = 0
    for (const offset of offsets) {
      const label = `${at(offset)} (window -${window.lower}/+${window.upper})`
      const judged = await publishJudged(c, ws, offset, window, (createdAt) => c.persona({ created_at: createdAt }))
      // Accepting is the relay's business (NIP-11 limits are not promises); the form of a refusal is judged.
      if (judged.reply.accepted) continue
      refused += 1
      c.should(judged.reply.prefix === 'invalid', `a persona at ${label} was refused with ${JSON.stringify(judged.reply.message)}, not with the invalid: prefix`)
    }
    control(refused > 0, `the relay refused none of the personas beyond its advertised window, so no refusal could be judged`)
  },
)
