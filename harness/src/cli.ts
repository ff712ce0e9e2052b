/**
 * `persona-conformance`: run the NIP-AP conformance suites against a relay and report.
 * Verbs: run, list, coverage, matrix, replay. Each has --help and --json.
 */

import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { ArgsError, didYouMean, type OptionSpecs, packageVersion, parseOptions, takeCommandWords, wantsVersion } from '../../lib/cli/args.ts'
import { loadCatalog } from './catalog.ts'
import { collectClientTests } from './client-tests.ts'
import { conformanceOf } from './conformance.ts'
import { computeCoverage } from './coverage.ts'
import { collectCases } from './engine.ts'
import { UsageError } from './errors.ts'
import { type MatrixTarget, runMatrix } from './matrix.ts'
import { type KeyPair, parseSecretKey } from './identity.ts'
import { emptyProbe } from './probe.ts'
import { replayOf } from './replay.ts'
import { type RunOptions, runConformance } from './run.ts'
import { defaultSettings } from './settings.ts'
import { formatTotalsLine } from './stream.ts'
import { type Profile, Profiles, type Report, type SuiteContext } from './types.ts'
import { ExitCodes, formatExitCodeTable } from './verdict.ts'

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  isTTY: boolean
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
}

const DefaultOut = 'reports/latest'

const runFlags = `  --http URL            HTTP origin of the target (default: the WebSocket URL with http(s))
  --profile core|origin which cases apply (default: origin for the embedded relay, core for a URL)
  --only PATTERN        run only matching cases (repeatable; id, dotted prefix or * glob)
  --skip PATTERN        leave out matching cases (repeatable)
  --strict              count SHOULD failures (warn) as failures
  --expectations FILE   known failures and skips (JSON, see harness/README.md)
  --strict-expectations also fail when an expected failure now passes
  --seed N              fast-check seed for every property case (default: random, printed)
  --runs N              fast-check runs per property case (default: each case's own)
  --timeout MS          deadline of every single wait on the target (default 5000)
  --skew SECONDS        clock window to assume instead of the NIP-11 limits
  --key SECRET          a secret key (hex or nsec) the relay admits, for relays with an
                        allowlist (repeatable; never printed or written to a report)
  --key-file FILE       the same, one key per line (# starts a comment)
  --out DIR             report directory (default ${DefaultOut})
  --json                print a JSON summary on stdout (the totals line goes to stderr)`

const exitCodes = `Exit codes:\n${formatExitCodeTable()}`

const Help: Record<string, string> = {
  main: `persona-conformance: NIP-AP (kind 30175) conformance suite for Nostr relays

Usage: persona-conformance <command> [options]

Commands:
  run [WS_URL]      run the suites against a relay (no URL: the embedded reference relay)
  list              every case with its id, area, requirement ids, level and profile
  coverage          every requirement with the cases covering it (uncovered first)
  matrix            run several targets and write one comparison report
  replay CASE_ID    re-run one case exactly (seed, property path, clock)

Run \`persona-conformance <command> --help\` for a command's options. Options may stand
before or after the command; \`--version\` prints the version.

${exitCodes}
`,
  run: `Usage: persona-conformance run [WS_URL] [options]

Runs every selected case against WS_URL (ws:// or wss://) after a capability probe, and
writes report.jsonl, report.json, junit.xml, summary.md and index.html to --out. Without
WS_URL it starts the reference relay in memory on a free port and runs against it.

Options:
${runFlags}
  --name NAME           target name shown in reports (default: the URL's host)
  -h, --help            this help

Outcomes: pass, fail (a MUST broken), warn (a SHOULD broken), skip (precondition not met,
with the reason), error (the harness could not decide: timeout, disconnect, garbage).
The last line printed is: N cases, N passed, N failed, N warned, N skipped, N errored

${exitCodes}
`,
  list: `Usage: persona-conformance list [--json]

Lists every case of the suites with its id, area, requirement ids, level and profile.
Loads the suite files without contacting any relay.
`,
  coverage: `Usage: persona-conformance coverage [--json] [--fail-uncovered]

Lists every requirement of spec/requirements.json with what covers it: the suite cases
that cite it (relay requirements) and the reference client's tests that cite it in
meta.requirements (client, reader and writer requirements; reference-client/README.md).
Testable requirements with neither come first.
  --fail-uncovered   exit 1 when a testable requirement (relay or client) has no case or test
`,
  matrix: `Usage: persona-conformance matrix --target NAME=WS_URL[,HTTP_URL]... --out DIR [options]

Runs the suites against every target (NAME=embedded starts the reference relay) and writes
DIR/<NAME>/ (a full report per target) plus DIR/report.json, DIR/summary.md and
DIR/index.html comparing them case by case and requirement by requirement.

Options:
  --target NAME=WS_URL[,HTTP_URL]  a target (repeatable)
  --expectations NAME=FILE         expectations for one target (repeatable)
${runFlags
  .split('\n')
  .filter((line) => !/--http |--expectations |--out /.test(line))
  .join('\n')}
  --out DIR                        output directory (required)

Exit code: 0 when every target exits 0, 2 for usage errors, else 1.
`,
  replay: `Usage: persona-conformance replay CASE_ID --seed N [--path P] [--now T --ticks L] [WS_URL] [options]

Re-runs one case exactly: the same seed makes the same keys, slugs and generated values;
for a property case the path picks the same shrunk counterexample; --now pins the relay
clock the case counted from and --ticks replays when that clock passed a second, so its
events get the same created_at and the same ids however long the replay takes (a relay
with a clock window refuses them once T is outside it). The report of a failure prints
this command. Without WS_URL the embedded reference relay is used.

Options:
  --seed N          seed of the failing run (required)
  --path P          fast-check path of the counterexample (property cases)
  --now T           the case's clock base in seconds, e.g. 1796156662.734 (clockBase in the report)
  --ticks L         the case's clock trace: call numbers of c.now() at which a second passed,
                    e.g. 4,9, or none (clockTicks in the report; needs --now)
  --key SECRET, --key-file FILE   as for run
  --runs N          number of runs (default: the case's own)
  --http URL        HTTP origin of the target
  --profile core|origin
  --timeout MS      per-wait deadline (default 5000)
  --out DIR         report directory (default reports/latest/replay)
  --json            print the case record as JSON

${exitCodes}
`,
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value)) throw new UsageError(`error: ${name} must be an integer, got ${JSON.stringify(value)}`)
  return Number(value)
}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+(\.\d{1,3})?$/.test(value)) throw new UsageError(`error: ${name} must be seconds (digits, up to 3 decimals), got ${JSON.stringify(value)}`)
  return Number(value)
}

/** `--ticks`: `none` or comma-separated call numbers. */
function ticksOf(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined
  if (value === 'none') return []
  if (!/^\d+(,\d+)*$/.test(value)) throw new UsageError(`error: --ticks must be none or call numbers separated by commas, e.g. 4,9, got ${JSON.stringify(value)}`)
  return value.split(',').map(Number)
}

function profileOf(value: string | undefined): Profile | undefined {
  if (value === undefined) return undefined
  if (!(Profiles as readonly string[]).includes(value)) throw new UsageError(`error: --profile must be core or origin, got ${value}`)
  return value as Profile
}

const commonRunOptions = {
  profile: { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  'strict-expectations': { type: 'boolean' },
  seed: { type: 'string' },
  runs: { type: 'string' },
  timeout: { type: 'string' },
  skew: { type: 'string' },
  key: { type: 'string', multiple: true },
  'key-file': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function parse<const T extends OptionSpecs>(args: string[], options: T) {
  try {
    return parseOptions(args, options)
  } catch (error) {
    if (error instanceof ArgsError) throw new UsageError(`error: ${error.message}`)
    throw error
  }
}

type RunValues = {
  profile?: string
  only?: string[]
  skip?: string[]
  strict?: boolean
  'strict-expectations'?: boolean
  seed?: string
  runs?: string
  timeout?: string
  skew?: string
  key?: string[]
  'key-file'?: string
}

/** The user's keys from --key and --key-file, in that order. Messages never repeat a key. */
export function userKeysOf(values: Pick<RunValues, 'key' | 'key-file'>): KeyPair[] {
  const keys: KeyPair[] = []
  const add = (text: string, where: string): void => {
    const parsed = parseSecretKey(text, where)
    if (!parsed.ok) throw new UsageError(parsed.message)
    if (!keys.some((k) => k.pubkey === parsed.key.pubkey)) keys.push(parsed.key)
  }
  ;(values.key ?? []).forEach((text, i) => add(text, `--key number ${i + 1}`))
  const file = values['key-file']
  if (file !== undefined) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new UsageError(`error: cannot read --key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`)
    }
    text.split('\n').forEach((line, i) => {
      const content = line.replace(/#.*$/, '').trim()
      if (content !== '') add(content, `--key-file ${file} line ${i + 1}`)
    })
  }
  return keys
}

function runOptionsOf(values: RunValues): Omit<RunOptions, 'out'> {
  const profile = profileOf(values.profile)
  const seed = integer('--seed', values.seed)
  const runs = integer('--runs', values.runs)
  const timeoutMs = integer('--timeout', values.timeout)
  const skewSeconds = integer('--skew', values.skew)
  const keys = userKeysOf(values)
  return {
    ...(profile ? { profile } : {}),
    ...(keys.length > 0 ? { keys } : {}),
    only: values.only ?? [],
    skip: values.skip ?? [],
    strict: values.strict ?? false,
    strictExpectations: values['strict-expectations'] ?? false,
    ...(seed !== undefined ? { seed } : {}),
    ...(runs !== undefined ? { runs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(skewSeconds !== undefined ? { skewSeconds } : {}),
  }
}

/** Every --json document names its format and version (schemas/cli-*.v1.schema.json). */
export const JsonFormats = {
  run: 'nip-ap-conformance-run-summary',
  list: 'nip-ap-conformance-case-list',
  coverage: 'nip-ap-conformance-coverage',
  matrix: 'nip-ap-conformance-matrix-summary',
  replay: 'nip-ap-conformance-replay',
} as const
export const JsonFormatVersion = 1

function runSummary(report: Report, outDir: string) {
  return {
    format: JsonFormats.run,
    version: JsonFormatVersion,
    target: report.target,
    totals: report.totals,
    conformance: conformanceOf(report),
    verdict: report.verdict,
    seed: report.settings.seed,
    out: outDir,
    cases: report.cases.map((c) => ({
      id: c.id,
      outcome: c.outcome,
      message: c.message,
      replay: replayOf(c, report.settings.seed, report.target),
      ...(c.expectation ? { expectation: c.expectation.status } : {}),
    })),
  }
}

function printRunEnd(io: CliIo, report: Report, outDir: string, json: boolean): void {
  if (json) {
    io.out(`${JSON.stringify(runSummary(report, outDir), null, 2)}\n`)
    io.err(`${formatTotalsLine(report.totals)}\n`)
    return
  }
  if (!report.probe.reachable) io.err(`error: target unreachable: ${report.probe.unreachableReason ?? ''}\n`)
  const failing = new Set(report.verdict.failing)
  for (const c of report.cases) {
    if (!failing.has(c.id)) continue
    io.err(`${c.outcome.toUpperCase()} ${c.id}: ${c.message}\n`)
    io.err(`  replay: ${replayOf(c, report.settings.seed, report.target)}\n`)
  }
  for (const error of report.runErrors) io.err(`ERROR ${error}\n`)
  io.err(`seed ${report.settings.seed}; reports in ${outDir}\n`)
  io.out(`${formatTotalsLine(report.totals)}\n`)
}

/** The options of `run` (action.yml's inputs are checked against this table). */
export const RunOptionSpecs = {
  ...commonRunOptions,
  http: { type: 'string' },
  expectations: { type: 'string' },
  name: { type: 'string' },
} as const

async function commandRun(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, RunOptionSpecs)
  if (values.help) {
    io.out(Help.run ?? '')
    return ExitCodes.ok
  }
  if (positionals.length > 1) throw new UsageError(`error: run takes at most one WS_URL, got ${positionals.join(' ')}`)
  const url = positionals[0]
  const out = values.out ?? DefaultOut
  const { report, outDir } = await runConformance({
    ...runOptionsOf(values),
    ...(url ? { url } : {}),
    ...(values.http ? { httpUrl: values.http } : {}),
    ...(values.expectations ? { expectationsFile: values.expectations } : {}),
    ...(values.name ? { name: values.name } : {}),
    out,
    progress: io.isTTY && !values.json,
  })
  printRunEnd(io, report, outDir, values.json ?? false)
  return report.verdict.exitCode
}

function listContext(): SuiteContext {
  return {
    mode: 'list',
    target: { name: 'list', url: 'ws://127.0.0.1:1', httpUrl: 'http://127.0.0.1:1', embedded: false },
    probe: emptyProbe('not probed: listing only'),
    settings: defaultSettings({ seed: 0 }),
  }
}

async function listedCases() {
  const { cases, loadErrors } = await collectCases(listContext())
  if (loadErrors.length > 0) throw new UsageError(`error: suite files failed to load:\n${loadErrors.join('\n')}`)
  return cases
}

const ListOptionSpecs = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

async function commandList(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, ListOptionSpecs)
  if (values.help) {
    io.out(Help.list ?? '')
    return ExitCodes.ok
  }
  const cases = await listedCases()
  const rows = cases.map((c) => ({
    id: c.declaration.id,
    title: c.declaration.title,
    area: c.area,
    file: c.file,
    requirements: c.declaration.requirements,
    level: c.declaration.level,
    profile: c.declaration.profile,
    needs: c.declaration.needs ?? [],
  }))
  if (values.json) {
    io.out(`${JSON.stringify({ format: JsonFormats.list, version: JsonFormatVersion, cases: rows }, null, 2)}\n`)
    return ExitCodes.ok
  }
  const width = Math.max(4, ...rows.map((r) => r.id.length))
  io.out(`${'case'.padEnd(width)}  ${'level'.padEnd(6)} ${'profile'.padEnd(7)} requirements\n`)
  for (const r of rows) {
    io.out(`${r.id.padEnd(width)}  ${r.level.padEnd(6)} ${r.profile.padEnd(7)} ${r.requirements.join(', ')}\n`)
  }
  io.out(`${rows.length} cases\n`)
  return ExitCodes.ok
}

const CoverageOptionSpecs = {
  json: { type: 'boolean' },
  'fail-uncovered': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

async function commandCoverage(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, CoverageOptionSpecs)
  if (values.help) {
    io.out(Help.coverage ?? '')
    return ExitCodes.ok
  }
  const catalog = loadCatalog()
  if (catalog.error) throw new UsageError(catalog.error)
  const cases = await listedCases()
  const client = await collectClientTests()
  if (client.loadErrors.length > 0) throw new UsageError(`error: client test files failed to load:\n${client.loadErrors.join('\n')}`)
  const coverage = computeCoverage(
    catalog.requirements,
    cases.map((c) => ({ id: c.declaration.id, requirements: c.declaration.requirements })),
    client.tests,
  )
  const exit = values['fail-uncovered'] && coverage.counts.uncovered > 0 ? ExitCodes.failures : ExitCodes.ok
  if (values.json) {
    io.out(
      `${JSON.stringify(
        {
          format: JsonFormats.coverage,
          version: JsonFormatVersion,
          counts: coverage.counts,
          requirements: coverage.rows.map((row) => ({
            id: row.requirement.id,
            level: row.requirement.level,
            role: row.requirement.role,
            profile: row.requirement.profile,
            summary: row.requirement.summary,
            testable: row.requirement.testable,
            relayTestable: row.requirement.relayTestable,
            status: row.status,
            cases: row.cases.map((c) => c.id),
            clientTests: row.clientTests,
          })),
          unknownIds: coverage.unknownIds,
        },
        null,
        2,
      )}\n`,
    )
    return exit
  }
  for (const row of coverage.rows) {
    const r = row.requirement
    const evidence = [
      ...(row.cases.length > 0 ? [row.cases.map((c) => c.id).join(', ')] : []),
      ...(row.clientTests.length > 0 ? [`${row.clientTests.length} client test(s)`] : []),
    ]
    const shown = row.status === 'covered' ? evidence.join('; ') : row.status === 'uncovered' ? 'UNCOVERED' : '(not testable)'
    io.out(`${r.id.padEnd(14)} ${r.level.padEnd(10)} ${r.role.padEnd(7)} ${r.profile.padEnd(7)} ${shown}\n`)
  }
  for (const unknown of coverage.unknownIds) {
    io.err(`unknown requirement id ${unknown.requirement} cited by ${unknown.cases.join(', ')}\n`)
  }
  const c = coverage.counts
  io.out(`${c.requirements} requirements (${c.relayTestable} relay-testable, ${c.clientTestable} client-testable): ${c.covered} covered, ${c.uncovered} testable uncovered\n`)
  return exit
}

export function parseTarget(spec: string): MatrixTarget {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec)
  if (!match) throw new UsageError(`error: --target must be NAME=WS_URL[,HTTP_URL] (NAME of letters, digits, . _ -), got ${spec}`)
  const name = match[1] as string
  const [url, httpUrl] = (match[2] as string).split(',')
  if (url === 'embedded') return { name }
  return { name, url: url as string, ...(httpUrl ? { httpUrl } : {}) }
}

const MatrixOptionSpecs = {
  ...commonRunOptions,
  target: { type: 'string', multiple: true },
  expectations: { type: 'string', multiple: true },
} as const

async function commandMatrix(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, MatrixOptionSpecs)
  if (values.help) {
    io.out(Help.matrix ?? '')
    return ExitCodes.ok
  }
  if (positionals.length > 0) throw new UsageError(`error: matrix takes no positional arguments (use --target), got ${positionals.join(' ')}`)
  if (!values.out) throw new UsageError('error: matrix needs --out DIR')
  const targets = (values.target ?? []).map(parseTarget)
  if (targets.length === 0) throw new UsageError('error: matrix needs at least one --target NAME=WS_URL')
  const names = new Set<string>()
  for (const t of targets) {
    if (names.has(t.name)) throw new UsageError(`error: target name ${t.name} used twice`)
    names.add(t.name)
  }
  for (const spec of values.expectations ?? []) {
    const match = /^([^=]+)=(.+)$/.exec(spec)
    const target = match ? targets.find((t) => t.name === match[1]) : undefined
    if (!match || !target) throw new UsageError(`error: --expectations must be NAME=FILE naming a --target, got ${spec}`)
    target.expectationsFile = match[2] as string
  }
  const result = await runMatrix({
    targets,
    out: values.out,
    run: runOptionsOf(values),
    onTargetDone: (name, report) => io.err(`${name}: ${formatTotalsLine(report.totals)} (exit ${report.verdict.exitCode})\n`),
    progress: io.isTTY && !values.json,
  })
  if (values.json) {
    io.out(
      `${JSON.stringify(
        {
          format: JsonFormats.matrix,
          version: JsonFormatVersion,
          out: result.outDir,
          exitCode: result.exitCode,
          targets: result.matrix.targets.map((t) => ({ name: t.name, totals: t.totals, conformance: t.conformance, verdict: t.verdict })),
        },
        null,
        2,
      )}\n`,
    )
  } else {
    io.out(`matrix of ${result.matrix.targets.length} targets written to ${result.outDir}\n`)
  }
  return result.exitCode
}

const ReplayOptionSpecs = {
  seed: { type: 'string' },
  path: { type: 'string' },
  now: { type: 'string' },
  ticks: { type: 'string' },
  key: { type: 'string', multiple: true },
  'key-file': { type: 'string' },
  runs: { type: 'string' },
  http: { type: 'string' },
  profile: { type: 'string' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

async function commandReplay(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, ReplayOptionSpecs)
  if (values.help) {
    io.out(Help.replay ?? '')
    return ExitCodes.ok
  }
  const [caseId, url, ...rest] = positionals
  if (!caseId) throw new UsageError('error: replay needs a CASE_ID')
  if (rest.length > 0) throw new UsageError(`error: unexpected arguments: ${rest.join(' ')}`)
  const seed = integer('--seed', values.seed)
  if (seed === undefined) throw new UsageError('error: replay needs --seed N')
  const runs = integer('--runs', values.runs)
  const timeoutMs = integer('--timeout', values.timeout)
  const clockBase = seconds('--now', values.now)
  const clockTicks = ticksOf(values.ticks)
  const profile = profileOf(values.profile)
  const keys = userKeysOf(values)
  const { report, outDir } = await runConformance({
    ...(url ? { url } : {}),
    ...(clockBase !== undefined ? { clockBase } : {}),
    ...(clockTicks !== undefined ? { clockTicks } : {}),
    ...(keys.length > 0 ? { keys } : {}),
    ...(values.http ? { httpUrl: values.http } : {}),
    ...(profile ? { profile } : {}),
    only: [caseId],
    seed,
    ...(values.path !== undefined ? { path: values.path } : {}),
    ...(runs !== undefined ? { runs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    out: values.out ?? 'reports/latest/replay',
  })
  const record = report.cases.find((c) => c.id === caseId)
  if (report.probe.reachable && !record) throw new UsageError(`error: no case with id ${caseId} (see \`persona-conformance list\`)`)
  if (values.json) {
    io.out(`${JSON.stringify({ format: JsonFormats.replay, version: JsonFormatVersion, case: record ?? null }, null, 2)}\n`)
  } else if (record) {
    io.out(`${record.outcome.toUpperCase()} ${record.id}${record.message ? `: ${record.message}` : ''}\n`)
    if (record.property) io.out(`counterexample: ${record.property.counterexample}\n`)
  }
  printRunEnd({ ...io, out: values.json ? io.err : io.out }, report, outDir, false)
  return report.verdict.exitCode
}

const Commands: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  run: commandRun,
  list: commandList,
  coverage: commandCoverage,
  matrix: commandMatrix,
  replay: commandReplay,
}

/** Every option of every command: which ones take a value, wherever they stand. */
const AnyCommandOptions: OptionSpecs = { ...RunOptionSpecs, ...ListOptionSpecs, ...CoverageOptionSpecs, ...MatrixOptionSpecs, ...ReplayOptionSpecs }

/** Runs the CLI; resolves with the exit code (never calls process.exit). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  // Options may stand before the command as well as after it: `--json list` is `list --json`.
  const { words, rest: args } = takeCommandWords(argv, AnyCommandOptions, (taken) => taken.length >= 1)
  const [command] = words
  const wantsHelp = args.includes('--help') || args.includes('-h')
  if (wantsVersion(args) && !wantsHelp) {
    io.out(args.includes('--json') ? `${JSON.stringify({ version: packageVersion() })}\n` : `persona-conformance ${packageVersion()}\n`)
    return ExitCodes.ok
  }
  if (command === undefined || command === 'help') {
    const topic = command === 'help' ? args.find((arg) => !arg.startsWith('-')) : undefined
    io.out(Help[topic ?? 'main'] ?? Help.main ?? '')
    return command === undefined && !wantsHelp ? ExitCodes.usage : ExitCodes.ok
  }
  const handler = Commands[command]
  if (!handler) {
    io.err(`error: unknown command ${JSON.stringify(command)}${didYouMean(command, Object.keys(Commands))}\n\n${Help.main}`)
    return ExitCodes.usage
  }
  try {
    return await handler(args, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n`)
      return ExitCodes.usage
    }
    io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return ExitCodes.failures
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2))
}
