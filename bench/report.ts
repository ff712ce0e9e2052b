/**
 * The bench report: one JSON document (reports/bench/latest.json) and its Markdown
 * rendering (latest.md), with the ratios the run computes: ingest against the verification
 * ceiling, the reference relay against the peer, and this run against the previous one.
 */

import type { CeilingResult } from './gen/ceiling.ts'
import type { Machine } from './lib/proc.ts'
import type { OutsideMemoryMonitor, Sizes, WorkloadResult } from './workloads.ts'

/** postgres / postgres-2: the reference relay on PostgreSQL, one instance or two on one database (--pg). */
export type Role = 'reference' | 'baseline' | 'peer' | 'postgres' | 'postgres-2'

export interface TargetReport {
  role: Role
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
  /** The git ref the baseline relay was built from (--baseline), or null. */
  baseline: string | null
  targets: TargetReport[]
  ratios: Ratios
  goals: Goal[]
  durationSeconds: number
}

export interface Ratios {
  /** Reference ingest / verification ceiling. */
  ingestVsCeiling: number
  /** Each reference throughput as a fraction of the verification ceiling (events/s of the same run). */
  vsCeiling: Record<string, number | null>
  /** Reference / peer, per workload (throughput; for REQ also p99 latency peer / reference). */
  vsPeer: Record<string, number | null>
  /**
   * Reference / baseline relay (an older commit, --baseline) measured in the same run: every
   * throughput now / then, every latency then / now (above 1: better now); null without one.
   */
  vsBaseline: Record<string, number | null> | null
  /** This run / the previous run, the same figures; null without one. */
  vsPrevious: Record<string, number | null> | null
  /** REQ p99 during the flood / REQ p99 without writes, same run (the isolation goal: at most 3). */
  floodIsolation: number | null
  /**
   * The same with only the REQs that were in flight during none of the kernel memory
   * monitor's bursts (bench/workloads.ts reqDetails); null when no monitor ran. Optional:
   * reports before it was measured lack it.
   */
  floodIsolationOutsideMemoryMonitor?: number | null
  /**
   * The most ingest / ceiling this machine allows at the CPU cost per event measured in the
   * ingest run (relay and load generators, all threads): every core busy with nothing but
   * ingest gives cores / (relay + generators) events per second. Null without the figures.
   */
  ingestCeilingBound: number | null
  previousDate: string | null
}

const Workloads = ['ingest', 'req-quiet', 'req', 'flood', 'fanout', 'slow'] as const

export function find(report: Pick<BenchReport, 'targets'>, role: Role, workload: string): WorkloadResult | undefined {
  return report.targets.find((t) => t.role === role)?.workloads.find((w) => w.workload === workload)
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100

/** Every figure of `now` against `then`: throughput now/then, latencies then/now. */
function figures(now: Pick<BenchReport, 'targets'>, nowRole: Role, then: Pick<BenchReport, 'targets'>, thenRole: Role): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const w of Workloads) {
    const a = find(now, nowRole, w)
    const b = find(then, thenRole, w)
    if (a === undefined && b === undefined) continue
    out[`${w} throughput`] = ratio(a?.throughput, b?.throughput)
    if (w === 'slow') {
      out['slow peak RSS (then / now)'] = ratio(b?.relay.peakRssMiB, a?.relay.peakRssMiB)
      continue
    }
    out[`${w} p50 (then / now)`] = ratio(b?.latencyMs.p50, a?.latencyMs.p50)
    out[`${w} p99 (then / now)`] = ratio(b?.latencyMs.p99, a?.latencyMs.p99)
  }
  return out
}

/** CPU microseconds per acknowledged event in the reference ingest run (bench/workloads.ts runIngest). */
export function ingestCpu(report: Pick<BenchReport, 'targets'>): IngestCpu | null {
  const cpu = (find(report, 'reference', 'ingest')?.details as { cpuMicrosPerEvent?: Partial<Record<keyof IngestCpu, number | null>> } | undefined)
    ?.cpuMicrosPerEvent
  if (cpu?.relay == null || cpu.generators == null) return null
  return { ...cpu, relay: cpu.relay, generators: cpu.generators }
}

interface IngestCpu {
  relay: number
  relayMainThread?: number | null
  relayBulkThreads?: number | null
  relayOtherThreads?: number | null
  generators: number
}

export function computeRatios(report: Pick<BenchReport, 'targets' | 'ceiling' | 'machine'>, previous: BenchReport | null): Ratios {
  const vsPeer: Record<string, number | null> = {}
  for (const w of Workloads) {
    if (find(report, 'peer', w) === undefined) continue
    vsPeer[`${w} throughput`] = ratio(find(report, 'reference', w)?.throughput, find(report, 'peer', w)?.throughput)
  }
  vsPeer['req p99 latency (peer / reference)'] = ratio(find(report, 'peer', 'req')?.latencyMs.p99, find(report, 'reference', 'req')?.latencyMs.p99)
  const vsCeiling: Record<string, number | null> = {}
  for (const w of Workloads) {
    const result = find(report, 'reference', w)
    if (result !== undefined) vsCeiling[`${w} (${result.unit.split(' (')[0]})`] = ratio(result.throughput, report.ceiling.perSecond)
  }
  let vsPrevious: Record<string, number | null> | null = null
  if (previous !== null) {
    vsPrevious = figures(report, 'reference', previous, 'reference')
    vsPrevious['ceiling'] = ratio(report.ceiling.perSecond, previous.ceiling.perSecond)
  }
  const hasBaseline = report.targets.some((t) => t.role === 'baseline')
  return {
    ingestVsCeiling: ratio(find(report, 'reference', 'ingest')?.throughput, report.ceiling.perSecond) ?? Number.NaN,
    vsCeiling,
    vsPeer,
    vsBaseline: hasBaseline ? figures(report, 'reference', report, 'baseline') : null,
    vsPrevious,
    floodIsolation: ratio(find(report, 'reference', 'flood')?.latencyMs.p99, find(report, 'reference', 'req-quiet')?.latencyMs.p99),
    floodIsolationOutsideMemoryMonitor: ratio(outsideMonitor(find(report, 'reference', 'flood'))?.latencyMs.p99, outsideMonitor(find(report, 'reference', 'req-quiet'))?.latencyMs.p99),
    ingestCeilingBound: ceilingBound(report),
    previousDate: previous?.date ?? null,
  }
}

function ceilingBound(report: Pick<BenchReport, 'targets' | 'ceiling' | 'machine'>): number | null {
  const cpu = ingestCpu(report)
  if (cpu === null || cpu.relay + cpu.generators <= 0) return null
  return ratio((report.machine.cores * 1e6) / (cpu.relay + cpu.generators), report.ceiling.perSecond)
}

/** What the goal's line adds: the ratio this run's CPU per event allows at most. */
function boundNote(report: Pick<BenchReport, 'targets' | 'ratios'>): string {
  const cpu = ingestCpu(report)
  const bound = report.ratios.ingestCeilingBound
  if (cpu === null || bound == null) return ''
  return `; at this run's CPU per event (relay ${cpu.relay} µs + load generators ${cpu.generators} µs) the cores allow at most ${pct(bound)}`
}

/**
 * The REQ generator's own event-loop delay p99 in both runs: a probe that is itself late
 * charges its lateness to the relay, so the isolation line shows it beside the ratio.
 */
function probeNote(quiet: WorkloadResult | undefined, flood: WorkloadResult): string {
  const delay = (w: WorkloadResult | undefined) => (w?.details as { probeEventLoopDelayMs?: { p99: number } } | undefined)?.probeEventLoopDelayMs?.p99
  const [before, during] = [delay(quiet), delay(flood)]
  if (before === undefined || during === undefined) return ''
  return `; the REQ generator's own event-loop delay p99: ${before} ms quiet, ${during} ms during the flood`
}

function outsideMonitor(w: WorkloadResult | undefined): OutsideMemoryMonitor | undefined {
  return (w?.details as { outsideMemoryMonitor?: OutsideMemoryMonitor } | undefined)?.outsideMemoryMonitor
}

/**
 * The kernel's memory monitor in both windows, when one ran: the CPU it took, and the
 * isolation ratio over the REQs in flight during none of its bursts (the relay stalls in
 * them, and a quiet p99 they raise flatters the ratio).
 */
function monitorNote(report: Pick<BenchReport, 'ratios'>, quiet: WorkloadResult | undefined, flood: WorkloadResult): string {
  const [before, during] = [quiet?.memoryMonitorCpuSeconds, flood.memoryMonitorCpuSeconds]
  if (before == null || during == null) return ''
  const [q, f] = [outsideMonitor(quiet), outsideMonitor(flood)]
  const apart =
    q === undefined || f === undefined
      ? ''
      : `; over the REQs in flight during none of its bursts (${q.requestsLeftOut} and ${f.requestsLeftOut} left out): p99 ${f.latencyMs.p99} ms during the flood vs ${q.latencyMs.p99} ms quiet, ${cell(report.ratios.floodIsolationOutsideMemoryMonitor)}×`
  return `; the kernel's memory monitor took ${before} s of CPU in the quiet window and ${during} s in the flood's${apart}`
}

/** Issue #15's goals, judged on this run's numbers (reported, never asserted in tests). */
export function judgeGoals(report: Pick<BenchReport, 'targets' | 'ceiling' | 'ratios' | 'sizes'>): Goal[] {
  const ingest = find(report, 'reference', 'ingest')
  const quiet = find(report, 'reference', 'req-quiet')
  const req = find(report, 'reference', 'req')
  const flood = find(report, 'reference', 'flood')
  const fanout = find(report, 'reference', 'fanout')
  const slow = find(report, 'reference', 'slow')
  const rate = report.sizes.reqRate
  const kept = (w: WorkloadResult) => w.throughput >= rate * 0.95
  const goals: Goal[] = [
    {
      goal: `REQ by address at ${rate}/s, no writes: p50 ≤ 5 ms and p99 ≤ 25 ms`,
      measured: quiet === undefined ? 'not run' : `p50 ${quiet.latencyMs.p50} ms, p99 ${quiet.latencyMs.p99} ms at ${quiet.throughput} REQ/s answered`,
      met: quiet === undefined ? null : quiet.latencyMs.p50 <= 5 && quiet.latencyMs.p99 <= 25 && kept(quiet),
    },
    {
      goal: `REQ by address at ${rate}/s while ${report.sizes.reqBackgroundRate} personas/s are written: p99 ≤ 50 ms`,
      measured: req === undefined ? 'not run' : `p50 ${req.latencyMs.p50} ms, p99 ${req.latencyMs.p99} ms at ${req.throughput} REQ/s answered`,
      met: req === undefined ? null : req.latencyMs.p99 <= 50 && kept(req),
    },
    {
      goal: 'ingest ≥ 6,000 durable personas/s (OK only after the commit)',
      measured: `${ingest?.throughput ?? '?'} events/s (SQLite WAL, OK after the WAL sync)`,
      met: ingest === undefined ? null : ingest.throughput >= 6000,
    },
    {
      goal: 'ingest ≥ 60 % of the verification ceiling',
      measured: `${pct(report.ratios.ingestVsCeiling)} (${ingest?.throughput ?? '?'} of ${report.ceiling.perSecond} events/s)${boundNote(report)}`,
      met: Number.isFinite(report.ratios.ingestVsCeiling) ? report.ratios.ingestVsCeiling >= 0.6 : null,
    },
    {
      goal: 'fan-out ≥ 150,000 deliveries/s',
      measured: `${fanout?.throughput ?? '?'} deliveries/s`,
      met: fanout === undefined ? null : fanout.throughput >= 150_000,
    },
  ]
  if (flood !== undefined) {
    const d = flood.details as { rssBeforeMiB: number; peakRssMiB: number; flood: { sent: number; stored: number; rateLimited: number } }
    const isolation = report.ratios.floodIsolation
    // With the kernel's memory monitor running, the ratio over the REQs its bursts did not
    // touch judges the relay; the plain one is divided by a quiet p99 the bursts raise.
    const judged = report.ratios.floodIsolationOutsideMemoryMonitor ?? isolation
    goals.push({
      goal: `a connection flooding ${report.sizes.floodEvents} EVENTs leaves another connection's REQ p99 within 3× of its quiet value`,
      measured:
        isolation === null
          ? 'no quiet REQ run to compare with'
          : `p99 ${flood.latencyMs.p99} ms during the flood vs ${quiet?.latencyMs.p99} ms quiet: ${isolation}× (${d.flood.stored} stored, ${d.flood.rateLimited} rate-limited of ${d.flood.sent})${probeNote(quiet, flood)}${monitorNote(report, quiet, flood)}` +
            (judged !== isolation ? ` (judged on the latter)` : ''),
      met: judged === null ? null : judged <= 3 && kept(flood),
    })
    goals.push({
      goal: 'relay memory bounded during the flood (peak RSS at most 128 MiB over the RSS before it)',
      measured: `peak ${d.peakRssMiB} MiB, ${d.rssBeforeMiB} MiB before`,
      met: d.peakRssMiB - d.rssBeforeMiB <= 128,
    })
  }
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
  if (m.memoryMonitor) {
    lines.push(
      `Kernel memory monitor: ${m.memoryMonitor}. Each of its bursts takes a core for a few tens of milliseconds, and the relay stalls meanwhile; ` +
        'the CPU it took in each window is in the last column of the results, and each REQ workload also summarizes the REQs in flight during none of its bursts ' +
        '(`outsideMemoryMonitor` in the details; reference-relay/PERFORMANCE.md on what it does to REQ p99).',
      '',
    )
  }
  lines.push('## Ratios', '')
  lines.push(`- Ingest vs verification ceiling: **${pct(report.ratios.ingestVsCeiling)}** (ceiling: ${report.ceiling.perSecond} events/s, ${report.ceiling.verifier}, same events, no network or storage)`)
  for (const [k, v] of Object.entries(report.ratios.vsCeiling)) lines.push(`- Vs the ceiling, ${k}: **${cell(v)}**`)
  const cpu = ingestCpu(report)
  if (cpu !== null && report.ratios.ingestCeilingBound !== null) {
    lines.push(
      `- Ingest CPU per acknowledged event: relay ${cpu.relay} µs (main thread ${cpu.relayMainThread ?? '?'}, ` +
        `bulk threads ${cpu.relayBulkThreads ?? '?'}: verifiers, SQLite writer and checkpointer; others ${cpu.relayOtherThreads ?? '?'}), ` +
        `load generators ${cpu.generators} µs; ` +
        `${m.cores} cores busy with nothing else would ingest at most **${pct(report.ratios.ingestCeilingBound)}** of the ceiling at that cost`,
    )
  }
  if (report.ratios.floodIsolation !== null) lines.push(`- Flood isolation, REQ p99 during the flood / quiet: **${report.ratios.floodIsolation}×**`)
  if (report.ratios.floodIsolationOutsideMemoryMonitor != null) {
    lines.push(`- Flood isolation over the REQs in flight during none of the kernel memory monitor's bursts: **${report.ratios.floodIsolationOutsideMemoryMonitor}×**`)
  }
  if (report.ratios.vsBaseline !== null) {
    for (const [k, v] of Object.entries(report.ratios.vsBaseline)) lines.push(`- Vs the baseline relay (\`${report.baseline}\`, same run), ${k}: **${cell(v)}×**`)
  }
  for (const [k, v] of Object.entries(report.ratios.vsPeer)) lines.push(`- Reference vs peer, ${k}: **${cell(v)}×**`)
  if (report.ratios.vsPrevious === null) lines.push('- Vs previous run: no comparable previous reports/bench/latest.json')
  else for (const [k, v] of Object.entries(report.ratios.vsPrevious)) lines.push(`- Vs previous run (${report.ratios.previousDate}), ${k}: **${cell(v)}×**`)
  lines.push('', '## Goals', '', '| goal | measured | met |', '| --- | --- | --- |')
  for (const g of report.goals) lines.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? 'n/a' : g.met ? 'yes' : 'no'} |`)
  lines.push('', '## Results', '')
  lines.push('| relay | workload | throughput | unit | p50 ms | p99 ms | relay CPU (cores) | relay peak RSS MiB | kernel memory monitor CPU s |')
  lines.push('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |')
  for (const t of report.targets) {
    for (const w of t.workloads) {
      lines.push(
        `| ${t.role} | ${w.workload} | ${w.throughput} | ${w.unit} | ${w.latencyMs.p50} | ${w.latencyMs.p99} | ${w.relay.cores} | ${w.relay.peakRssMiB} | ${cell(w.memoryMonitorCpuSeconds)} |`,
      )
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
    `- **req-quiet**: REQ by address (\`kinds\`, \`authors\`, \`#d\`) at ${report.sizes.reqRate}/s over ${report.sizes.reqConnections} connections for ${report.sizes.reqMs / 1000} s, open loop, nothing else going on. Latency: due time → EOSE.`,
    `- **req**: the same while a background ingest writes ${report.sizes.reqBackgroundRate} personas/s.`,
    `- **flood**: the same REQs for ${report.sizes.floodReqMs / 1000} s while one other connection sends ${report.sizes.floodEvents} pre-signed personas without waiting for any OK.`,
    `- **fanout**: ${report.sizes.fanoutSubscriberChildren * report.sizes.fanoutConnectionsPerChild} subscriber connections, each with 1 matching and ${report.sizes.fanoutDecoys} non-matching live subscriptions; ` +
      `one publisher sends ${report.sizes.fanoutEvents} new heads with 64 in flight. Latency: publish → arrival.`,
    `- **slow**: ${report.sizes.slowConnections} subscribers stop reading; ${report.sizes.slowEvents} events of about ${report.sizes.slowEventBytes} bytes are published; one healthy subscriber keeps reading. ` +
      'Throughput and latency are the publisher\'s; the point is the relay\'s peak RSS.',
    '',
  )
  lines.push('## Details', '', '```json', JSON.stringify(report.targets.map((t) => ({ role: t.role, details: Object.fromEntries(t.workloads.map((w) => [w.workload, w.details])) })), null, 2), '```', '')
  return `${lines.join('\n')}\n`
}
