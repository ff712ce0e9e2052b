/**
 * `npm run bench`: signs the events, measures the verification ceiling, runs every workload
 * against the reference relay and the peer relay (each in its own process, generators in
 * child processes, 127.0.0.1 only), prints the ratios and writes reports/bench/latest.json
 * and latest.md. Not part of `npm test`: it takes a few minutes and needs quiet cores.
 *
 *   npm run bench                     full run, writes the report
 *   npm run bench -- --quick          small sizes, a smoke run (writes to a temp dir)
 *   npm run bench -- --only reference skip the peer (no peer ratios)
 *   npm run bench -- --baseline REF   also run the reference relay of an older commit (git
 *                                     ref) in the same run: ratios now / then, same machine,
 *                                     same minutes
 *   npm run bench -- --baseline HEAD --baseline-args="--bulk-nice 0"
 *                                     the baseline relay with extra command-line flags: one
 *                                     setting against another in the same run
 *   npm run bench -- --only reference --profile DIR
 *                                     also CPU-profile the reference relay (node --cpu-prof)
 *                                     into DIR and print its hottest functions
 *   npm run bench -- --workloads ingest,fanout
 *                                     run only these (ingest always runs: it fills the store);
 *                                     all: ingest, req-quiet, req, flood, fanout, slow
 *   npm run bench -- --out DIR        write the report elsewhere
 *   npm run bench -- --pg             the reference relay on PostgreSQL (a throwaway durable
 *                                     cluster: fsync, synchronous_commit on): one instance and
 *                                     two on one database, beside SQLite, ingest and fan-out
 *                                     by default; ratios printed, report pg-latest.json / .md
 */

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describeMachine } from './lib/proc.ts'
import { summarizeProfiles } from './lib/profile.ts'
import { startCluster } from '../reference-relay/test-support/postgres-cluster.ts'
import { checkoutBaseline, startPeer, startPostgresReference, startReference, type Target } from './lib/targets.ts'
import { type BenchReport, computeRatios, judgeGoals, renderMarkdown, type TargetReport } from './report.ts'
import {
  FullSizes,
  measureCeiling,
  QuickSizes,
  runFanout,
  runFlood,
  runIngest,
  runReq,
  runReqQuiet,
  runSlow,
  signAll,
  storedAddresses,
  type WorkloadResult,
} from './workloads.ts'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

function summaryLine(w: WorkloadResult): string {
  const monitor = w.memoryMonitorCpuSeconds == null ? '' : `; kernel memory monitor ${w.memoryMonitorCpuSeconds} s CPU`
  return `${w.workload}: ${w.throughput} ${w.unit}; p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms; relay ${w.relay.cores} cores, peak RSS ${w.relay.peakRssMiB} MiB${monitor}`
}

async function benchTarget(
  start: () => Promise<Target>,
  files: Awaited<ReturnType<typeof signAll>>,
  sizes: typeof FullSizes,
  dir: string,
  selected: ReadonlySet<string>,
): Promise<TargetReport> {
  const target = await start()
  log(`\n${target.role}: ${target.software} at ${target.url}`)
  const workloads: WorkloadResult[] = []
  try {
    const ingest = await runIngest(target, files, sizes)
    workloads.push(ingest)
    log(`  ${summaryLine(ingest)}`)
    // Each generator sent its warm-up events, then `sentPerConnection[i]` more, from the start of its file.
    const sentPer = ingest.details.sentPerConnection as number[]
    const sent = files.ingest.map((_, i) => Math.min(sizes.ingestEventsPerGenerator, (sentPer[i] ?? 0) + sizes.ingestWarmup))
    const addresses = storedAddresses(files, dir, target.role, sent)
    const runs: Array<[string, () => Promise<WorkloadResult>]> = [
      ['req-quiet', () => runReqQuiet(target, addresses, sizes)],
      ['req', () => runReq(target, files, addresses, sizes)],
      ['flood', () => runFlood(target, files, addresses, sizes)],
      ['fanout', () => runFanout(target, files, sizes)],
      ['slow', () => runSlow(target, files, sizes)],
    ]
    for (const [name, run] of runs) {
      if (!selected.has(name)) continue
      const result = await run()
      workloads.push(result)
      log(`  ${summaryLine(result)}`)
    }
  } finally {
    await target.close()
  }
  return { role: target.role, software: target.software, notes: target.notes, workloads }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      workloads: { type: 'string' },
      baseline: { type: 'string' },
      'baseline-args': { type: 'string' },
      pg: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]?.replace(/^\/\*\*|^ \* ?/gm, '') ?? '')
    return
  }
  if (values['baseline-args'] !== undefined && values.baseline === undefined) {
    process.stderr.write('invalid: --baseline-args needs --baseline\n')
    process.exitCode = 2
    return
  }
  const quick = values.quick ?? false
  const sizes = quick ? QuickSizes : FullSizes
  const outDir = values.out ?? (quick ? mkdtempSync(path.join(tmpdir(), 'nip-ap-bench-report-')) : path.join(repoRoot, 'reports', 'bench'))
  const started = performance.now()
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  const work = mkdtempSync(path.join(tmpdir(), 'nip-ap-bench-events-'))
  try {
    log(`signing events (${sizes.ingestGenerators} × ${sizes.ingestEventsPerGenerator} for ingest, plus req/fan-out/slow sets)...`)
    const files = await signAll(work, sizes)
    if (values.pg) {
      const selected = new Set(values.workloads === undefined ? ['ingest', 'fanout'] : values.workloads.split(','))
      await benchPostgres({ files, sizes, work, selected, outDir, quick })
      return
    }
    log('measuring the verification ceiling...')
    const ceiling = await measureCeiling(files, sizes)
    log(`ceiling: ${ceiling.perSecond} events/s (${ceiling.verifier}, ${ceiling.events} events)`)

    const targets: TargetReport[] = []
    const profileDir = values.profile === undefined ? undefined : path.resolve(values.profile)
    const reference = () => startReference(profileDir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] })
    const selected = new Set(values.workloads === undefined ? ['ingest', 'req-quiet', 'req', 'flood', 'fanout', 'slow'] : values.workloads.split(','))
    if (values.only !== 'peer') targets.push(await benchTarget(reference, files, sizes, work, selected))
    let baseline: string | null = null
    if (values.baseline !== undefined) {
      const checkout = checkoutBaseline(values.baseline)
      const relayArgs = values['baseline-args']?.split(/\s+/).filter((arg) => arg !== '') ?? []
      baseline = `${values.baseline} (${checkout.commit})${relayArgs.length > 0 ? ` ${relayArgs.join(' ')}` : ''}`
      log(`\nbaseline: ${baseline} checked out in ${checkout.root}`)
      try {
        targets.push(await benchTarget(() => startReference({ root: checkout.root, role: 'baseline', relayArgs }), files, sizes, work, selected))
      } finally {
        checkout.remove()
      }
    }
    if (profileDir !== undefined) {
      for (const thread of ['main', 'workers'] as const) {
        const summary = summarizeProfiles(profileDir, thread)
        log(`\nreference relay, ${thread === 'main' ? 'main thread' : 'verifier worker threads'} (${summary.files.join(', ')}): idle ${summary.idlePercent} %; hottest functions by self time:`)
        for (const spot of summary.hot) log(`  ${String(spot.percent).padStart(5)} %  ${spot.where}`)
      }
    }
    if (values.only !== 'reference') targets.push(await benchTarget(startPeer, files, sizes, work, selected))

    const latestJson = path.join(outDir, 'latest.json')
    const previous = existsSync(latestJson) ? (JSON.parse(readFileSync(latestJson, 'utf8')) as BenchReport) : null
    const comparable = previous !== null && previous.quick === quick ? previous : null
    const machine = describeMachine()
    const ratios = computeRatios({ targets, ceiling, machine }, comparable)
    const report: BenchReport = {
      schema: 'nip-ap-bench/1',
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine,
      loadAverage: { before: loadBefore, after: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') },
      quick,
      sizes,
      signer: files.signer,
      ceiling,
      baseline,
      targets,
      ratios,
      goals: judgeGoals({ targets, ceiling, ratios, sizes }),
      durationSeconds: Math.round((performance.now() - started) / 1000),
    }
    mkdirSync(outDir, { recursive: true })
    writeFileSync(latestJson, `${JSON.stringify(report, null, 2)}\n`)
    writeFileSync(path.join(outDir, 'latest.md'), renderMarkdown(report))

    const print = (line: string) => process.stdout.write(`${line}\n`)
    print('')
    print(`ingest vs verification ceiling: ${Math.round(ratios.ingestVsCeiling * 1000) / 10} %`)
    if (ratios.ingestCeilingBound !== null) {
      print(`ingest vs ceiling that the CPU per event allows on ${machine.cores} cores: at most ${Math.round(ratios.ingestCeilingBound * 1000) / 10} %`)
    }
    for (const [k, v] of Object.entries(ratios.vsCeiling)) print(`vs the ceiling, ${k}: ${v ?? '–'}`)
    if (ratios.floodIsolation !== null) print(`flood isolation, REQ p99 during the flood / quiet: ${ratios.floodIsolation}×`)
    if (ratios.floodIsolationOutsideMemoryMonitor != null) {
      print(`flood isolation over the REQs in flight during none of the kernel memory monitor's bursts: ${ratios.floodIsolationOutsideMemoryMonitor}×`)
    }
    if (ratios.vsBaseline !== null) for (const [k, v] of Object.entries(ratios.vsBaseline)) print(`vs baseline ${baseline}, ${k}: ${v ?? '–'}×`)
    for (const [k, v] of Object.entries(ratios.vsPeer)) print(`reference vs peer, ${k}: ${v ?? '–'}×`)
    if (ratios.vsPrevious === null) print('vs previous run: none to compare with')
    else for (const [k, v] of Object.entries(ratios.vsPrevious)) print(`vs previous run, ${k}: ${v ?? '–'}×`)
    for (const g of report.goals) print(`goal ${g.met === null ? 'n/a' : g.met ? 'MET' : 'not met'}: ${g.goal}: ${g.measured}`)
    print(`report: ${latestJson} and latest.md (${report.durationSeconds} s)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The reference relay on SQLite, on PostgreSQL, and as two processes on one PostgreSQL
 * database, in one run: the ratios say what PostgreSQL costs and what a second instance buys.
 */
async function benchPostgres(run: {
  files: Awaited<ReturnType<typeof signAll>>
  sizes: typeof FullSizes
  work: string
  selected: ReadonlySet<string>
  outDir: string
  quick: boolean
}): Promise<void> {
  log('starting a throwaway PostgreSQL cluster (durable settings)...')
  const cluster = await startCluster({ durable: true })
  const targets: TargetReport[] = []
  try {
    log(`PostgreSQL ${cluster.version} at ${cluster.socketDir}`)
    targets.push(await benchTarget(() => startReference(), run.files, run.sizes, run.work, run.selected))
    const one = await cluster.createDatabase('bench_one')
    targets.push(await benchTarget(() => startPostgresReference(one, 1), run.files, run.sizes, run.work, run.selected))
    const two = await cluster.createDatabase('bench_two')
    targets.push(await benchTarget(() => startPostgresReference(two, 2), run.files, run.sizes, run.work, run.selected))
  } finally {
    await cluster.stop()
  }
  const throughput = (role: string, workload: string) => targets.find((t) => t.role === role)?.workloads.find((w) => w.workload === workload)?.throughput
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100)
  const ratios: Record<string, number | null> = {}
  for (const workload of run.selected) {
    const [sqlite, one, two] = ['reference', 'postgres', 'postgres-2'].map((role) => throughput(role, workload))
    ratios[`${workload}: PostgreSQL, one instance / SQLite`] = ratio(one, sqlite)
    ratios[`${workload}: PostgreSQL, two instances / SQLite`] = ratio(two, sqlite)
    ratios[`${workload}: PostgreSQL, two instances / one`] = ratio(two, one)
  }
  const report = { schema: 'nip-ap-bench-pg/1', date: new Date().toISOString(), commit: gitCommit(), machine: describeMachine(), quick: run.quick, sizes: run.sizes, targets, ratios }
  mkdirSync(run.outDir, { recursive: true })
  writeFileSync(path.join(run.outDir, 'pg-latest.json'), `${JSON.stringify(report, null, 2)}\n`)
  const lines = ['# Reference relay on PostgreSQL', '', `${report.date}, commit ${report.commit}${run.quick ? ' (quick sizes)' : ''}`, '', '| target | workload | throughput | unit | p50 ms | p99 ms |', '|---|---|---|---|---|---|']
  for (const t of targets) for (const w of t.workloads) lines.push(`| ${t.role} | ${w.workload} | ${w.throughput} | ${w.unit} | ${w.latencyMs.p50} | ${w.latencyMs.p99} |`)
  lines.push('', '| ratio | value |', '|---|---|', ...Object.entries(ratios).map(([k, v]) => `| ${k} | ${v ?? '–'}× |`), '')
  writeFileSync(path.join(run.outDir, 'pg-latest.md'), `${lines.join('\n')}\n`)
  process.stdout.write('\n')
  for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k}: ${v ?? '–'}×\n`)
  process.stdout.write(`report: ${path.join(run.outDir, 'pg-latest.json')} and pg-latest.md\n`)
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench failed: ${(error as Error).stack ?? String(error)}`)
    process.exit(1)
  },
)
