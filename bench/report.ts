/**
 * The bench report: one JSON document (reports/bench/latest.json) and its Markdown
 * rendering (latest.md), with the ratios the run computes: ingest against the verification
 * ceiling, the reference relay against the peer, and this run against the previous one.
 */

import type { CeilingResult } from './gen/ceiling.ts'
import type { Machine } from './lib/proc.ts'
import type { Sizes, WorkloadResult } from './workloads.ts'

export interface TargetReport {
  role: 'reference' | 'peer'
  software: string
  notes: string[]
  workloads: WorkloadResult[]
}

export interface Goal {
  goal: string
  measured: string
  met: boolean | null
}

export interface BenchReport {
  schema: 'nip-ap-bench/1'
  date: string
  commit: string
  machine: Machine
  /** /proc/loadavg before and after: other work on the machine skews every number. */
  loadAverage: { before: string; after: string }
  quick: boolean
  sizes: Sizes
  signer: string
  ceiling: CeilingResult
  targets: TargetReport[]
  ratios: Ratios
  goals: Goal[]
  durationSeconds: number
}

export interface Ratios {
  /** Reference ingest / verification ceiling. */
  ingestVsCeiling: number
  /** Reference / peer, per workload (throughput; for REQ also p99 latency peer / reference). */
  vsPeer: Record<string, number | null>
  /** This run / previous run, per workload throughput of the reference relay; null without one. */
  vsPrevious: Record<string, number | null> | null
  previousDate: string | null
}

export function find(report: Pick<BenchReport, 'targets'>, role: 'reference' | 'peer', workload: string): WorkloadResult | undefined {
  return report.targets.find((t) => t.role === role)?.workloads.find((w) => w.workload === workload)
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100

export function computeRatios(report: Pick<BenchReport, 'targets' | 'ceiling'>, previous: BenchReport | null): Ratios {
  const workloads = ['ingest', 'req', 'fanout', 'slow']
  const vsPeer: Record<string, number | null> = {}
  for (const w of workloads) vsPeer[`${w} throughput`] = ratio(find(report, 'reference', w)?.throughput, find(report, 'peer', w)?.throughput)
  vsPeer['req p99 latency (peer / reference)'] = ratio(find(report, 'peer', 'req')?.latencyMs.p99, find(report, 'reference', 'req')?.latencyMs.p99)
  let vsPrevious: Record<string, number | null> | null = null
  if (previous !== null) {
    vsPrevious = {}
    for (const w of workloads) vsPrevious[`${w} throughput`] = ratio(find(report, 'reference', w)?.throughput, find(previous, 'reference', w)?.throughput)
    vsPrevious['req p99 latency (previous / now)'] = ratio(find(previous, 'reference', 'req')?.latencyMs.p99, find(report, 'reference', 'req')?.latencyMs.p99)
    vsPrevious['ceiling'] = ratio(report.ceiling.perSecond, previous.ceiling.perSecond)
  }
  return {
    ingestVsCeiling: ratio(find(report, 'reference', 'ingest')?.throughput, report.ceiling.perSecond) ?? Number.NaN,
    vsPeer,
    vsPrevious,
    previousDate: previous?.date ?? null,
  }
}

/** The goals, judged on this run's numbers (reported, never asserted in tests). */
export function judgeGoals(report: Pick<BenchReport, 'targets' | 'ceiling' | 'ratios' | 'sizes'>): Goal[] {
  const ingest = find(report, 'reference', 'ingest')
  const req = find(report, 'reference', 'req')
  const fanout = find(report, 'reference', 'fanout')
  const slow = find(report, 'reference', 'slow')
  const vsPeer = report.ratios.vsPeer['ingest throughput'] ?? null
  const goals: Goal[] = [
    {
      goal: 'ingest ≥ 80 % of the verification ceiling',
      measured: `${pct(report.ratios.ingestVsCeiling)} (${ingest?.throughput ?? '?'} of ${report.ceiling.perSecond} events/s)`,
      met: Number.isFinite(report.ratios.ingestVsCeiling) ? report.ratios.ingestVsCeiling >= 0.8 : null,
    },
    {
      goal: 'ingest ≥ 3× the peer relay',
      measured: vsPeer === null ? 'no peer number' : `${vsPeer}×`,
      met: vsPeer === null ? null : vsPeer >= 3,
    },
    {
      goal: '> 6,000 personas/s with OK only after a durable commit',
      measured: `${ingest?.throughput ?? '?'} events/s (SQLite WAL, synchronous=FULL)`,
      met: ingest === undefined ? null : ingest.throughput > 6000,
    },
    {
      goal: `REQ-by-address p99 < 5 ms at ${report.sizes.reqRate} req/s`,
      measured: req === undefined ? 'not run' : `p99 ${req.latencyMs.p99} ms at ${req.throughput} req/s answered`,
      met: req === undefined ? null : req.latencyMs.p99 < 5 && req.throughput >= report.sizes.reqRate * 0.95,
    },
    {
      goal: 'fan-out ≥ 100,000 deliveries/s',
      measured: `${fanout?.throughput ?? '?'} deliveries/s`,
      met: fanout === undefined ? null : fanout.throughput >= 100_000,
    },
  ]
  if (slow !== undefined) {
    const d = slow.details as { peakRssMiB: number; outputDemandedMiB: number; idleRssMiB: number; slowConnections: number }
    goals.push({
      goal: `bounded memory with ${d.slowConnections} slow subscribers`,
      measured: `peak RSS ${d.peakRssMiB} MiB (idle ${d.idleRssMiB} MiB) while ${d.outputDemandedMiB} MiB of output was owed to them`,
      // Bounded: the peak stays far below what the slow readers were owed.
      met: d.peakRssMiB < Math.max(512, d.outputDemandedMiB / 4),
    })
  }
  return goals
}

const pct = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 1000) / 10} %` : '?')
const cell = (v: unknown) => (v === null || v === undefined ? '–' : String(v))

export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = []
  const m = report.machine
  lines.push('# Relay throughput benchmark', '')
  lines.push(
    `Generated by \`npm run bench\`${report.quick ? ' (quick sizes: a smoke run, not comparable)' : ''} on ${report.date}, commit \`${report.commit}\`. ` +
      'Regenerate it; do not edit by hand.',
    '',
  )
  lines.push(
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}. ` +
      `Load average before ${report.loadAverage.before}, after ${report.loadAverage.after} (other work on the machine lowers every number). ` +
      `Run took ${report.durationSeconds} s. Events signed beforehand with ${report.signer}.`,
    '',
  )
  lines.push('## Ratios', '')
  lines.push(`- Ingest vs verification ceiling: **${pct(report.ratios.ingestVsCeiling)}** (ceiling: ${report.ceiling.perSecond} events/s, ${report.ceiling.verifier}, same events, no network or storage)`)
  for (const [k, v] of Object.entries(report.ratios.vsPeer)) lines.push(`- Reference vs peer, ${k}: **${cell(v)}×**`)
  if (report.ratios.vsPrevious === null) lines.push('- Vs previous run: no previous reports/bench/latest.json')
  else for (const [k, v] of Object.entries(report.ratios.vsPrevious)) lines.push(`- Vs previous run (${report.ratios.previousDate}), ${k}: **${cell(v)}×**`)
  lines.push('', '## Goals', '', '| goal | measured | met |', '| --- | --- | --- |')
  for (const g of report.goals) lines.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? 'n/a' : g.met ? 'yes' : 'no'} |`)
  lines.push('', '## Results', '')
  lines.push('| relay | workload | throughput | unit | p50 ms | p99 ms | relay CPU (cores) | relay peak RSS MiB |')
  lines.push('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |')
  for (const t of report.targets) {
    for (const w of t.workloads) {
      lines.push(`| ${t.role} | ${w.workload} | ${w.throughput} | ${w.unit} | ${w.latencyMs.p50} | ${w.latencyMs.p99} | ${w.relay.cores} | ${w.relay.peakRssMiB} |`)
    }
  }
  lines.push('', '## Relays', '')
  for (const t of report.targets) {
    lines.push(`- **${t.role}**: ${t.software}`)
    for (const n of t.notes) lines.push(`  - ${n}`)
  }
  lines.push('', '## Workloads', '')
  lines.push(
    `- **ingest**: ${report.sizes.ingestGenerators} generator processes × 1 connection × ${report.sizes.ingestInFlight} EVENTs in flight, ` +
      `${report.sizes.ingestEventsPerGenerator} pre-signed kind-30175 events each (about 75 % new slugs, 25 % replacements), ` +
      `first ${report.sizes.ingestWarmup} per connection as untimed warm-up, at most ${report.sizes.ingestMaxMs / 1000} s. Latency: EVENT → OK.`,
    `- **req**: REQ by address (\`kinds\`, \`authors\`, \`#d\`) at ${report.sizes.reqRate}/s over ${report.sizes.reqConnections} connections for ${report.sizes.reqMs / 1000} s, open loop, ` +
      `while a background ingest writes ${report.sizes.reqBackgroundRate} events/s. Latency: due time → EOSE.`,
    `- **fanout**: ${report.sizes.fanoutSubscriberChildren * report.sizes.fanoutConnectionsPerChild} subscriber connections, each with 1 matching and ${report.sizes.fanoutDecoys} non-matching live subscriptions; ` +
      `one publisher sends ${report.sizes.fanoutEvents} new heads with 64 in flight. Latency: publish → arrival.`,
    `- **slow**: ${report.sizes.slowConnections} subscribers stop reading; ${report.sizes.slowEvents} events of about ${report.sizes.slowEventBytes} bytes are published; one healthy subscriber keeps reading. ` +
      'Throughput and latency are the publisher\'s; the point is the relay\'s peak RSS.',
    '',
  )
  lines.push('## Details', '', '```json', JSON.stringify(report.targets.map((t) => ({ role: t.role, details: Object.fromEntries(t.workloads.map((w) => [w.workload, w.details])) })), null, 2), '```', '')
  return `${lines.join('\n')}\n`
}
