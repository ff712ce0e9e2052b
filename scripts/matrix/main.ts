/**
 * `npm run matrix`: the suite against the reference relay and every third-party relay,
 * published to reports/matrix/ and gated by the expectations files. See reports/matrix/README.md.
 */

import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { RepoRoot } from '../../harness/src/engine.ts'
import { runConformance } from '../../harness/src/run.ts'
import { formatTotalsLine } from '../../harness/src/stream.ts'
import { type ExpectationsJson, draftExpectations, draftReasons, formatExpectations } from './draft.ts'
import { gateMatrix } from './gate.ts'
import { type EntryResult, orchestrate, stopRunning } from './orchestrate.ts'
import { publishMatrix, renderSummaryBlock, replaceSummaryBlock } from './publish.ts'
import { type MatrixEntry, matrixEntries } from './targets.ts'

/** Every relay gets the same fast-check seed, so the matrix compares like with like. */
export const MatrixSeed = 1
export const PublishedDir = 'reports/matrix'
export const RawDir = 'reports/latest/matrix-raw'

const usage = `usage: npm run matrix -- [--relay NAME]... [--out DIR] [--draft-expectations]

Runs every case (seed ${MatrixSeed}, --strict, --strict-expectations) against the reference
relay and every third-party relay, one after the other; each relay is started before its
run and stopped after it. Writes the published matrix to ${PublishedDir}/ (labels instead of
random ids and ports, so a regeneration changes only dates and timings) and the raw
reports to ${RawDir}/<name>/.

  --relay NAME            only these relays (repeatable); output goes to reports/latest/matrix
                          unless --out is given
  --out DIR               where to publish (default ${PublishedDir})
  --draft-expectations    add an entry for every unforeseen non-pass outcome to
                          ${PublishedDir}/expectations/<name>.json (reason "TODO: ...")
  --help                  this text

Exit codes: 0 the gate holds; 1 a relay regressed, did not start, or an expectations file
is missing, stale or has draft reasons; 2 usage.`

function readExpectations(path: string): ExpectationsJson | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExpectationsJson) : undefined
}

function describe(result: EntryResult): string {
  const seconds = `${(result.durationMs / 1000).toFixed(1)} s`
  if (!result.report) return `${result.entry.name}: ${result.error ?? 'no report'} (${seconds})`
  return `${result.entry.name}: ${formatTotalsLine(result.report.totals)}; exit ${result.report.verdict.exitCode} (${seconds})`
}

function writeDrafts(results: readonly EntryResult[]): void {
  for (const { entry, report } of results) {
    if (entry.reference || !report || !entry.expectationsFile) continue
    const path = resolve(RepoRoot, entry.expectationsFile)
    const draft = draftExpectations(report, readExpectations(path))
    writeFileSync(path, formatExpectations(draft.file))
    console.error(
      `${entry.name}: ${entry.expectationsFile}: ${draft.added.length} added, ${draft.widened.length} widened` +
        (draft.passedNow.length ? `; passed now: ${draft.passedNow.join(', ')}` : ''),
    )
  }
}

/** Target directories of relays no longer in the matrix. */
function removeStaleTargets(outDir: string, names: readonly string[]): void {
  if (!existsSync(outDir)) return
  for (const dirent of readdirSync(outDir, { withFileTypes: true })) {
    if (!dirent.isDirectory() || dirent.name === 'expectations' || names.includes(dirent.name)) continue
    if (existsSync(join(outDir, dirent.name, 'index.html'))) rmSync(join(outDir, dirent.name), { recursive: true })
  }
}

async function main(): Promise<number> {
  let values: { relay?: string[]; out?: string; 'draft-expectations'?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: {
        relay: { type: 'string', multiple: true },
        out: { type: 'string' },
        'draft-expectations': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }))
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${usage}`)
    return 2
  }
  if (values.help) {
    console.log(usage)
    return 0
  }
  const all = matrixEntries()
  const wanted = values.relay ?? []
  const unknown = wanted.filter((name) => !all.some((e) => e.name === name))
  if (unknown.length > 0) {
    console.error(`error: unknown relay ${unknown.join(', ')}; known: ${all.map((e) => e.name).join(', ')}`)
    return 2
  }
  const entries = wanted.length > 0 ? all.filter((e) => wanted.includes(e.name)) : all
  const outDir = resolve(RepoRoot, values.out ?? (wanted.length > 0 ? 'reports/latest/matrix' : PublishedDir))

  const stop = (signal: NodeJS.Signals): void => {
    console.error(`${signal}: stopping the relays`)
    void stopRunning().finally(() => process.exit(130))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  const started = Date.now()
  const results = await orchestrate({
    entries,
    run: { seed: MatrixSeed, strict: true, strictExpectations: true },
    rawDir: resolve(RepoRoot, RawDir),
    expectationsFileOf: (entry: MatrixEntry) =>
      entry.expectationsFile && existsSync(resolve(RepoRoot, entry.expectationsFile)) ? resolve(RepoRoot, entry.expectationsFile) : undefined,
    runOne: runConformance,
    onStart: (entry) => console.error(`${entry.name}: running (${entry.software})`),
    onDone: (result) => console.error(describe(result)),
  })

  if (values['draft-expectations']) writeDrafts(results)

  const reports = results.flatMap((r) => (r.report ? [{ report: r.report, software: r.entry.software }] : []))
  if (wanted.length === 0) removeStaleTargets(outDir, reports.map((r) => r.report.target.name))
  const matrix = publishMatrix(reports, outDir, { repoRoot: RepoRoot })
  const readme = join(outDir, 'README.md')
  if (existsSync(readme)) writeFileSync(readme, replaceSummaryBlock(readFileSync(readme, 'utf8'), renderSummaryBlock(matrix)))

  const drafts = new Map<string, string[]>()
  for (const entry of entries) {
    const file = entry.expectationsFile ? readExpectations(resolve(RepoRoot, entry.expectationsFile)) : undefined
    if (file) drafts.set(entry.name, draftReasons(file))
  }
  const gate = gateMatrix(results, drafts)
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  console.log(`matrix of ${matrix.targets.length} relays, ${matrix.cases.length} cases, written to ${relative(process.cwd(), outDir) || '.'} in ${seconds} s`)
  for (const result of results) console.log(`  ${describe(result)}`)
  if (gate.problems.length > 0) {
    console.log(`gate: ${gate.problems.length} problem(s)`)
    for (const problem of gate.problems) console.log(`  ${problem}`)
  } else {
    console.log('gate: clean')
  }
  return gate.exitCode
}

process.exitCode = await main()
