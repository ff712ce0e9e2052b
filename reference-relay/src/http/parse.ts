/** Request bodies: JSON text, one event for /events, a list of filters for /query and /count. */

import { checkFilter, type Filter } from '../../../spec/model/filter.ts'
import { formatReason } from '../../../spec/model/reasons.ts'

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

const decoder = new TextDecoder('utf-8', { fatal: true })

export function parseJsonBody(body: Uint8Array): Parsed<unknown> {
  if (body.byteLength === 0) return { ok: false, message: formatReason('invalid', 'request body is empty; expected JSON') }
  let text: string
  try {
    text = decoder.decode(body)
  } catch {
    return { ok: false, message: formatReason('invalid', 'request body is not valid UTF-8') }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return { ok: false, message: formatReason('invalid', `request body is not valid JSON: ${detail}`) }
  }
}

/**
 * A JSON array of at most `maxFilters` filters, each checked like a REQ filter. Unknown
 * keys (the thread extensions) are kept for the query plan to read.
 */
export function parseFilterList(value: unknown, maxFilters: number): Parsed<Array<Filter & Record<string, unknown>>> {
  if (!Array.isArray(value)) return { ok: false, message: formatReason('invalid', 'request body must be a JSON array of filters') }
  if (value.length > maxFilters) {
    return { ok: false, message: formatReason('invalid', `too many filters: ${value.length} (max ${maxFilters})`) }
  }
  const filters: Array<Filter & Record<string, unknown>> = []
  for (const [index, item] of value.entries()) {
    const check = checkFilter(item)
    if (!check.ok) return { ok: false, message: `${check.message} (filter ${index})` }
    filters.push(check.filter as Filter & Record<string, unknown>)
  }
  return { ok: true, value: filters }
}
