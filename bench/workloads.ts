/**
 * The workloads, each run against one target relay with its load generators in child
 * processes, and the relay process metered over the measured window (CPU from
 * /proc/PID/stat, peak RSS from VmHWM reset just before the window).
 */

import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { NostrEvent } from '../spec/model/event.ts'
import type { CeilingConfig, CeilingResult } from './gen/ceiling.ts'
import type { FloodConfig, FloodResult } from './gen/flood.ts'
import type { IngestConfig, IngestResult } from './gen/ingest.ts'
import type { ReqConfig, ReqResult } from './gen/req.ts'
import type { SignConfig, SignResult } from './gen/sign.ts'
import type { SlowConfig, SlowResult } from './gen/slow.ts'
import type { SubscribeConfig, SubscribeResult } from './gen/subscribe.ts'
import { Generator, runTogether } from './lib/child.ts'
import type { IngestPlan } from './lib/personas.ts'
import { memory, ProcessMeter, type ThreadCpu } from './lib/proc.ts'
import { latenciesOutside, type LatencySummary, summarize } from './lib/stats.ts'
import type { Target } from './lib/targets.ts'

/** Every count and deadline of a run; `quick` shrinks them for a smoke test. */
export interface Sizes {
  ingestGenerators: number
  ingestEventsPerGenerator: number
  ingestInFlight: number
  ingestWarmup: number
  ingestMaxMs: number
  reqRate: number
  reqConnections: number
  reqMs: number
  reqBackgroundRate: number
  /** EVENTs the flooding connection sends without waiting. */
  floodEvents: number
  /** How long the other connection's REQs run during the flood (at reqRate). */
  floodReqMs: number
  fanoutSubscriberChildren: number
  fanoutConnectionsPerChild: number
  fanoutDecoys: number
  fanoutEvents: number
  fanoutMaxMs: number
  slowConnections: number
  slowEvents: number
  slowEventBytes: number
  slowMs: number
  ceilingBatch: number
  ceilingInFlight: number
}

export const FullSizes: Sizes = {
  ingestGenerators: 4,
  ingestEventsPerGenerator: 12_000,
  ingestInFlight: 64,
  ingestWarmup: 500,
  ingestMaxMs: 15_000,
  reqRate: 1000,
  reqConnections: 4,
  reqMs: 10_000,
  reqBackgroundRate: 500,
  floodEvents: 50_000,
  floodReqMs: 8_000,
  fanoutSubscriberChildren: 2,
  fanoutConnectionsPerChild: 250,
  fanoutDecoys: 4,
  fanoutEvents: 2_000,
  fanoutMaxMs: 20_000,
  slowConnections: 1000,
  slowEvents: 400,
  slowEventBytes: 8_000,
  slowMs: 12_000,
  ceilingBatch: 256,
  ceilingInFlight: 4,
}

export const QuickSizes: Sizes = {
  ...FullSizes,
  ingestEventsPerGenerator: 2_000,
  ingestWarmup: 200,
  ingestMaxMs: 5_000,
  reqMs: 3_000,
  floodEvents: 5_000,
  floodReqMs: 3_000,
  fanoutConnectionsPerChild: 50,
  fanoutEvents: 300,
  fanoutMaxMs: 8_000,
  slowConnections: 100,
  slowEvents: 100,
  slowMs: 4_000,
}

export interface RelayUsage {
  cpuSeconds: number
  /** CPU seconds by thread: main (sockets, parsing, fan-out), bulk (run nicer: verifiers, SQLite writer, checkpointer), other (readers, libuv, V8). */
  threads: ThreadCpu
  /** Average cores busy over the window. */
  cores: number
  peakRssMiB: number
}

export type WorkloadName = 'ingest' | 'req-quiet' | 'req' | 'flood' | 'fanout' | 'slow'

export interface WorkloadResult {
  workload: WorkloadName
  /** Main rate of the workload, in `unit`. */
  throughput: number
  unit: string
  latencyMs: LatencySummary
  relay: RelayUsage
  /**
   * CPU seconds the kernel's memory monitor (DAMON's kdamond threads, bench/lib/proc.ts
   * memoryMonitor) took during the window, on the cores the relay and generators share;
   * null when none runs (absent from reports before it was measured).
   */
  memoryMonitorCpuSeconds?: number | null
  details: Record<string, unknown>
}

const gen = (name: string) => new URL(`./gen/${name}.ts`, import.meta.url)
const GeneratorDeadlineMs = 120_000

/** The files of pre-signed events a run uses (signed once, sent to both relays). */
export interface EventFiles {
  ingest: string[]
  background: string
  flood: string
  fanout: string
  slow: string
  /** Authors of the fan-out publisher's events. */
  fanoutAuthors: string[]
  signer: string
}

export async function signAll(dir: string, sizes: Sizes): Promise<EventFiles> {
  const base = Math.floor(Date.now() / 1000) - 300
  const plan = (label: string, events: number, extra: Partial<IngestPlan> = {}): IngestPlan => ({
    label,
    owners: 20,
    events,
    replaceFraction: 0.25,
    baseCreatedAt: base,
    ...extra,
  })
  const jobs: Array<[string, IngestPlan]> = [
    ...Array.from({ length: sizes.ingestGenerators }, (_, i): [string, IngestPlan] => [
      `ingest${i}.json`,
      plan(`ingest${i}`, sizes.ingestEventsPerGenerator),
    ]),
    ['background.json', plan('background', Math.ceil((sizes.reqBackgroundRate * (sizes.reqMs + 2000)) / 1000) + 500)],
    ['flood.json', plan('flood', sizes.floodEvents, { owners: 50 })],
    ['fanout.json', plan('fanout', sizes.fanoutEvents, { owners: 10, replaceFraction: 0.5 })],
    ['slow.json', plan('slow', sizes.slowEvents, { owners: 5, padding: sizes.slowEventBytes })],
  ]
  const results = await runTogether(
    jobs.map(
      ([file, p]) =>
        new Generator<SignResult>(`sign ${file}`, gen('sign'), { plan: p, file: path.join(dir, file) } satisfies SignConfig, GeneratorDeadlineMs),
    ),
  )
  const fanout = path.join(dir, 'fanout.json')
  const authors = [...new Set((JSON.parse(readFileSync(fanout, 'utf8')) as NostrEvent[]).map((e) => e.pubkey))]
  return {
    ingest: jobs.slice(0, sizes.ingestGenerators).map(([file]) => path.join(dir, file)),
    background: path.join(dir, 'background.json'),
    flood: path.join(dir, 'flood.json'),
    fanout,
    slow: path.join(dir, 'slow.json'),
    fanoutAuthors: authors,
    signer: results[0]?.signer ?? 'unknown',
  }
}

export async function measureCeiling(files: EventFiles, sizes: Sizes): Promise<CeilingResult> {
  const config: CeilingConfig = { eventsFiles: files.ingest, batchSize: sizes.ceilingBatch, inFlight: sizes.ceilingInFlight }
  const [result] = await runTogether([new Generator<CeilingResult>('ceiling', gen('ceiling'), config, GeneratorDeadlineMs)])
  return result as CeilingResult
}

function usage(meter: ReturnType<ProcessMeter['stop']>): Pick<WorkloadResult, 'relay' | 'memoryMonitorCpuSeconds'> & { memoryMonitorBursts: Array<[number, number]> | null } {
  return {
    relay: { cpuSeconds: meter.cpuSeconds, threads: meter.threads, cores: meter.cores, peakRssMiB: Math.round(meter.memory.peakMiB) },
    memoryMonitorCpuSeconds: meter.memoryMonitorCpuSeconds,
    memoryMonitorBursts: meter.memoryMonitorBursts,
  }
}

function ingestGenerator(name: string, target: Target, file: string, extra: Partial<IngestConfig>): Generator<IngestResult> {
  const config: IngestConfig = { url: target.url, eventsFile: file, connections: 1, inFlight: 64, warmup: 0, durationMs: 10_000, ...extra }
  return new Generator<IngestResult>(name, gen('ingest'), config, GeneratorDeadlineMs)
}

function sumRefusals(results: IngestResult[]): Record<string, number> {
  const all: Record<string, number> = {}
  for (const r of results) for (const [k, v] of Object.entries(r.refusals)) all[k] = (all[k] ?? 0) + v
  return all
}

/** (a) Ingest: one connection per generator child, `ingestInFlight` EVENTs in flight each. */
export async function runIngest(target: Target, files: EventFiles, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const urls = target.urls ?? [target.url]
  const generators = files.ingest.map((file, i) =>
    ingestGenerator(`ingest${i}`, target, file, {
      url: urls[i % urls.length] as string,
      inFlight: sizes.ingestInFlight,
      warmup: sizes.ingestWarmup,
      durationMs: sizes.ingestMaxMs,
    }),
  )
  const results = await runTogether(generators, () => meter.start())
  const { relay, memoryMonitorCpuSeconds } = usage(meter.stop())
  const startedAt = Math.min(...results.map((r) => r.startedAt))
  const endedAt = Math.max(...results.map((r) => r.endedAt))
  const seconds = (endedAt - startedAt) / 1000
  const acknowledged = results.reduce((n, r) => n + r.accepted + r.duplicates, 0)
  const perEventMicros = (cpu: number) => (acknowledged > 0 ? Math.round((cpu * 1e6) / acknowledged) : null)
  return {
    workload: 'ingest',
    throughput: Math.round(acknowledged / seconds),
    unit: 'events/s acknowledged OK true',
    latencyMs: summarize(results.flatMap((r) => r.latenciesMs)),
    relay,
    memoryMonitorCpuSeconds,
    details: {
      connections: generators.length,
      inFlightPerConnection: sizes.ingestInFlight,
      warmupPerConnection: sizes.ingestWarmup,
      seconds: round(seconds),
      sent: sum(results, 'sent'),
      sentPerConnection: results.map((r) => r.sent),
      stored: sum(results, 'accepted'),
      duplicates: sum(results, 'duplicates'),
      refused: sum(results, 'refused'),
      refusals: sumRefusals(results),
      // Generators that ran out of time before sending all their events.
      cutByDeadline: results.filter((r, i) => r.sent + sizes.ingestWarmup < eventsIn(files.ingest[i] as string)).length,
      // CPU per acknowledged event, every thread of each process: what bounds ingest on a
      // machine whose cores the relay shares with its load generators (report.ts ceilingBound).
      cpuMicrosPerEvent: {
        relay: perEventMicros(relay.cpuSeconds),
        relayMainThread: perEventMicros(relay.threads.main),
        relayBulkThreads: perEventMicros(relay.threads.bulk),
        relayOtherThreads: perEventMicros(relay.threads.other),
        generators: perEventMicros(sum(results, 'cpuSeconds')),
      },
    },
  }
}

/** Addresses the ingest workload stored: those of the events each generator got to send. */
export function storedAddresses(files: EventFiles, dir: string, role: string, sentPerFile: number[]): string {
  const addresses = new Map<string, [string, string]>()
  files.ingest.forEach((file, i) => {
    const events = JSON.parse(readFileSync(file, 'utf8')) as NostrEvent[]
    for (const e of events.slice(0, sentPerFile[i])) {
      const d = e.tags[0]?.[1] as string
      addresses.set(`${e.pubkey}:${d}`, [e.pubkey, d])
    }
  })
  const out = path.join(dir, `addresses-${role}.json`)
  writeFileSync(out, JSON.stringify([...addresses.values()]))
  return out
}

function reqGenerator(target: Target, addressesFile: string, sizes: Sizes, durationMs: number): Generator<ReqResult> {
  const config: ReqConfig = {
    url: target.url,
    addressesFile,
    connections: sizes.reqConnections,
    ratePerSec: sizes.reqRate,
    durationMs,
    warmup: 200,
    seed: 7,
  }
  return new Generator<ReqResult>('req', gen('req'), config, GeneratorDeadlineMs)
}

/** A REQ workload's latencies apart from the kernel memory monitor's bursts, when it ran. */
export interface OutsideMemoryMonitor {
  bursts: number
  requestsLeftOut: number
  latencyMs: LatencySummary
}

function outsideMemoryMonitor(reqResult: ReqResult, bursts: Array<[number, number]>): OutsideMemoryMonitor {
  const outside = latenciesOutside(reqResult.latenciesMs, reqResult.dueAtEpochMs, bursts)
  return { bursts: bursts.length, requestsLeftOut: reqResult.latenciesMs.length - outside.length, latencyMs: summarize(outside) }
}

/**
 * A REQ workload's details. With the kernel's memory monitor running, also the latencies of
 * the REQs that were not in flight during any of its bursts: the relay's own tail, apart from
 * the machine's stalls (reference-relay/PERFORMANCE.md).
 */
function reqDetails(reqResult: ReqResult, sizes: Sizes, monitorBursts: Array<[number, number]> | null) {
  return {
    ...(monitorBursts === null ? {} : { outsideMemoryMonitor: outsideMemoryMonitor(reqResult, monitorBursts) }),
    targetRate: sizes.reqRate,
    connections: sizes.reqConnections,
    due: reqResult.due,
    answered: reqResult.answered,
    emptyAnswers: reqResult.empty,
    seconds: round((reqResult.endedAt - reqResult.startedAt) / 1000),
    latencyFrom: 'the moment each REQ was due (open loop) to its EOSE',
    probeEventLoopDelayMs: reqResult.probeDelayMs,
  }
}

/** (b) REQ by address at a fixed rate, nothing else going on. */
export async function runReqQuiet(target: Target, addressesFile: string, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const [reqResult] = (await runTogether<ReqResult>([reqGenerator(target, addressesFile, sizes, sizes.reqMs)], () => meter.start())) as [ReqResult]
  const { relay, memoryMonitorCpuSeconds, memoryMonitorBursts } = usage(meter.stop())
  return {
    workload: 'req-quiet',
    throughput: Math.round(reqResult.answered / ((reqResult.endedAt - reqResult.startedAt) / 1000)),
    unit: 'REQ/s answered (EOSE), no writes',
    latencyMs: summarize(reqResult.latenciesMs),
    relay,
    memoryMonitorCpuSeconds,
    details: reqDetails(reqResult, sizes, memoryMonitorBursts),
  }
}

/** (c) REQ by address at a fixed rate while a paced background ingest keeps writing. */
export async function runReq(target: Target, files: EventFiles, addressesFile: string, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const req = reqGenerator(target, addressesFile, sizes, sizes.reqMs)
  const background = ingestGenerator('background', target, files.background, {
    inFlight: 16,
    durationMs: sizes.reqMs,
    ratePerSec: sizes.reqBackgroundRate,
  })
  const [reqResult, backgroundResult] = (await runTogether<ReqResult | IngestResult>([req, background], () => meter.start())) as [
    ReqResult,
    IngestResult,
  ]
  const { relay, memoryMonitorCpuSeconds, memoryMonitorBursts } = usage(meter.stop())
  const seconds = (reqResult.endedAt - reqResult.startedAt) / 1000
  const backgroundSeconds = (backgroundResult.endedAt - backgroundResult.startedAt) / 1000
  return {
    workload: 'req',
    throughput: Math.round(reqResult.answered / seconds),
    unit: `REQ/s answered (EOSE) while ${sizes.reqBackgroundRate} personas/s are written`,
    latencyMs: summarize(reqResult.latenciesMs),
    relay,
    memoryMonitorCpuSeconds,
    details: {
      ...reqDetails(reqResult, sizes, memoryMonitorBursts),
      backgroundIngest: {
        targetRate: sizes.reqBackgroundRate,
        achievedRate: Math.round((backgroundResult.accepted + backgroundResult.duplicates) / backgroundSeconds),
        latencyMs: summarize(backgroundResult.latenciesMs),
      },
    },
  }
}

/**
 * (d) Flood isolation: one connection sends `floodEvents` EVENTs without waiting for any OK
 * while the REQ generator (the quiet workload's settings) measures what other connections
 * see; the relay's peak RSS shows whether the flood is held in bounded queues.
 */
export async function runFlood(target: Target, files: EventFiles, addressesFile: string, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const req = reqGenerator(target, addressesFile, sizes, sizes.floodReqMs)
  const flood = new Generator<FloodResult>(
    'flood',
    gen('flood'),
    { url: target.url, eventsFile: files.flood, drainMs: sizes.floodReqMs + 10_000 } satisfies FloodConfig,
    GeneratorDeadlineMs,
  )
  const rssBeforeMiB = Math.round(memory(target.pid).rssMiB)
  const [reqResult, floodResult] = (await runTogether<ReqResult | FloodResult>([req, flood], () => meter.start())) as [ReqResult, FloodResult]
  const { relay, memoryMonitorCpuSeconds, memoryMonitorBursts } = usage(meter.stop())
  return {
    workload: 'flood',
    throughput: Math.round(reqResult.answered / ((reqResult.endedAt - reqResult.startedAt) / 1000)),
    unit: `REQ/s answered (EOSE) on other connections while one connection floods ${sizes.floodEvents} EVENTs`,
    latencyMs: summarize(reqResult.latenciesMs),
    relay,
    memoryMonitorCpuSeconds,
    details: {
      ...reqDetails(reqResult, sizes, memoryMonitorBursts),
      rssBeforeMiB,
      peakRssMiB: relay.peakRssMiB,
      flood: {
        events: sizes.floodEvents,
        sent: floodResult.sent,
        sendSeconds: round(floodResult.sendSeconds),
        oks: floodResult.oks,
        stored: floodResult.stored,
        duplicates: floodResult.duplicates,
        rateLimited: floodResult.rateLimited,
        refused: floodResult.refused,
        seconds: round(floodResult.seconds),
        closedByRelay: floodResult.closedByRelay,
      },
    },
  }
}

/** (e) Fan-out of new heads to many live subscriptions (plus decoys that never match). */
export async function runFanout(target: Target, files: EventFiles, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const events = eventsIn(files.fanout)
  const subscribers = Array.from(
    { length: sizes.fanoutSubscriberChildren },
    (_, i) =>
      new Generator<SubscribeResult>(
        `subscribers${i}`,
        gen('subscribe'),
        {
          url: target.urls?.at(-1) ?? target.url,
          connections: sizes.fanoutConnectionsPerChild,
          authors: files.fanoutAuthors,
          decoys: sizes.fanoutDecoys,
          expected: events,
          durationMs: sizes.fanoutMaxMs,
          label: `s${i}`,
        } satisfies SubscribeConfig,
        GeneratorDeadlineMs,
      ),
  )
  // Subscribers first, so every subscription is open before the first event goes out.
  await Promise.all(subscribers.map((s) => s.ready))
  const publisher = ingestGenerator('publisher', target, files.fanout, {
    inFlight: 64,
    durationMs: sizes.fanoutMaxMs,
    recordSendTimes: true,
  })
  const [published, ...received] = (await runTogether<IngestResult | SubscribeResult>([publisher, ...subscribers], () =>
    meter.start(),
  )) as [IngestResult, ...SubscribeResult[]]
  const { relay, memoryMonitorCpuSeconds } = usage(meter.stop())
  const deliveries = received.reduce((n, r) => n + r.deliveries, 0)
  const lastAt = Math.max(...received.map((r) => r.lastAt))
  const seconds = (lastAt - published.startedAt) / 1000
  const sendTimes = published.sendTimes ?? {}
  const latencies: number[] = []
  for (const r of received) {
    for (const [id, at] of Object.entries(r.sample)) {
      const sent = sendTimes[id]
      if (sent !== undefined) latencies.push(at - sent)
    }
  }
  const connections = sizes.fanoutSubscriberChildren * sizes.fanoutConnectionsPerChild
  return {
    workload: 'fanout',
    throughput: Math.round(deliveries / seconds),
    unit: 'deliveries/s (EVENT frames to matching subscriptions)',
    latencyMs: summarize(latencies),
    relay,
    memoryMonitorCpuSeconds,
    details: {
      subscriberConnections: connections,
      subscriptions: connections * (1 + sizes.fanoutDecoys),
      matchingSubscriptions: connections,
      published: published.accepted + published.duplicates,
      deliveries,
      expectedDeliveries: connections * events,
      misdelivered: received.reduce((n, r) => n + r.misdelivered, 0),
      closedByRelay: mergeCounts(received.map((r) => r.closedByRelay)),
      seconds: round(seconds),
      latencyFrom: 'EVENT sent by the publisher to its arrival at a subscriber (one sampled connection per child)',
      publisherAckLatencyMs: summarize(published.latenciesMs),
    },
  }
}

/** Memory with many subscribers that stop reading while bulky events keep coming. */
export async function runSlow(target: Target, files: EventFiles, sizes: Sizes): Promise<WorkloadResult> {
  const meter = new ProcessMeter(target.pid)
  const idleRssMiB = Math.round(memory(target.pid).rssMiB)
  const events = eventsIn(files.slow)
  const halves = [Math.ceil(sizes.slowConnections / 2), Math.floor(sizes.slowConnections / 2)]
  const slow = halves.map(
    (connections, i) =>
      new Generator<SlowResult>(
        `slow${i}`,
        gen('slow'),
        { url: target.url, connections, durationMs: sizes.slowMs, readBackMs: 2_000 } satisfies SlowConfig,
        GeneratorDeadlineMs,
      ),
  )
  const healthy = new Generator<SubscribeResult>(
    'healthy',
    gen('subscribe'),
    {
      url: target.url,
      connections: 1,
      authors: [...new Set((JSON.parse(readFileSync(files.slow, 'utf8')) as NostrEvent[]).map((e) => e.pubkey))],
      decoys: 0,
      expected: events,
      durationMs: sizes.slowMs,
      label: 'h',
    } satisfies SubscribeConfig,
    GeneratorDeadlineMs,
  )
  await Promise.all([...slow, healthy].map((g) => g.ready))
  const publisher = ingestGenerator('bulky publisher', target, files.slow, { inFlight: 16, durationMs: sizes.slowMs })
  const [published, healthyResult, ...slowResults] = (await runTogether<IngestResult | SubscribeResult | SlowResult>(
    [publisher, healthy, ...slow],
    () => meter.start(),
  )) as [IngestResult, SubscribeResult, ...SlowResult[]]
  const { relay, memoryMonitorCpuSeconds } = usage(meter.stop())
  const seconds = (published.endedAt - published.startedAt) / 1000
  const eventBytes = Math.round(readFileSync(files.slow).byteLength / events)
  return {
    workload: 'slow',
    throughput: Math.round((published.accepted + published.duplicates) / seconds),
    unit: 'bulky events/s acknowledged while slow readers pile up',
    latencyMs: summarize(published.latenciesMs),
    relay,
    memoryMonitorCpuSeconds,
    details: {
      slowConnections: sizes.slowConnections,
      events,
      eventBytes,
      outputDemandedMiB: Math.round((sizes.slowConnections * events * eventBytes) / 1024 / 1024),
      idleRssMiB,
      peakRssMiB: relay.peakRssMiB,
      slowClosedByRelay: mergeCounts(slowResults.map((r) => r.closedByRelay)),
      slowClosedFrames: slowResults.reduce((n, r) => n + r.closedFrames, 0),
      slowNotices: slowResults.reduce((n, r) => n + r.notices, 0),
      healthySubscriberReceived: healthyResult.deliveries,
      healthySubscriberExpected: events,
      published: published.accepted + published.duplicates,
      publisherRefusals: sumRefusals([published]),
    },
  }
}

const eventCounts = new Map<string, number>()
function eventsIn(file: string): number {
  let n = eventCounts.get(file)
  if (n === undefined) eventCounts.set(file, (n = (JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length))
  return n
}

function sum<K extends keyof IngestResult>(results: IngestResult[], key: K): number {
  return results.reduce((n, r) => n + (r[key] as number), 0)
}

function mergeCounts(all: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {}
  for (const counts of all) for (const [k, v] of Object.entries(counts)) merged[k] = (merged[k] ?? 0) + v
  return merged
}

const round = (v: number) => Math.round(v * 100) / 100
