/**
 * `npm run kill-table`: runs the suites against
 *
 * 1. the healthy reference relay and the reference relay with each test fault alone;
 * 2. the independent core relay of test-relays/ as it is (the baseline), with each single
 *    defect, and with each variation a correct relay may have;
 * 3. the origin test relay as it is and with each single defect (origin profile);
 *
 * then writes reports/kill-table.md (for people) and reports/kill-table.json (read by
 * scripts/power/power.test.ts to pick the cases `npm test` re-runs). A fault is detected when
 * some case fails or warns against it (and not on the healthy relay), under the origin profile
 * against origin mode or, for a fault that pass misses, under the core profile against the
 * open default mode (the core pass, power.ts runCorePass, every case); a defect is caught when
 * some case fails or warns against it and passes on the baseline; a variation is clean when
 * no case fails or errors on it; a negative control also keeps the properties in controls.ts.
 * Exit code 1 when a fault is undetected, a core defect of level MUST or SHOULD uncaught, a
 * variation not clean, or a control property broken (defects of level `definition` and the
 * origin relay's defects are counted and listed, not required).
 *
 *   npm run kill-table [-- --areas] [--seed N] [--workers N] [--faults a,b] [--defects a,b]
 *                      [--variations a,b] [--origin-defects a,b] [--no-reference]
 *                      [--no-independent] [--no-origin] [--no-write] [--render]
 *
 * --areas runs each reference fault and core defect against the suite areas meant for it
 * only, and again against every case when those miss it (faster); the default runs every
 * case against every relay. A run of some relays only updates their rows.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { RepoRoot } from '../../harness/src/engine.ts'
import type { FaultName } from '../../reference-relay/test-support/faults.ts'
import { controlChecked, controlProblems, isControl } from './controls.ts'
import {
  AllFaults,
  KnownDeviationsFile,
  type CorePass,
  type PowerResult,
  type Target,
  type TargetRun,
  areaSelection,
  catching,
  detecting,
  faultInfo,
  healthyProblems,
  loadKnownDeviations,
  missedByOrigin,
  runCorePass,
  runPower,
  UncaughtDefects,
} from './power.ts'
import { JudgedFaults, type RelaySpec, defectInfo, independentDefects, independentPresets, independentVariations, originDefectInfo, originDefects, siblingOf, specName } from './targets.ts'

export const KillTableMarkdown = 'reports/kill-table.md'
export const KillTableJson = 'reports/kill-table.json'

export interface DetectingCase {
  id: string
  file: string
  outcome: string
  durationMs: number
}

export interface KillTableRow {
  name: FaultName
  area: string
  description: string
  /** Cases that detect the fault under the origin profile against origin mode. */
  detecting: DetectingCase[]
  /**
   * Only for a fault the origin profile misses: the cases that detect it under the core
   * profile against the open default mode (the core pass, power.ts runCorePass); empty when
   * that pass misses it too.
   */
  coreDetecting?: DetectingCase[]
}

export interface DefectRow {
  name: string
  area: string
  level: string
  description: string
  /** Cases that fail or warn against the defect and pass on the baseline. */
  detecting: DetectingCase[]
  /** Level `definition`: the sentences it breaks, which state the behaviour without MUST or SHOULD (why it need not be caught). */
  definition?: string
  /** For a negative control: the properties it breaks (controls.ts); empty when they hold. */
  control?: { problems: string[]; checked: Array<{ id: string; file: string }> }
}

export interface VariationRow {
  name: string
  basis: string
  /** Cases that fail or error on a relay the texts allow. */
  problems: Array<{ id: string; outcome: string; message: string }>
  warned: Array<{ id: string; message: string }>
}

export interface Tally {
  pass: number
  warn: number
  fail: number
  error: number
  skip: number
}

export interface KillTable {
  /** When this file was written; a section carried over from an earlier run has its own time. */
  generatedAt: string
  /** When the reference relay rows were run (absent in tables written before sections had times: generatedAt). */
  referenceGeneratedAt?: string
  seed: number
  selection: 'all-areas' | 'fault-areas'
  casesPerRun: number
  healthy: Tally & { warned: string[]; problems: string[] }
  /** The core pass's healthy control (open mode, core profile), when some fault needed the pass. */
  coreHealthy?: Tally & { problems: string[] }
  faults: KillTableRow[]
  independent?: {
    relay: 'core'
    generatedAt?: string
    baseline: Tally & { problems: string[] }
    defects: DefectRow[]
    variations: VariationRow[]
  }
  /** The origin test relay (origin profile): its defects break ORIGIN-RELAY.md, the origin profile's definition. */
  origin?: {
    relay: 'origin'
    generatedAt?: string
    baseline: Tally & { problems: string[] }
    defects: DefectRow[]
  }
}

const detectingCase = (c: TargetRun['cases'][number]): DetectingCase => ({ id: c.id, file: c.file, outcome: c.outcome, durationMs: c.durationMs })

function tally(run: TargetRun | undefined): Tally {
  const count = (outcome: string) => run?.cases.filter((c) => c.outcome === outcome).length ?? 0
  return { pass: count('pass'), warn: count('warn'), fail: count('fail'), error: count('error'), skip: count('skip') }
}

const isReference = (run: TargetRun): boolean => run.spec.kind === 'reference'

/** The run of a core defect's correct sibling (targets.ts siblingOf), when it ran. */
function siblingRun(result: PowerResult, defect: string): TargetRun | undefined {
  const name = specName(siblingOf(defect))
  return result.runs.find((run) => run.name === name)
}

const definitionOf = (info: { breaks: readonly { text: string; quote: string }[] }): string => info.breaks.map((b) => `${b.text}: "${b.quote}"`).join('; ')

/** A fault counts as detected under either profile. */
export const isDetected = (row: KillTableRow): boolean => row.detecting.length > 0 || (row.coreDetecting?.length ?? 0) > 0

/** `core` is the core pass (power.ts runCorePass) for the faults the origin-profile runs miss. */
export function buildKillTable(result: PowerResult, selection: KillTable['selection'], core?: CorePass): KillTable {
  const healthyRun = result.runs.find((run) => run.spec.kind === 'reference' && run.spec.fault === null)
  const baseline = result.runs.find((run) => run.spec.kind === 'independent' && run.spec.defect === undefined && run.spec.variation === undefined)
  const table: KillTable = {
    generatedAt: new Date().toISOString(),
    seed: result.seed,
    selection,
    casesPerRun: healthyRun?.cases.length ?? 0,
    healthy: {
      ...tally(healthyRun),
      warned: healthyRun?.cases.filter((c) => c.outcome === 'warn').map((c) => c.id) ?? [],
      problems: healthyRun ? healthyProblems(healthyRun, loadKnownDeviations()) : ['no healthy run'],
    },
    faults: result.runs
      .filter((run) => isReference(run) && run.spec.kind === 'reference' && run.spec.fault !== null)
      .map((run) => {
        const info = faultInfo((run.spec as { fault: FaultName }).fault)
        const coreDetecting = core?.detecting.get(info.name)
        return {
          name: info.name,
          area: info.area,
          description: info.description,
          detecting: detecting(run, healthyRun).map(detectingCase),
          ...(coreDetecting !== undefined ? { coreDetecting: coreDetecting.map(detectingCase) } : {}),
        }
      }),
  }
  if (core !== undefined) table.coreHealthy = { ...tally(core.healthy), problems: core.healthy ? healthyProblems(core.healthy, loadKnownDeviations()) : ['no healthy run in the core pass'] }
  if (baseline !== undefined) {
    table.independent = {
      relay: 'core',
      generatedAt: table.generatedAt,
      baseline: {
        ...tally(baseline),
        problems: baseline.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error').map((c) => `${c.id}: ${c.outcome}: ${c.message}`),
      },
      defects: result.runs
        .filter((run): run is TargetRun & { spec: { kind: 'independent'; defect: string } } => run.spec.kind === 'independent' && run.spec.defect !== undefined)
        .map((run) => {
          const info = defectInfo(run.spec.defect)
          return {
            name: info.name,
            area: info.area,
            level: info.level,
            description: info.description,
            detecting: catching(run, siblingRun(result, run.spec.defect) ?? baseline).map(detectingCase),
            ...(info.level === 'definition' ? { definition: definitionOf(info) } : {}),
            ...(isControl(info.name) ? { control: { problems: controlProblems(info.name, run), checked: controlChecked(info.name, run, baseline).map((c) => ({ id: c.id, file: c.file })) } } : {}),
          }
        }),
      variations: result.runs
        .filter((run): run is TargetRun & { spec: { kind: 'independent'; variation: string } } => run.spec.kind === 'independent' && run.spec.variation !== undefined)
        .map((run) => ({
          name: run.spec.variation,
          basis:
            independentVariations().find((v) => v.name === run.spec.variation)?.basis ??
            `preset: ${independentPresets().find((p) => p.name === run.spec.variation)?.description ?? ''}`,
          problems: run.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error').map((c) => ({ id: c.id, outcome: c.outcome, message: c.message })),
          warned: run.cases.filter((c) => c.outcome === 'warn').map((c) => ({ id: c.id, message: c.message })),
        })),
    }
  }
  const originBaseline = result.runs.find((run) => run.spec.kind === 'origin' && run.spec.defect === undefined)
  if (originBaseline !== undefined) {
    table.origin = {
      relay: 'origin',
      generatedAt: table.generatedAt,
      baseline: {
        ...tally(originBaseline),
        problems: originBaseline.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error').map((c) => `${c.id}: ${c.outcome}: ${c.message}`),
      },
      defects: result.runs
        .filter((run): run is TargetRun & { spec: { kind: 'origin'; defect: string } } => run.spec.kind === 'origin' && run.spec.defect !== undefined)
        .map((run) => {
          const info = originDefectInfo(run.spec.defect)
          return { name: info.name, area: info.area, level: info.level, description: info.description, detecting: catching(run, originBaseline).map(detectingCase), definition: definitionOf(info) }
        }),
    }
  }
  return table
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ')
const caseList = (cases: readonly DetectingCase[]): string => cases.map((c) => `\`${c.id}\` (${c.outcome})`).join(', ')

/** The "detected by" cell of a fault row: its origin-profile detectors, else the core pass's, else not detected by either. */
function faultDetectors(row: KillTableRow): string {
  if (row.detecting.length > 0) return caseList(row.detecting)
  if (row.coreDetecting === undefined) return '**not detected**'
  if (row.coreDetecting.length === 0) return '**not detected** (origin profile; core profile, open mode)'
  return `core profile, open mode: ${caseList(row.coreDetecting)} (origin profile: none)`
}

/**
 * A partial run (some faults, defects or variations, or one side only) updates the rows it
 * ran and keeps the others from the table already written.
 */
export function mergeKillTable(previous: KillTable | undefined, next: KillTable, ran: { reference: boolean; independent: boolean; origin?: boolean }): KillTable {
  if (previous === undefined) return next
  // Rows written before definition-level defects carried their sentences get them from the catalog.
  for (const row of previous.independent?.defects ?? []) {
    if (row.level === 'definition' && row.definition === undefined && independentDefects().some((d) => d.name === row.name)) row.definition = definitionOf(defectInfo(row.name))
  }
  const byName = <T extends { name: string }>(old: readonly T[], fresh: readonly T[]): T[] => {
    const merged = new Map(old.map((row) => [row.name, row]))
    for (const row of fresh) merged.set(row.name, row)
    return [...merged.values()]
  }
  // Rows of faults and defects that no longer exist are dropped.
  previous = {
    ...previous,
    faults: previous.faults.filter((row) => JudgedFaults.includes(row.name)),
    ...(previous.independent
      ? { independent: { ...previous.independent, defects: previous.independent.defects.filter((row) => independentDefects().some((d) => d.name === row.name)) } }
      : {}),
  }
  const merged: KillTable = ran.reference
    ? { ...next, referenceGeneratedAt: next.generatedAt, faults: byName(previous.faults, next.faults) }
    : {
        ...next,
        referenceGeneratedAt: previous.referenceGeneratedAt ?? previous.generatedAt,
        casesPerRun: previous.casesPerRun,
        healthy: previous.healthy,
        faults: previous.faults,
        selection: previous.selection,
      }
  // The core pass's control goes with the rows it judged: kept when this run needed no core pass.
  const coreHealthy = (ran.reference ? next.coreHealthy : undefined) ?? (merged.faults.some((row) => row.coreDetecting !== undefined) ? previous.coreHealthy : undefined)
  if (coreHealthy !== undefined) merged.coreHealthy = coreHealthy
  else delete merged.coreHealthy
  if (!ran.origin) {
    if (previous.origin) merged.origin = { ...previous.origin, generatedAt: previous.origin.generatedAt ?? previous.generatedAt }
  } else if (next.origin && previous.origin) {
    merged.origin = { ...next.origin, defects: byName(previous.origin.defects, next.origin.defects) }
  }
  if (!ran.independent) {
    if (previous.independent) merged.independent = { ...previous.independent, generatedAt: previous.independent.generatedAt ?? previous.generatedAt }
  } else if (next.independent && previous.independent) {
    merged.independent = {
      ...next.independent,
      defects: byName(previous.independent.defects, next.independent.defects),
      variations: byName(previous.independent.variations, next.independent.variations),
    }
  }
  return merged
}

/**
 * Independent defects breaking a MUST or SHOULD that no case catches: gaps of the suites, and
 * those not caught on purpose (outside the core profile, power.ts UncaughtDefects).
 */
function notCaughtDefects(table: KillTable): { gaps: string[]; outsideCore: string[] } {
  const names = table.independent?.defects.filter((row) => row.level !== 'definition' && row.detecting.length === 0).map((row) => row.name) ?? []
  return { gaps: names.filter((name) => UncaughtDefects[name] === undefined), outsideCore: names.filter((name) => UncaughtDefects[name] !== undefined) }
}

/** The numbers people ask for: detected / total per kind. */
export function killTableCounts(table: KillTable) {
  const independent = table.independent
  const defects = independent?.defects ?? []
  const controls = defects.filter((d) => d.control !== undefined)
  const graded = defects.filter((d) => d.level !== 'definition')
  const definitions = defects.filter((d) => d.level === 'definition')
  return {
    faults: {
      detected: table.faults.filter(isDetected).length,
      /** Detected only by the core pass (the core profile against the open default mode). */
      coreOnly: table.faults.filter((r) => r.detecting.length === 0 && (r.coreDetecting?.length ?? 0) > 0).length,
      total: table.faults.length,
    },
    controls: { held: controls.filter((d) => d.detecting.length > 0 && (d.control?.problems.length ?? 0) === 0).length, total: controls.length },
    defects: {
      detected: graded.filter((d) => d.detecting.length > 0).length,
      total: graded.length,
      /** Not caught on purpose: outside the core profile, each with its reason (power.ts UncaughtDefects). */
      outsideCore: notCaughtDefects(table).outsideCore.length,
    },
    definitions: { caught: definitions.filter((d) => d.detecting.length > 0).length, total: definitions.length },
    variations: { clean: independent?.variations.filter((v) => v.problems.length === 0).length ?? 0, total: independent?.variations.length ?? 0 },
    origin: { caught: table.origin?.defects.filter((d) => d.detecting.length > 0).length ?? 0, total: table.origin?.defects.length ?? 0 },
  }
}

/** A line naming when each section ran, when a partial run carried some over from an earlier one. */
function sectionTimes(table: KillTable): string[] {
  const sections = [
    ['reference relay rows', table.referenceGeneratedAt],
    ['independent core relay rows', table.independent?.generatedAt],
    ['origin test relay rows', table.origin?.generatedAt],
  ].filter((entry): entry is [string, string] => entry[1] !== undefined)
  if (sections.every(([, at]) => at === table.generatedAt)) return []
  return [`- Sections from different runs: ${sections.map(([name, at]) => `${name} ${at}`).join('; ')} (\`npm run kill-table\` with no option runs them all at once).`]
}

export function renderKillTable(table: KillTable): string {
  const counts = killTableCounts(table)
  const lines = [
    '# Kill table: the conformance suites against single defects',
    '',
    'Generated by `npm run kill-table` (`scripts/power/kill-table.ts`); do not edit by hand. `npm test` re-runs the',
    'quickest recorded detectors of every fault and defect and the negative controls (`scripts/power/power.test.ts`).',
    '',
    `- Generated ${table.generatedAt}, seed ${table.seed}, ${table.selection === 'all-areas' ? 'every case against every relay' : 'each reference fault and core defect against the suite areas meant for it (every case for one those areas miss), every case against the baselines and variations'}.`,
    ...sectionTimes(table),
    `- **Reference relay faults: ${counts.faults.detected} of ${counts.faults.total} detected**${counts.faults.coreOnly > 0 ? ` (${counts.faults.coreOnly} of them only under the core profile against the open default mode)` : ''}.`,
  ]
  if (table.independent) {
    lines.push(
      `- **Independent relay (test-relays/core) defects breaking a MUST or SHOULD: ${counts.defects.detected} of ${counts.defects.total} caught** (a case fails or warns against the defect and passes on the relay without it)` +
        `${counts.defects.outsideCore > 0 ? `; ${counts.defects.outsideCore} of those not caught break a rule this suite reads as outside the core profile, each with its reason in its row` : ''}.`,
      `- Defects of a behaviour the texts define without MUST or SHOULD (level \`definition\`, not required to be caught; the suite grades them at its own reading, spec/AMBIGUITIES.md): ${counts.definitions.caught} of ${counts.definitions.total} caught.`,
      `- **Negative controls: ${counts.controls.held} of ${counts.controls.total} caught with their properties held.**`,
      `- **Variations a correct relay may have: ${counts.variations.clean} of ${counts.variations.total} clean** (no case fails or errors).`,
    )
  }
  lines.push(
    '',
    '## The reference relay with one test fault',
    '',
    'Each row switches on one test fault of the reference relay (`reference-relay/test-support/faults.ts`, origin profile) and lists',
    'the cases that graded `fail` (a MUST broken) or `warn` (a SHOULD broken) against it, leaving out cases that already',
    'fail or warn on the healthy relay. A fault the origin profile misses is run again under the core profile against the',
    'reference relay\'s open default mode (the core pass, with a healthy open-mode control): some deletions are out of the',
    'origin profile\'s reach because origin mode refuses them. Its detectors are marked "core profile, open mode".',
    '',
    `- Healthy reference relay: ${table.casesPerRun} cases, ${table.healthy.pass} pass, ${table.healthy.warn} warn, ${table.healthy.fail} fail, ${table.healthy.error} error, ${table.healthy.skip} skip.`,
    `- Known deviations of the reference relay (\`${KnownDeviationsFile}\`): ${table.healthy.fail + table.healthy.error === 0 ? 'none observed' : 'see the file; each is a reported bug'}.`,
  )
  if (table.healthy.warned.length > 0) lines.push(`- SHOULDs the reference relay does not meet (warn): ${table.healthy.warned.map((id) => `\`${id}\``).join(', ')}.`)
  if (table.healthy.problems.length > 0) lines.push(`- **Unexpected on the healthy relay**: ${table.healthy.problems.join('; ')}`)
  if (table.coreHealthy) {
    const h = table.coreHealthy
    lines.push(`- Core pass control (healthy reference relay, open default mode, core profile): ${h.pass} pass, ${h.warn} warn, ${h.fail} fail, ${h.error} error, ${h.skip} skip.`)
    if (h.problems.length > 0) lines.push(`- **Unexpected on the healthy relay in the core pass**: ${h.problems.map(cell).join('; ')}`)
  }
  lines.push('', '| fault | area | defect | detected by |', '|---|---|---|---|')
  for (const row of table.faults) {
    lines.push(`| \`${row.name}\` | ${row.area} | ${cell(row.description)} | ${faultDetectors(row)} |`)
  }
  const independent = table.independent
  if (independent) {
    const b = independent.baseline
    lines.push(
      '',
      '## The independent core relay with one defect',
      '',
      'test-relays/core was written blind to this project\'s code (test-relays/README.md); the suites run against it in the',
      'core profile. A defect is caught by a case that fails or warns against it and passes on the relay without it.',
      '',
      `- Baseline (the core relay as it is): ${b.pass} pass, ${b.warn} warn, ${b.fail} fail, ${b.error} error, ${b.skip} skip.`,
    )
    if (b.problems.length > 0) lines.push(`- **Failing or erroring on the baseline** (a correct relay): ${b.problems.map(cell).join('; ')}`)
    lines.push('', '| defect | area | level | the bug | caught by |', '|---|---|---|---|---|')
    for (const row of independent.defects) {
      const control = row.control ? (row.control.problems.length === 0 ? ' · control property holds' : ` · **control property broken**: ${row.control.problems.map(cell).join('; ')}`) : ''
      const outsideCore = UncaughtDefects[row.name]
      const uncaught =
        row.definition !== undefined
          ? `not caught; not required: ${cell(row.definition)} states it without MUST or SHOULD`
          : outsideCore !== undefined
            ? `not caught; ${cell(outsideCore)}`
            : '**not caught**'
      lines.push(`| \`${row.name}\` | ${row.area} | ${row.level} | ${cell(row.description)} | ${row.detecting.length === 0 ? uncaught : caseList(row.detecting)}${control} |`)
    }
    lines.push(
      '',
      '## The independent core relay with one variation',
      '',
      'A variation is a behaviour the texts permit; no case may fail or error on it. Warnings are listed for judgement: each',
      'must rest on a SHOULD the variation really breaks.',
      '',
      '| variation | basis | failing or erroring cases | warnings |',
      '|---|---|---|---|',
    )
    for (const row of independent.variations) {
      const problems = row.problems.length === 0 ? 'clean' : row.problems.map((p) => `**\`${p.id}\` ${p.outcome}**: ${cell(p.message)}`).join('<br>')
      const warned = row.warned.length === 0 ? '—' : row.warned.map((w) => `\`${w.id}\`: ${cell(w.message)}`).join('<br>')
      lines.push(`| \`${row.name}\` | ${row.basis} | ${problems} | ${warned} |`)
    }
  }
  const origin = table.origin
  if (origin) {
    const b = origin.baseline
    lines.push(
      '',
      '## The origin test relay with one defect',
      '',
      'test-relays/origin was built from ORIGIN-RELAY.md by another hand (test-relays/origin/README.md); the suites run against',
      'it in the origin profile. Its defects break the description of the origin relay, the origin profile\'s definition',
      '(catalog level `definition`): each is caught when a case fails or warns against it and passes on the relay without it.',
      '',
      `- **Origin relay defects: ${counts.origin.caught} of ${counts.origin.total} caught.**`,
      `- Baseline (the origin relay as it is): ${b.pass} pass, ${b.warn} warn, ${b.fail} fail, ${b.error} error, ${b.skip} skip.`,
    )
    if (b.problems.length > 0) lines.push(`- **Failing or erroring on the baseline**: ${b.problems.map(cell).join('; ')}`)
    lines.push('', '| defect | section | the bug | caught by |', '|---|---|---|---|')
    for (const row of origin.defects) lines.push(`| \`${row.name}\` | ${row.area} | ${cell(row.description)} | ${row.detecting.length === 0 ? '**not caught**' : caseList(row.detecting)} |`)
  }
  const byCase = new Map<string, string[]>()
  for (const row of table.faults) {
    for (const c of row.detecting) byCase.set(c.id, [...(byCase.get(c.id) ?? []), row.name])
    for (const c of row.coreDetecting ?? []) byCase.set(c.id, [...(byCase.get(c.id) ?? []), `${row.name}@core`])
  }
  for (const row of table.independent?.defects ?? []) for (const c of row.detecting) byCase.set(c.id, [...(byCase.get(c.id) ?? []), `core!${row.name}`])
  for (const row of table.origin?.defects ?? []) for (const c of row.detecting) byCase.set(c.id, [...(byCase.get(c.id) ?? []), `origin!${row.name}`])
  lines.push('', '## Faults and defects detected per case', '', '| case | faults and defects |', '|---|---|')
  for (const [id, names] of [...byCase.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    lines.push(`| \`${id}\` | ${names.length}: ${names.map((f) => `\`${f}\``).join(', ')} |`)
  }
  return `${lines.join('\n')}\n`
}

/** Every relay of a full kill table: reference healthy and faults, core baseline, defects, variations. */
export function killTableTargets(options: {
  areas?: boolean
  faults?: readonly FaultName[]
  defects?: readonly string[]
  variations?: readonly string[]
  originDefects?: readonly string[]
  reference?: boolean
  independent?: boolean
  origin?: boolean
}): Target[] {
  const targets: Target[] = []
  if (options.reference !== false) {
    targets.push({ spec: { kind: 'reference', fault: null }, selection: { areas: 'all' } })
    for (const fault of options.faults ?? JudgedFaults) {
      const spec: RelaySpec = { kind: 'reference', fault }
      targets.push({ spec, selection: options.areas ? areaSelection(spec) : { areas: 'all' } })
    }
  }
  if (options.independent !== false) {
    targets.push({ spec: { kind: 'independent' }, selection: { areas: 'all' } })
    for (const defect of options.defects ?? independentDefects().map((d) => d.name)) {
      const spec: RelaySpec = { kind: 'independent', defect }
      targets.push({ spec, selection: options.areas ? areaSelection(spec) : { areas: 'all' } })
    }
    const variations = new Set(options.variations ?? [...independentVariations(), ...independentPresets()].map((v) => v.name))
    // Each defect's correct sibling runs too (the variation it implies).
    for (const defect of options.defects ?? []) {
      const sibling = siblingOf(defect)
      if (sibling.kind === 'independent' && sibling.variation !== undefined) variations.add(sibling.variation)
    }
    for (const variation of variations) targets.push({ spec: { kind: 'independent', variation }, selection: { areas: 'all' } })
  }
  if (options.origin !== false) {
    targets.push({ spec: { kind: 'origin' }, selection: { areas: 'all' } })
    for (const defect of options.originDefects ?? originDefects().map((d) => d.name)) targets.push({ spec: { kind: 'origin', defect }, selection: { areas: 'all' } })
  }
  return targets
}

/** Runs limited to some areas that detected (fault) or caught (defect) nothing. */
export function areaMisses(result: PowerResult): TargetRun[] {
  const healthy = result.runs.find((run) => run.spec.kind === 'reference' && run.spec.fault === null)
  const baseline = result.runs.find((run) => run.spec.kind === 'independent' && run.spec.defect === undefined && run.spec.variation === undefined)
  return result.runs.filter((run) => {
    if (!('areas' in run.selection) || run.selection.areas === 'all') return false
    if (run.spec.kind === 'reference') return run.spec.fault !== null && detecting(run, healthy).length === 0
    if (run.spec.kind === 'origin' || run.spec.defect === undefined) return false
    const sibling = siblingRun(result, run.spec.defect) ?? baseline
    return sibling !== undefined && catching(run, sibling).length === 0
  })
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      areas: { type: 'boolean' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      faults: { type: 'string' },
      defects: { type: 'string' },
      variations: { type: 'string' },
      'no-reference': { type: 'boolean' },
      'no-independent': { type: 'boolean' },
      'no-origin': { type: 'boolean' },
      'origin-defects': { type: 'string' },
      'no-write': { type: 'boolean' },
      render: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(
      [
        'usage: npm run kill-table -- [options]',
        'Runs the suites against the reference relay with each test fault, the independent core relay with',
        'each defect and variation, and the origin test relay with each defect; writes reports/kill-table.{json,md}.',
        'A reference fault the origin profile misses is run again under the core profile against the open default mode.',
        '  --areas                 each fault or defect against its own suite areas (every case for one they miss)',
        '  --faults a,b            only these reference faults      --no-reference    no reference relay rows',
        '  --defects a,b           only these core defects          --no-independent  no core relay rows',
        '  --variations a,b        only these core variations       --no-origin       no origin relay rows',
        '  --origin-defects a,b    only these origin relay defects  --no-write        print, do not write the table',
        '  --seed N  --workers N',
        '  --render                only rewrite the .md from reports/kill-table.json (runs nothing)',
        'Exit code 0 when every fault is detected, every MUST/SHOULD defect caught (but those scripts/power/power.ts',
        'UncaughtDefects places outside the core profile, each with its reason) and every control holds; 1 otherwise.',
      ].join('\n') + '\n',
    )
    return 0
  }
  if (values.render) {
    if (!existsSync(join(RepoRoot, KillTableJson))) {
      process.stderr.write(`kill-table: error: no ${KillTableJson} to render; run npm run kill-table first\n`)
      return 2
    }
    writeFileSync(join(RepoRoot, KillTableMarkdown), renderKillTable(JSON.parse(readFileSync(join(RepoRoot, KillTableJson), 'utf8')) as KillTable))
    process.stderr.write(`wrote ${KillTableMarkdown} from ${KillTableJson}\n`)
    return 0
  }
  const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').filter(Boolean))
  const faults = list(values.faults) as FaultName[] | undefined
  for (const fault of faults ?? []) faultInfo(fault)
  for (const defect of list(values.defects) ?? []) defectInfo(defect)
  for (const defect of list(values['origin-defects']) ?? []) originDefectInfo(defect)
  const targets = killTableTargets({
    areas: values.areas ?? false,
    ...(faults ? { faults } : {}),
    ...(list(values.defects) ? { defects: list(values.defects) } : {}),
    ...(list(values.variations) ? { variations: list(values.variations) } : {}),
    ...(list(values['origin-defects']) ? { originDefects: list(values['origin-defects']) } : {}),
    reference: !values['no-reference'],
    independent: !values['no-independent'],
    origin: !values['no-origin'],
  })
  process.stderr.write(`running ${targets.length} relays...\n`)
  const powerOptions = {
    seed: values.seed ? Number(values.seed) : 1,
    ...(values.workers ? { maxWorkers: Number(values.workers) } : {}),
    progress: (line: string) => process.stderr.write(`${line}\n`),
  }
  const first = await runPower({ targets, ...powerOptions })
  // With --areas, a fault or defect its areas miss is run again against every case.
  const missed = areaMisses(first)
  if (missed.length > 0) process.stderr.write(`running ${missed.length} relays again against every case: ${missed.map((t) => t.name).join(', ')}\n`)
  const again = missed.length > 0 ? await runPower({ targets: missed.map(({ spec }) => ({ spec, selection: { areas: 'all' } })), ...powerOptions }) : undefined
  const result: PowerResult = {
    ...first,
    runs: first.runs.map((run) => again?.runs.find((r) => r.name === run.name) ?? run),
    runErrors: [...first.runErrors, ...(again?.runErrors ?? [])],
    durationMs: first.durationMs + (again?.durationMs ?? 0),
  }
  // Faults the origin profile misses: the core profile against the open default mode, every case.
  const missedFaults = missedByOrigin(result.runs)
  if (missedFaults.length > 0) process.stderr.write(`core pass (core profile, open default mode) for ${missedFaults.join(', ')}\n`)
  const core = await runCorePass(
    missedFaults.map((fault) => ({ fault, selection: { areas: 'all' } })),
    powerOptions,
  )
  const previous = existsSync(join(RepoRoot, KillTableJson)) ? (JSON.parse(readFileSync(join(RepoRoot, KillTableJson), 'utf8')) as KillTable) : undefined
  const table = mergeKillTable(previous, buildKillTable(result, values.areas ? 'fault-areas' : 'all-areas', core), {
    reference: !values['no-reference'],
    independent: !values['no-independent'],
    origin: !values['no-origin'],
  })
  if (!values['no-write']) {
    writeFileSync(join(RepoRoot, KillTableMarkdown), renderKillTable(table))
    writeFileSync(join(RepoRoot, KillTableJson), `${JSON.stringify(table, null, 2)}\n`)
  }
  const counts = killTableCounts(table)
  const undetected = table.faults.filter((row) => !isDetected(row)).map((row) => row.name)
  const coreOnly = table.faults.filter((row) => row.detecting.length === 0 && isDetected(row)).map((row) => row.name)
  const { gaps: uncaught, outsideCore } = notCaughtDefects(table)
  const controlBroken = table.independent?.defects.filter((row) => (row.control?.problems.length ?? 0) > 0).map((row) => row.name) ?? []
  const unclean = table.independent?.variations.filter((row) => row.problems.length > 0).map((row) => row.name) ?? []
  process.stderr.write(
    `faults ${counts.faults.detected}/${counts.faults.total} detected; defects ${counts.defects.detected}/${counts.defects.total} caught (definition level: ${counts.definitions.caught}/${counts.definitions.total}); ` +
      `controls ${counts.controls.held}/${counts.controls.total} held; variations ${counts.variations.clean}/${counts.variations.total} clean; ${Math.round((result.durationMs + (core?.result.durationMs ?? 0)) / 1000)} s\n`,
  )
  if (coreOnly.length) process.stderr.write(`detected only under the core profile (open default mode): ${coreOnly.join(', ')}\n`)
  if (undetected.length) process.stderr.write(`NOT detected: ${undetected.join(', ')}\n`)
  if (uncaught.length) process.stderr.write(`NOT caught: ${uncaught.join(', ')}\n`)
  if (outsideCore.length) process.stderr.write(`not caught, outside the core profile (scripts/power/power.ts UncaughtDefects): ${outsideCore.join(', ')}\n`)
  if (controlBroken.length) process.stderr.write(`control properties broken: ${controlBroken.join(', ')}\n`)
  if (unclean.length) process.stderr.write(`variations not clean: ${unclean.join(', ')}\n`)
  if (table.origin) {
    const missedOrigin = table.origin.defects.filter((row) => row.detecting.length === 0).map((row) => row.name)
    process.stderr.write(`origin relay defects ${counts.origin.caught}/${counts.origin.total} caught${missedOrigin.length ? `; not caught: ${missedOrigin.join(', ')}` : ''}\n`)
    for (const problem of table.origin.baseline.problems) process.stderr.write(`origin baseline: ${problem}\n`)
  }
  const baselineProblems = table.independent?.baseline.problems ?? []
  const coreHealthyProblems = table.coreHealthy?.problems ?? []
  const runErrors = [...result.runErrors, ...(core?.result.runErrors ?? [])]
  for (const problem of [...table.healthy.problems, ...runErrors]) process.stderr.write(`healthy relay: ${problem}\n`)
  for (const problem of coreHealthyProblems) process.stderr.write(`healthy relay (core pass, open mode): ${problem}\n`)
  for (const problem of baselineProblems) process.stderr.write(`core baseline: ${problem}\n`)
  if (!values['no-write']) process.stderr.write(`wrote ${KillTableMarkdown} and ${KillTableJson}\n`)
  const bad = undetected.length + uncaught.length + controlBroken.length + unclean.length + table.healthy.problems.length + coreHealthyProblems.length + baselineProblems.length + runErrors.length
  return bad > 0 ? 1 : 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
    if (!(error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) throw error
    process.stderr.write(`kill-table: invalid: ${error.message} (see --help)\n`)
    return 2
  })
}
