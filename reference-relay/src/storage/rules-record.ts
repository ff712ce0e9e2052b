/**
 * Which rule set decided a durable store's events. The open mode and origin mode store the
 * same tables but decide differently (thread facts of other kinds, deletions, texts), so a
 * store written in one mode and continued in the other would hold decisions of both. Each
 * store records its rule set the first time a relay opens it and refuses a relay in the
 * other mode, on every backend; this is the one decision they share.
 */

import type { WriteRulesName } from './write-rules.ts'

const Modes: Record<WriteRulesName, { name: string; flag: string }> = {
  spec: { name: 'the open mode', flag: 'without --origin' },
  origin: { name: 'origin mode', flag: 'with --origin' },
}

/**
 * The rule set to record for a relay opening a store with `wanted`, or an `error:` refusing
 * it. `recorded` is the store's record (null: none yet); a store with events and no record
 * was written before the record existed, when only the open mode could write a file.
 */
export function settleRules(
  recorded: string | null,
  hasEvents: boolean,
  wanted: WriteRulesName,
  store: string,
): { ok: true; record: WriteRulesName } | { ok: false; message: string } {
  const current = recorded ?? (hasEvents ? 'spec' : null)
  if (current === null || current === wanted) return { ok: true, record: wanted }
  if (current !== 'spec' && current !== 'origin') {
    return { ok: false, message: `error: ${store} records an unknown rule set "${current}"; use another database` }
  }
  const { name, flag } = Modes[current]
  return { ok: false, message: `error: ${store} belongs to ${name} (written ${flag}); start the relay ${flag}, or use another database` }
}
