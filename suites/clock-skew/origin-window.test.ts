import { relayCase, violation } from '../../harness/src/authoring.ts'
import { SkewRefusal } from '../../spec/model/clock.ts'
import { describeEdge, publishJudged, scanWindow } from '../lib/clock.ts'
import { originWindow } from '../lib/origin.ts'

relayCase(
  {
    id: 'clock-skew.origin-symmetric-window',
    title: 'an origin relay enforces a symmetric 900 s window (or the one --skew names): exactly 900 s accepted, 901 s refused, both ways',
    requirements: ['AP-SKEW-4'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    // The origin's window is fixed and not advertised: judge 900 s each way unless --skew says otherwise.
    const window = originWindow(c)
    const advertised = c.probe.clock.window
    if (advertised?.source === 'nip11' && (advertised.lower !== window.lower || advertised.upper !== window.upper)) {
      c.note(`NIP-11 advertises -${advertised.lower}/+${advertised.upper}; the origin profile judges -${window.lower}/+${window.upper}`)
    }
    const ws = await c.connect()
    const scan = await scanWindow(c, ws, window)
    const now = scan.estimatedNow
    if (scan.lower.kind !== 'found' || scan.upper.kind !== 'found') {
      violation(`expected both edges near ±${window.upper} s; past: ${describeEdge(scan.lower, now)}; future: ${describeEdge(scan.upper, now)}`)
    }
    const width = scan.upper.value - scan.lower.value
    if (width !== 2 * window.upper) {
      violation(`the relay accepts ${width + 1} consecutive created_at values; a ±${window.upper} s window accepts ${2 * window.upper + 1}`)
    }
    // Width 2w centred on the relay's now: exactly ±w accepted, ±(w+1) refused. The centre
    // must be a time the relay's clock could have read during the burst.
    const centre = scan.lower.value + window.lower
    if (centre < scan.nowMin - 1 || centre > scan.nowMax + 1) {
      violation(`the accepted range is centred on ${centre}, but the relay's clock read between ${scan.nowMin} and ${scan.nowMax}: the window is not symmetric around now`)
    }
  },
)

relayCase(
  {
    id: 'clock-skew.origin-refusal-text',
    title: 'an origin relay refuses out-of-window events with exactly invalid: event timestamp too far from server time',
    requirements: ['AP-SKEW-5', 'AP-SKEW-1'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const window = originWindow(c)
    const ws = await c.connect()
    const m = c.clockMargin() + 1
    for (const offset of [window.upper + m, -window.lower - m, window.upper + 86_400, -window.lower - 86_400 * 30]) {
      const label = `a persona at now${offset >= 0 ? '+' : ''}${offset}s`
      const judged = await publishJudged(c, ws, offset, window, (createdAt) => c.persona({ created_at: createdAt }))
      if (judged.reply.accepted) violation(`${label}, outside the window -${window.lower}/+${window.upper}, was accepted`)
      if (judged.reply.message !== SkewRefusal) violation(`${label}: expected ${JSON.stringify(SkewRefusal)}, got ${JSON.stringify(judged.reply.message)}`)
    }
  },
)
