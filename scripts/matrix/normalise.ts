/**
 * Makes a run's report diffable: the published matrix is regenerated from fresh keys,
 * random slugs and subscription ids, free ports and this checkout's path, so each of these
 * is replaced by a stable label. Dates (created_at, HTTP Date, startedAt) and timings are
 * left as they are; they are the only things a regeneration should change.
 *
 * Labels are given per scope (one case, or the probe) in order of first appearance, so a
 * case's labels do not move when another case changes:
 *   64 hex (event id, pubkey)         ‹x1›, ‹x2›, …  (a 12-hex prefix of one gets its label)
 *   128 hex (signature)               ‹sig1›, …
 *   other 12 hex (slug suffix, …)     ‹r1›, …
 *   harness subscription id           ‹sub1›, …
 *   127.0.0.1:<port>                  127.0.0.1:PORT
 */

import type { CaseRecord, ProbeResult, Report } from '../../harness/src/types.ts'

const HexToken = /(?<![0-9a-f])(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{12})(?![0-9a-f])/g
/** The driver's subscription ids: `h<pid base36>-<counter base36>-<random base36>`, always quoted. */
const SubscriptionId = /"h[0-9a-z]{1,8}-[0-9a-z]{1,8}-[0-9a-z]{1,8}"/g
const LoopbackPort = /\b(127\.0\.0\.1|localhost):\d{1,5}\b/g

export class Labeller {
  private readonly labels = new Map<string, string>()
  private readonly counters = { x: 0, sig: 0, r: 0, sub: 0 }

  private next(kind: keyof Labeller['counters']): string {
    this.counters[kind] += 1
    return `‹${kind}${this.counters[kind]}›`
  }

  hex(token: string): string {
    const known = this.labels.get(token)
    if (known) return known
    let label: string
    if (token.length === 128) label = this.next('sig')
    else if (token.length === 64) label = this.next('x')
    else label = this.prefixLabel(token) ?? this.next('r')
    this.labels.set(token, label)
    return label
  }

  subscription(quoted: string): string {
    const known = this.labels.get(quoted)
    if (known) return known
    const label = `"${this.next('sub')}"`
    this.labels.set(quoted, label)
    return label
  }

  /** A 12-hex short id printed after its full id was seen. */
  private prefixLabel(short: string): string | undefined {
    for (const [token, label] of this.labels) if (token.length === 64 && token.startsWith(short)) return label
    return undefined
  }
}

export interface NormaliseOptions {
  /** Absolute path of the checkout; stripped so paths read repo-relative. */
  repoRoot?: string
}

export function normaliseText(text: string, labeller: Labeller, options: NormaliseOptions = {}): string {
  let out = text
  if (options.repoRoot) out = out.split(options.repoRoot.endsWith('/') ? options.repoRoot : `${options.repoRoot}/`).join('')
  return out
    .replace(LoopbackPort, '$1:PORT')
    .replace(SubscriptionId, (quoted) => labeller.subscription(quoted))
    .replace(HexToken, (token) => labeller.hex(token))
}

/** Every string inside a JSON value, normalised (keys included); the value is not mutated. */
export function normaliseValue<T>(value: T, labeller: Labeller, options: NormaliseOptions = {}): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return normaliseText(v, labeller, options)
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [normaliseText(k, labeller, options), walk(inner)]))
    }
    return v
  }
  return walk(value) as T
}

/**
 * The report with every random token labelled. Labels in the transcript come first (the
 * frames show full ids before messages quote their short prefixes).
 */
export function normaliseReport(report: Report, options: NormaliseOptions = {}): Report {
  const { probe, cases, ...rest } = report
  return {
    ...normaliseValue(rest, new Labeller(), options),
    probe: normaliseScope(probe, options),
    cases: cases.map((c) => normaliseScope(c, options)),
  }
}

function normaliseScope<T extends CaseRecord | ProbeResult>(scope: T, options: NormaliseOptions): T {
  const labeller = new Labeller()
  const { transcript, ...rest } = scope
  const labelledTranscript = normaliseValue(transcript, labeller, options)
  return { ...normaliseValue(rest, labeller, options), transcript: labelledTranscript } as T
}
