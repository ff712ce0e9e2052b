import { relayCase, violation } from '../../harness/src/authoring.ts'
import { publishJudged, windowOf } from '../lib/clock.ts'

const at = (offset: number) => `now${offset >= 0 ? '+' : ''}${offset}s`

relayCase(
  {
    id: 'clock-skew.inside-accepted',
    title: 'events inside the advertised window, past and future, are accepted (margins from the measured clock offset)',
    requirements: ['AP-SKEW-3'],
    level: 'MUST',
    profile: 'core',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const m = c.clockMargin() + 1
    const offsets = [-window.lower + m, -Math.floor(window.lower / 2), 0, Math.floor(window.upper / 2), window.upper - m]
    for (const offset of offsets) {
      if (offset < -window.lower + m || offset > window.upper - m) continue
      const judged = await publishJudged(c, ws, offset, window, (createdAt) => c.persona({ created_at: createdAt }))
      if (judged.verdict === 'refused-inside') {
        violation(`a persona at ${at(offset)}, inside the window -${window.lower}/+${window.upper}, was refused: ${JSON.stringify(judged.reply.message)}`)
      }
    }
  },
)

relayCase(
  {
    id: 'clock-skew.beyond-refused',
    title: 'events beyond the advertised window (just past the edges and far out) are refused with invalid:',
    requirements: ['AP-SKEW-1', 'AP-SKEW-2'],
    level: 'MUST',
    profile: 'core',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const m = c.clockMargin() + 1
    const offsets = [-window.lower - m, window.upper + m, -window.lower - 86_400 * 400, window.upper + 86_400 * 2]
    for (const offset of offsets) {
      const label = `${at(offset)} (window -${window.lower}/+${window.upper})`
      const judged = await publishJudged(c, ws, offset, window, (createdAt) => c.persona({ created_at: createdAt }))
      if (judged.reply.accepted) {
        c.should(judged.verdict !== 'accepted-outside', `a persona at ${label} was accepted: the relay does not enforce the window it advertises`)
        continue
      }
      if (judged.reply.prefix !== 'invalid') violation(`a persona at ${label} was refused without the invalid: prefix: ${JSON.stringify(judged.reply.message)}`)
    }
  },
)
