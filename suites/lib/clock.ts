/**
 * Clock-window checks that stay right when the relay answers slowly or its clock is only
 * estimated. Every timed exchange records a bracket [nowMin, nowMax] for the relay's clock
 * at the moment it judged the event (from the harness clock before sending and after the
 * answer, plus the probe's offset and its uncertainty); a verdict is only drawn when it holds
 * for every now in the bracket, otherwise the exchange is retried.
 *
 * The edge scan sends a burst of personas with created_at values straddling both advertised
 * edges: lower edge candidates, upper edge candidates, then the lower ones again. When the
 * two lower blocks agree, the relay's now did not tick in between, so the accepted range
 * [lowest, highest] of that burst is exact; its width does not depend on the clock offset.
 */

import { type CaseContext, HarnessError, type OkReply, type RelayConnection } from '../../harness/src/authoring.ts'
import type { ClockWindowFinding } from '../../harness/src/types.ts'
import type { NostrEvent } from '../../spec/model/event.ts'

export interface ClockBracket {
  /** Earliest and latest value the relay's now (seconds) can have had during the exchange. */
  nowMin: number
  nowMax: number
}

export interface Window {
  lower: number
  upper: number
}

export function windowOf(c: CaseContext): ClockWindowFinding {
  const window = c.probe.clock.window
  if (window === undefined) c.skip('the clock window is unknown (no NIP-11 created_at limits and no --skew)')
  return window
}

/** The relay clock's bracket for an exchange that started and ended at these harness times (ms). */
export function bracketOf(c: CaseContext, startedMs: number, endedMs: number): ClockBracket {
  const { offsetSeconds, uncertaintySeconds } = c.probe.clock
  return {
    nowMin: Math.floor(startedMs / 1000 + offsetSeconds - uncertaintySeconds),
    nowMax: Math.floor(endedMs / 1000 + offsetSeconds + uncertaintySeconds),
  }
}

/** Inside the window whatever the relay's now was within the bracket. */
export function surelyInside(createdAt: number, bracket: ClockBracket, window: Window): boolean {
  return createdAt >= bracket.nowMax - window.lower && createdAt <= bracket.nowMin + window.upper
}

/** Outside the window whatever the relay's now was within the bracket. */
export function surelyOutside(createdAt: number, bracket: ClockBracket, window: Window): boolean {
  return createdAt > bracket.nowMax + window.upper || createdAt < bracket.nowMin - window.lower
}

export interface TimedReply extends ClockBracket {
  reply: OkReply
  createdAt: number
  event: NostrEvent
}

/** Publishes an event stamped `offset` seconds from the relay's estimated now, recording the bracket. */
export async function publishAt(c: CaseContext, ws: RelayConnection, offset: number, make: (createdAt: number) => NostrEvent): Promise<TimedReply> {
  const started = Date.now()
  const createdAt = c.now() + offset
  const event = make(createdAt)
  const reply = await ws.publish(event)
  return { reply, createdAt, event, ...bracketOf(c, started, Date.now()) }
}

const Attempts = 3

/**
 * Publishes at `offset` until the relay's answer can be judged against `window`: an
 * acceptance of an event surely outside, or a refusal of one surely inside, is returned for
 * the caller to report; so is every answer that agrees with the window. An answer that
 * disagrees only because the exchange was slow is retried; three slow answers in a row are
 * a harness error (the verdict cannot be decided).
 */
export async function publishJudged(
  c: CaseContext,
  ws: RelayConnection,
  offset: number,
  window: Window,
  make: (createdAt: number) => NostrEvent,
): Promise<TimedReply & { verdict: 'agrees' | 'accepted-outside' | 'refused-inside' }> {
  for (let attempt = 1; attempt <= Attempts; attempt += 1) {
    const timed = await publishAt(c, ws, offset, make)
    const inside = surelyInside(timed.createdAt, timed, window)
    const outside = surelyOutside(timed.createdAt, timed, window)
    if (timed.reply.accepted && outside) return { ...timed, verdict: 'accepted-outside' }
    if (!timed.reply.accepted && inside) return { ...timed, verdict: 'refused-inside' }
    if (timed.reply.accepted ? inside : outside) return { ...timed, verdict: 'agrees' }
    c.note(`created_at now${offset >= 0 ? '+' : ''}${offset}s: the relay's now was somewhere in [${timed.nowMin}, ${timed.nowMax}], too wide to judge; retrying`)
  }
  throw new HarnessError('timeout', `the relay answered too slowly to judge a created_at ${offset} s from now against its window (${Attempts} attempts)`)
}

/** Where an edge lies relative to the candidates sent around it. */
export type Edge =
  | { kind: 'found'; value: number }
  /** Every candidate was accepted: the relay accepts beyond the advertised edge. */
  | { kind: 'all-accepted' }
  /** No candidate was accepted: the relay refuses inside the advertised window. */
  | { kind: 'none-accepted' }
  /** Accepted and refused values interleave: no single edge. */
  | { kind: 'ragged'; accepted: number[] }

export interface WindowScan extends ClockBracket {
  lower: Edge
  upper: Edge
  /** The harness's estimate of the relay's now when the burst was signed. */
  estimatedNow: number
  /** Every OK false received during the scan (to check their prefix). */
  refusals: Array<{ createdAt: number; reply: OkReply }>
  /** Bursts it took. */
  attempts: number
  /** Seconds scanned either side of each advertised edge. */
  span: number
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

const MaxSpan = 32
const MaxBursts = 6

/**
 * Scans both edges. The span around each advertised edge starts at the clock margin plus
 * two seconds plus the burst's own duration, and doubles (up to 32 s) while an edge is not
 * inside it, so a slow relay or a skewed clock does not pass for a wrong window.
 */
export async function scanWindow(c: CaseContext, ws: RelayConnection, window: Window): Promise<WindowScan> {
  const refusals: WindowScan['refusals'] = []
  let span = c.clockMargin() + 2
  let last: WindowScan | undefined
  for (let attempt = 1; attempt <= MaxBursts; attempt += 1) {
    const started = Date.now()
    const now = c.now()
    const lowerValues = range(now - window.lower - span, now - window.lower + span)
    const upperValues = range(now + window.upper - span, now + window.upper + span)
    const sign = (createdAt: number) => c.persona({ slug: c.slug('edge'), created_at: createdAt })
    const blocks = [lowerValues, upperValues, lowerValues].map((values) => values.map((v) => ({ createdAt: v, event: sign(v) })))
    // Send everything before awaiting anything, so the burst is as short as possible.
    const pending = blocks.map((block) => block.map(({ createdAt, event }) => ws.publish(event).then((reply) => ({ createdAt, reply }))))
    const answered = await Promise.all(pending.map((block) => Promise.all(block)))
    const bracket = bracketOf(c, started, Date.now())
    const acceptedIn = answered.map((block) => new Set(block.filter((x) => x.reply.accepted).map((x) => x.createdAt)))
    for (const block of answered) for (const x of block) if (!x.reply.accepted) refusals.push(x)
    const [first, upper, second] = acceptedIn as [Set<number>, Set<number>, Set<number>]
    const lowerFirst = edgeOf(lowerValues, first, true)
    const lowerSecond = edgeOf(lowerValues, second, true)
    if (!sameEdge(lowerFirst, lowerSecond)) {
      c.note(`clock scan burst ${attempt}: the relay's now ticked during the burst; again`)
      continue
    }
    last = { lower: lowerFirst, upper: edgeOf(upperValues, upper, false), estimatedNow: now, refusals, attempts: attempt, span, ...bracket }
    const missed = [last.lower, last.upper].some((edge) => edge.kind === 'all-accepted' || edge.kind === 'none-accepted')
    // The relay's now may have been off the estimate by the burst's own duration: widen first.
    const slack = bracket.nowMax - bracket.nowMin
    if (missed && span < MaxSpan) {
      span = Math.min(MaxSpan, Math.max(span * 2, span + slack))
      c.note(`clock scan burst ${attempt}: an edge is outside ±${last.span}s of its advertised place; widening to ±${span}s`)
      continue
    }
    return last
  }
  if (last !== undefined) return last
  throw new HarnessError('protocol', `the lower clock edge moved in ${MaxBursts} bursts in a row; cannot scan the window`)
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
