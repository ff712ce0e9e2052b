/**
 * Finding a relay's clock-window edges without trusting the clock offset. The case sends
 * a burst of personas with created_at values straddling both advertised edges: lower
 * edge candidates, upper edge candidates, then the lower ones again. The relay's `now`
 * can tick during a burst; when the two lower blocks agree, the upper block (sent between
 * them) saw the same `now`, and the accepted range [lowest, highest] is exact. Its width
 * does not depend on the offset between the harness clock and the relay clock.
 */

import { type CaseContext, HarnessError, type OkReply, type RelayConnection } from '../../harness/src/authoring.ts'
import type { ClockWindowFinding } from '../../harness/src/types.ts'

/** Where an edge lies relative to the candidates sent around it. */
export type Edge =
  | { kind: 'found'; value: number }
  /** Every candidate was accepted: the relay accepts beyond the advertised edge. */
  | { kind: 'all-accepted' }
  /** No candidate was accepted: the relay refuses inside the advertised window. */
  | { kind: 'none-accepted' }
  /** Accepted and refused values interleave: no single edge. */
  | { kind: 'ragged'; accepted: number[] }

export interface WindowScan {
  lower: Edge
  upper: Edge
  /** The harness's estimate of the relay's now when the burst was signed. */
  estimatedNow: number
  /** Every OK false received during the scan (to check their prefix). */
  refusals: Array<{ createdAt: number; reply: OkReply }>
  /** Burst attempts it took to get two agreeing lower blocks. */
  attempts: number
}

export function windowOf(c: CaseContext): ClockWindowFinding {
  const window = c.probe.clock.window
  if (window === undefined) c.skip('the clock window is unknown (no NIP-11 created_at limits and no --skew)')
  return window
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

/** The edge of a block of ascending candidates; `lowerSide` means accepted values are the high ones. */
function edgeOf(values: number[], accepted: ReadonlySet<number>, lowerSide: boolean): Edge {
  const hits = values.filter((v) => accepted.has(v))
  if (hits.length === 0) return { kind: 'none-accepted' }
  if (hits.length === values.length) return { kind: 'all-accepted' }
  const edge = lowerSide ? Math.min(...hits) : Math.max(...hits)
  const contiguous = values.every((v) => accepted.has(v) === (lowerSide ? v >= edge : v <= edge))
  return contiguous ? { kind: 'found', value: edge } : { kind: 'ragged', accepted: hits }
}

function sameEdge(a: Edge, b: Edge): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export async function scanWindow(c: CaseContext, ws: RelayConnection, window: ClockWindowFinding): Promise<WindowScan> {
  const span = c.clockMargin() + 2
  const refusals: WindowScan['refusals'] = []
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const now = c.now()
    const lowerValues = range(now - window.lower - span, now - window.lower + span)
    const upperValues = range(now + window.upper - span, now + window.upper + span)
    const sign = (createdAt: number) => c.persona({ slug: c.slug('edge'), created_at: createdAt })
    const blocks = [lowerValues, upperValues, lowerValues].map((values) => values.map((v) => ({ createdAt: v, event: sign(v) })))
    // Send everything before awaiting anything, so the burst is as short as possible.
    const pending = blocks.map((block) => block.map(({ createdAt, event }) => ws.publish(event).then((reply) => ({ createdAt, reply }))))
    const answered = await Promise.all(pending.map((block) => Promise.all(block)))
    const acceptedIn = answered.map((block) => new Set(block.filter((x) => x.reply.accepted).map((x) => x.createdAt)))
    for (const block of answered) for (const x of block) if (!x.reply.accepted) refusals.push(x)
    const [first, upper, second] = acceptedIn as [Set<number>, Set<number>, Set<number>]
    const lowerFirst = edgeOf(lowerValues, first, true)
    const lowerSecond = edgeOf(lowerValues, second, true)
    if (!sameEdge(lowerFirst, lowerSecond)) {
      c.note(`clock scan attempt ${attempt}: the relay's now ticked during the burst; retrying`)
      continue
    }
    return { lower: lowerFirst, upper: edgeOf(upperValues, upper, false), estimatedNow: now, refusals, attempts: attempt }
  }
  throw new HarnessError('protocol', 'the lower clock edge moved in three bursts in a row; cannot scan the window')
}

export function describeEdge(edge: Edge, now: number): string {
  switch (edge.kind) {
    case 'found':
      return `edge at now${edge.value - now >= 0 ? '+' : ''}${edge.value - now}s`
    case 'all-accepted':
      return 'every candidate accepted (edge beyond the scanned range)'
    case 'none-accepted':
      return 'no candidate accepted (edge inside the advertised window)'
    case 'ragged':
      return `accepted values interleave with refused ones: ${edge.accepted.map((v) => v - now).join(', ')}`
  }
}
