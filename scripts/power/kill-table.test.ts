import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { RepoRoot } from '../../harness/src/engine.ts'
import { type KillTable, buildKillTable, killTableCounts, mergeKillTable, renderKillTable } from './kill-table.ts'
import { type CaseResult, type CorePass, type PowerResult, type TargetRun, UncaughtDefects } from './power.ts'

const result = (id: string, outcome: CaseResult['outcome']): CaseResult => ({
  id,
  file: `suites/${id.split('.')[0]}/cases.test.ts`,
  level: 'MUST',
  requirements: [],
  outcome,
  message: outcome === 'pass' ? '' : `${id} ${outcome}`,
  durationMs: 5,
})

const run = (spec: TargetRun['spec'], name: string, cases: CaseResult[]): TargetRun => ({ spec, name, selection: { areas: 'all' }, cases })

/** The reference relay under the origin profile: one fault detected, one the origin profile misses, one missed by both. */
function originPass(): PowerResult {
  const healthyCases = [result('deletion.a-deletes', 'pass'), result('slug.invalid-refused', 'pass')]
  return {
    runs: [
      run({ kind: 'reference', fault: null }, 'healthy', healthyCases),
      run({ kind: 'reference', fault: 'slug-accept-uppercase' }, 'slug-accept-uppercase', [result('deletion.a-deletes', 'pass'), result('slug.invalid-refused', 'fail')]),
      run({ kind: 'reference', fault: 'delete-e-superseded-removes-head' }, 'delete-e-superseded-removes-head', healthyCases),
      run({ kind: 'reference', fault: 'delete-no-resurrection' }, 'delete-no-resurrection', healthyCases),
    ],
    runErrors: [],
    durationMs: 1,
    seed: 1,
  }
}

function corePass(): CorePass {
  const healthy = run({ kind: 'reference', fault: null, profile: 'core' }, 'healthy@core', [result('deletion.e-superseded-keeps-head', 'pass')])
  return {
    result: { runs: [healthy], runErrors: [], durationMs: 1, seed: 1 },
    healthy,
    detecting: new Map([
      ['delete-e-superseded-removes-head', [result('deletion.e-superseded-keeps-head', 'fail')]],
      ['delete-no-resurrection', []],
    ]),
  }
}

describe('the kill table with the core pass', () => {
  const table = buildKillTable(originPass(), 'all-areas', corePass())

  test('records the core-pass detectors only for the faults the origin profile misses', () => {
    const row = (name: string) => table.faults.find((r) => r.name === name)
    expect(row('slug-accept-uppercase')?.detecting.map((c) => c.id)).toEqual(['slug.invalid-refused'])
    expect(row('slug-accept-uppercase')?.coreDetecting).toBeUndefined()
    expect(row('delete-e-superseded-removes-head')?.detecting).toEqual([])
    expect(row('delete-e-superseded-removes-head')?.coreDetecting?.map((c) => c.id)).toEqual(['deletion.e-superseded-keeps-head'])
    expect(row('delete-no-resurrection')?.coreDetecting).toEqual([])
    expect(table.coreHealthy).toMatchObject({ pass: 1, fail: 0, problems: [] })
  })

  test('counts a fault detected under either profile, and says how many only the core pass detects', () => {
    expect(killTableCounts(table).faults).toEqual({ detected: 2, coreOnly: 1, total: 3 })
  })

  test('renders which profile detected each fault', () => {
    const markdown = renderKillTable(table)
    expect(markdown).toContain('**Reference relay faults: 2 of 3 detected** (1 of them only under the core profile against the open default mode).')
    expect(markdown).toContain('| `delete-e-superseded-removes-head` | deletion | an e deletion of a superseded version removes the current head | core profile, open mode: `deletion.e-superseded-keeps-head` (fail) (origin profile: none) |')
    expect(markdown).toMatch(/\| `delete-no-resurrection` \|.*\| \*\*not detected\*\* \(origin profile; core profile, open mode\) \|/)
    expect(markdown).toContain('| `slug-accept-uppercase` | slug | accepts slugs containing uppercase ASCII letters | `slug.invalid-refused` (fail) |')
    expect(markdown).toContain('Core pass control (healthy reference relay, open default mode, core profile): 1 pass, 0 warn, 0 fail, 0 error, 0 skip.')
    expect(markdown).toContain('| `deletion.e-superseded-keeps-head` | 1: `delete-e-superseded-removes-head@core` |')
  })

  test('without a core pass a missed fault is plainly not detected', () => {
    const plain = buildKillTable(originPass(), 'all-areas')
    expect(plain.coreHealthy).toBeUndefined()
    expect(killTableCounts(plain).faults).toEqual({ detected: 1, coreOnly: 0, total: 3 })
    expect(renderKillTable(plain)).toMatch(/\| `delete-e-superseded-removes-head` \|.*\| \*\*not detected\*\* \|/)
  })

  test('a run without the reference relay keeps its rows and the core-pass control', () => {
    const other: KillTable = { ...buildKillTable({ ...originPass(), runs: [] }, 'all-areas'), generatedAt: 'later' }
    const merged = mergeKillTable(table, other, { reference: false, independent: true, origin: true })
    expect(merged.faults).toEqual(table.faults)
    expect(merged.coreHealthy).toEqual(table.coreHealthy)
  })

  test('a reference run in which the origin profile detects every fault drops the core-pass control', () => {
    const detectedByOrigin: PowerResult = {
      ...originPass(),
      runs: originPass().runs.map((r) => (r.name === 'healthy' ? r : { ...r, cases: [result('deletion.a-deletes', 'fail')] })),
    }
    const merged = mergeKillTable(table, buildKillTable(detectedByOrigin, 'all-areas'), { reference: true, independent: false, origin: false })
    expect(merged.faults.every((r) => r.coreDetecting === undefined)).toBe(true)
    expect(merged.coreHealthy).toBeUndefined()
  })
})

describe('core defects outside the core profile', () => {
  const recorded = JSON.parse(readFileSync(join(RepoRoot, 'reports/kill-table.json'), 'utf8')) as KillTable
  const independent = recorded.independent
  const [known] = Object.entries(UncaughtDefects)
  const caught = independent?.defects.find((row) => row.level !== 'definition' && row.control === undefined && row.detecting.length > 0 && UncaughtDefects[row.name] === undefined)

  test('are shown with their reason, and a new uncaught defect plainly', () => {
    if (independent === undefined || known === undefined || caught === undefined) throw new Error('the recorded kill table has no independent rows to test with')
    const table: KillTable = {
      ...recorded,
      independent: {
        ...independent,
        defects: independent.defects.map((row) => (row.name === known[0] || row.name === caught.name ? { ...row, detecting: [] } : row)),
      },
    }
    const markdown = renderKillTable(table)
    const rowOf = (name: string) => markdown.split('\n').find((line) => line.startsWith(`| \`${name}\` |`)) ?? ''
    expect(rowOf(known[0])).toContain(`not caught; ${known[1].slice(0, 40)}`)
    expect(rowOf(caught.name)).toMatch(/\| \*\*not caught\*\* \|$/)
    const counts = killTableCounts(table).defects
    expect(counts.outsideCore).toBe(Object.keys(UncaughtDefects).length)
    expect(counts.total - counts.detected).toBe(counts.outsideCore + 1)
  })
})
