/**
 * A wait that ends without a frame the relay owed (EOSE after a REQ, a live event, an
 * answer to COUNT) is normally `error`: the harness could not decide. When the probe saw the
 * relay never send that frame at all (`probe.delivery`), the case could not observe what it
 * builds on: a failed control, graded `skip` with the reason, so such a relay is failed by
 * the case that owns the frame (it turns the timeout into a violation itself, e.g.
 * nip01.eose-then-live) and not reported as errors everywhere. `suites/lib/reads.ts` does
 * the same for its reads whatever the probe saw; this covers every other wait.
 */

import type { HarnessError } from './errors.ts'
import type { ProbeResult } from './types.ts'

const FrameWords = {
  eose: 'EOSE after the stored events of a REQ',
  live: 'a newly accepted matching event on an open subscription',
  count: 'an answer to COUNT (a COUNT or a CLOSED)',
} as const

/** The control reason when `error` is a missing frame the probe saw the relay never send; else undefined. */
export function missingFrameControl(error: HarnessError, probe: Pick<ProbeResult, 'delivery'>): string | undefined {
  const frame = error.awaited
  if (frame === undefined) return undefined
  const never = frame === 'count' ? probe.delivery.count === 'missing' : probe.delivery[frame] === 'no'
  if (!never) return undefined
  const how = error.kind === 'disconnected' ? 'closed the connection instead of sending' : 'did not send'
  return `the relay ${how} ${FrameWords[frame]}, and the probe saw it never does; this case builds on it and cannot judge (${error.message})`
}
