import { relayCase, violation } from '../../harness/src/authoring.ts'
import { describeEdge, scanWindow, windowOf } from '../lib/clock.ts'

relayCase(
  {
    id: 'clock-skew.window-edges',
    title: 'the relay accepts created_at exactly at now - lower and now + upper of its advertised window, and refuses beyond with invalid:',
    requirements: ['AP-SKEW-3', 'AP-SKEW-1', 'AP-SKEW-2'],
    level: 'MUST',
    profile: 'core',
    needs: ['clock-window'],
  },
  async (c) => {
    const window = windowOf(c)
    const ws = await c.connect()
    const scan = await scanWindow(c, ws, window)
    const now = scan.estimatedNow
    c.note(`window -${window.lower}/+${window.upper} (${window.source}); lower: ${describeEdge(scan.lower, now)}; upper: ${describeEdge(scan.upper, now)}`)
    for (const { createdAt, reply } of scan.refusals) {
      if (reply.prefix !== 'invalid') {
        violation(`created_at now${createdAt - now >= 0 ? '+' : ''}${createdAt - now}s was refused without the invalid: prefix: ${JSON.stringify(reply.message)}`)
      }
    }
    for (const [side, edge] of [['past', scan.lower], ['future', scan.upper]] as const) {
      if (edge.kind === 'none-accepted') violation(`${side} side: no event near the advertised edge was accepted, not even ones well inside the window`)
      if (edge.kind === 'ragged') violation(`${side} side: ${describeEdge(edge, now)}`)
      c.should(edge.kind !== 'all-accepted', `${side} side: events beyond the advertised window are accepted (the enforced window is wider than the advertised one)`)
    }
    if (scan.lower.kind === 'found' && scan.upper.kind === 'found') {
      const width = scan.upper.value - scan.lower.value
      const advertised = window.lower + window.upper
      if (width < advertised) {
        violation(
          `the relay accepts ${width + 1} consecutive created_at values but its window -${window.lower}/+${window.upper} spans ${advertised + 1}: ` +
            `it refuses events inside the advertised window (${describeEdge(scan.lower, now)}, ${describeEdge(scan.upper, now)})`,
        )
      }
      c.should(width === advertised, `the relay accepts ${width + 1} consecutive created_at values, more than the ${advertised + 1} of its advertised window`)
      const relayNow = scan.lower.value + window.lower
      c.finding({
        subject: 'relay clock from the window edges',
        claimed: `the relay's now between ${scan.nowMin} and ${scan.nowMax} during the burst (probe offset ${c.probe.clock.offsetSeconds} s)`,
        observed: `edges put the relay's now at ${relayNow}`,
        agrees: relayNow >= scan.nowMin - 1 && relayNow <= scan.nowMax + 1,
      })
    }
  },
)
