/**
 * One conformance run: resolve the target (or start the embedded relay), probe it, run the
 * suites through the engine, gate the outcomes with expectations, and write every report
 * from the JSON Lines stream.
 */

import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { bytesToHex } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { type EmbeddedTarget, httpUrlOf, startEmbeddedRelay } from './embedded.ts'
import { loadCatalog } from './catalog.ts'
import { computeConformance } from './conformance.ts'
import { RepoRoot, runSuites } from './engine.ts'
import { UsageError } from './errors.ts'
import { type ExpectationsFile, applyExpectations, loadExpectations } from './expectations.ts'
import type { KeyPair } from './identity.ts'
import { probeTarget } from './probe.ts'
import { matchesPattern } from './select.ts'
import { writeReports } from './render/write.ts'
import { defaultSettings } from './settings.ts'
import { StreamFileName, StreamWriter, assembleReport, readStream, totalsOf } from './stream.ts'
import {
  type CaseRecord,
  type CatalogSnapshot,
  type EnvironmentInfo,
  type Profile,
  type Report,
  ReportFormatVersion,
  type RunSettings,
  RunnerContractVersion,
  type TargetInfo,
} from './types.ts'
import { decideVerdict } from './verdict.ts'

const require = createRequire(import.meta.url)
const packageJson = require('../../package.json') as { version: string }

export interface RunOptions {
  /** WebSocket URL of the target; omitted: the embedded reference relay. */
  url?: string
  httpUrl?: string
  /** Display name (matrix target name); default the URL's host or `embedded`. */
  name?: string
  /** Default: `origin` for the embedded relay, `core` for a URL. */
  profile?: Profile
  only?: string[]
  skip?: string[]
  strict?: boolean
  strictExpectations?: boolean
  expectationsFile?: string
  seed?: number
  runs?: number
  path?: string
  timeoutMs?: number
  /** Clock window override (seconds, symmetric); also the embedded relay's window. */
  skewSeconds?: number
  /** Pinned clock base for every case (replay `--now`). */
  clockBase?: number
  /** The clock trace of the case replayed (replay `--ticks`; needs clockBase). */
  clockTicks?: number[]
  /** The user's keys for relays with an allowlist (never written to a report). */
  keys?: KeyPair[]
  out: string
  /** Suite globs (tests of the harness use fixture suites). */
  include?: string[]
  progress?: boolean
}

export interface RunResult {
  report: Report
  outDir: string
}

export function environmentInfo(): EnvironmentInfo {
  const vitestPackage = require('vitest/package.json') as { version: string }
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    vitest: vitestPackage.version,
    fastCheck: fc.__version,
    harness: packageJson.version,
  }
}

export const SuiteVersion = packageJson.version

export function catalogSnapshot(): CatalogSnapshot {
  const catalog = loadCatalog()
  return {
    source: relative(RepoRoot, catalog.source),
    ...(catalog.error ? { error: catalog.error.replace(catalog.source, relative(RepoRoot, catalog.source)) } : {}),
    requirements: catalog.requirements,
  }
}

function validate(options: RunOptions): void {
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new UsageError(`error: ${name} must be a positive integer, got ${value}`)
    }
  }
  positive('--timeout', options.timeoutMs)
  positive('--runs', options.runs)
  if (options.clockBase !== undefined && (!Number.isFinite(options.clockBase) || options.clockBase < 0)) {
    throw new UsageError(`error: --now must be a non-negative number of seconds, got ${options.clockBase}`)
  }
  if (options.clockTicks !== undefined) {
    if (options.clockBase === undefined) throw new UsageError('error: --ticks needs --now (the trace counts from the clock base)')
    const ticks = options.clockTicks
    if (!ticks.every((t, i) => Number.isSafeInteger(t) && t >= 0 && (i === 0 || t >= (ticks[i - 1] as number)))) {
      throw new UsageError(`error: --ticks must be non-decreasing call numbers (0, 1, ...), got ${ticks.join(',')}`)
    }
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new UsageError(`error: --seed must be an integer, got ${options.seed}`)
  }
  if (options.skewSeconds !== undefined && (!Number.isSafeInteger(options.skewSeconds) || options.skewSeconds < 0)) {
    throw new UsageError(`error: --skew must be a non-negative integer, got ${options.skewSeconds}`)
  }
  for (const [name, url] of [
    ['WS_URL', options.url],
    ['--http', options.httpUrl],
  ] as const) {
    if (url === undefined) continue
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new UsageError(`error: ${name} is not a URL: ${url}`)
    }
    const allowed = name === 'WS_URL' ? ['ws:', 'wss:'] : ['http:', 'https:']
    if (!allowed.includes(parsed.protocol)) throw new UsageError(`error: ${name} must use ${allowed.join(' or ')}: ${url}`)
  }
}

/**
 * `--only` and `--skip` must each name something, and together leave something to run;
 * otherwise the command line is wrong (exit 2), not the relay.
 */
export function checkSelection(settings: Pick<RunSettings, 'only' | 'skip'>, declaredIds: readonly string[], selected: number): void {
  const unmatched = [
    ...settings.only.filter((p) => !declaredIds.some((id) => matchesPattern(id, p))).map((p) => `--only ${p}`),
    ...settings.skip.filter((p) => !declaredIds.some((id) => matchesPattern(id, p))).map((p) => `--skip ${p}`),
  ]
  if (unmatched.length > 0) throw new UsageError(`error: ${unmatched.join(', ')} ${unmatched.length === 1 ? 'matches' : 'match'} no case (see \`persona-conformance list\`)`)
  if (selected === 0 && settings.only.length + settings.skip.length > 0) throw new UsageError('error: --only and --skip together leave no case to run')
}

export async function runConformance(options: RunOptions): Promise<RunResult> {
  validate(options)
  const expectations: ExpectationsFile | undefined = options.expectationsFile ? loadExpectations(options.expectationsFile) : undefined
  const outDir = resolve(options.out)
  mkdirSync(outDir, { recursive: true })

  let embedded: EmbeddedTarget | undefined
  let target: TargetInfo
  const profile = options.profile ?? (options.url === undefined ? 'origin' : 'core')
  if (options.url === undefined) {
    // The embedded relay runs in the mode its profile describes: open for core, origin mode for origin.
    embedded = await startEmbeddedRelay({ ...(options.skewSeconds !== undefined ? { skewSeconds: options.skewSeconds } : {}), origin: profile === 'origin' })
    target = { ...embedded.target, ...(options.name ? { name: options.name } : {}) }
  } else {
    target = {
      name: options.name ?? new URL(options.url).host,
      url: options.url,
      httpUrl: options.httpUrl ?? httpUrlOf(options.url),
      embedded: false,
    }
  }

  try {
    const settings = defaultSettings({
      profile,
      ...(options.strict !== undefined ? { strict: options.strict } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.runs !== undefined ? { runs: options.runs } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.clockBase !== undefined ? { clockBase: options.clockBase } : {}),
      ...(options.clockTicks !== undefined ? { clockTicks: options.clockTicks } : {}),
      ...(options.keys?.length ? { userKeys: options.keys.length } : {}),
      ...(options.only ? { only: options.only } : {}),
      ...(options.skip ? { skip: options.skip } : {}),
    })
    const started = Date.now()
    const stream = new StreamWriter(join(outDir, StreamFileName))
    stream.write({
      type: 'header',
      format: 'nip-ap-conformance-report',
      version: ReportFormatVersion,
      contract: RunnerContractVersion,
      suiteVersion: SuiteVersion,
      startedAt: new Date(started).toISOString(),
      target,
      settings,
      ...(expectations ? { expectationsFile: expectations.file } : {}),
      environment: environmentInfo(),
      catalog: catalogSnapshot(),
    })
    const probe = await probeTarget(target, {
      timeoutMs: settings.timeoutMs,
      sameClock: target.embedded,
      ...(options.keys?.[0] ? { authKey: options.keys[0] } : {}),
      ...(options.skewSeconds !== undefined ? { skewSeconds: options.skewSeconds } : {}),
    })
    stream.write({ type: 'probe', probe })

    const cases: CaseRecord[] = []
    let runErrors: string[] = []
    if (probe.reachable) {
      const outcome = await runSuites({
        context: { mode: 'run', target, probe, settings, ...(options.keys?.length ? { keys: options.keys.map((k) => bytesToHex(k.secretKey)) } : {}) },
        ...(options.include ? { include: options.include } : {}),
        progress: options.progress ?? false,
        onCase: (record) => {
          cases.push(record)
          stream.write({ type: 'case', ...record })
        },
      })
      runErrors = outcome.runErrors
      if (runErrors.length === 0) checkSelection(settings, outcome.declaredIds, cases.length)
    }

    const gate = applyExpectations(cases, expectations, {
      strict: settings.strict,
      strictExpectations: options.strictExpectations ?? false,
    })
    const verdict = decideVerdict({ reachable: probe.reachable, failing: gate.failing, runErrors })
    stream.write({
      type: 'footer',
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      totals: totalsOf(cases),
      conformance: computeConformance(cases, settings.profile),
      ...(gate.summary ? { expectations: { ...gate.summary, statuses: Object.fromEntries(gate.statuses) } } : {}),
      verdict,
      runErrors,
    })
    const report = assembleReport(readStream(stream.file))
    writeReports(report, outDir)
    return { report, outDir }
  } finally {
    await embedded?.close()
  }
}
