import { expectRefused, relayCase, violation } from '../../harness/src/authoring.ts'
import { DefaultSkewSeconds, SkewRefusal } from '../../spec/model/clock.ts'
import { describeEdge, scanWindow, windowOf } from '../lib/clock.ts'

relayCase(
  {
    id: 'clock-skew.origin-symmetric-window',
    title: 'an origin relay enforces a symmetric 900 s window (or the configured one): exactly 900 s accepted, 901 s refused, both ways',
    requirements: ['AP-SKEW-4'],
    level: 'MUST',
    profile: 'origin',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const configured = window.source === 'option'
    if (!configured && (window.lower !== DefaultSkewSeconds || window.upper !== DefaultSkewSeconds)) {
      violation(`NIP-11 advertises -${window.lower}/+${window.upper}; an origin relay's default window is ${DefaultSkewSeconds} s each way (pass --skew if it is configured otherwise)`)
    }
    if (window.lower !== window.upper) violation(`the window -${window.lower}/+${window.upper} is not symmetric`)
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
    const relayNow = scan.lower.value + window.lower
    if (Math.abs(relayNow - now) > c.clockMargin() + 1) {
      violation(`the accepted range is centred on ${relayNow}, the relay's clock reads about ${now}: the window is not symmetric around now`)
    }
    // Width 2w and centred on the relay's now: exactly ±w accepted, ±(w+1) refused. (A later
    // publish "exactly at the edge" would need the relay's now to the second, which a remote
    // clock estimate cannot give; the scan measured the edges within one burst.)
  },
)

relayCase(
  {
    id: 'clock-skew.origin-refusal-text',
    title: 'an origin relay refuses out-of-window events with exactly invalid: event timestamp too far from server time',
    requirements: ['AP-SKEW-5', 'AP-SKEW-1'],
    level: 'MUST',
    profile: 'origin',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const m = c.clockMargin() + 1
    const now = c.now()
    for (const offset of [window.upper + m, -window.lower - m, window.upper + 86_400, -window.lower - 86_400 * 30]) {
      const label = `a persona at now${offset >= 0 ? '+' : ''}${offset}s`
      const reply = await ws.publish(c.persona({ created_at: now + offset }))
      expectRefused(reply, 'invalid', label)
      if (reply.message !== SkewRefusal) violation(`${label}: expected ${JSON.stringify(SkewRefusal)}, got ${JSON.stringify(reply.message)}`)
    }
  },
)
