/**
 * The command that re-runs one case exactly: the same seed (keys, slugs, generated inputs),
 * a property's path, and the clock the case counted from (`--now`) with its trace (`--ticks`:
 * the calls of c.now() at which a second passed, `none` when none did): the same created_at
 * values, so the same event ids, as long as the relay's clock window still admits that time.
 */

import type { CaseRecord, TargetInfo } from './types.ts'

export function replayCommand(
  id: string,
  seed: number,
  path: string | undefined,
  target: Pick<TargetInfo, 'embedded' | 'url'>,
  clockBase?: number,
  clockTicks: readonly number[] = [],
): string {
  const url = target.embedded ? '' : ` ${target.url}`
  const clock = clockBase !== undefined ? ` --now ${clockBase} --ticks ${clockTicks.length > 0 ? clockTicks.join(',') : 'none'}` : ''
  return `npx persona-conformance replay ${id} --seed ${seed}${path !== undefined ? ` --path ${path}` : ''}${clock}${url}`
}

/** The replay command of a case record: a property's own, else one from the run's seed and the case's clock base. */
export function replayOf(record: Pick<CaseRecord, 'id' | 'property' | 'clockBase' | 'clockTicks'>, seed: number, target: Pick<TargetInfo, 'embedded' | 'url'>): string {
  return record.property?.replay ?? replayCommand(record.id, seed, undefined, target, record.clockBase, record.clockTicks)
}
