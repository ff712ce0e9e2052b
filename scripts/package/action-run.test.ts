/**
 * The composite action's shell steps (action.yml) executed here as a runner would, with the
 * real suite: against a relay started before the step the way a relay project's workflow
 * does (here the reference relay with one defect, so there is something to gate on), the
 * same with an expectations file listing what failed, and against the embedded relay.
 * The setup-node and upload-artifact steps are not executed; their evaluated inputs are checked.
 */

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Report } from '../../harness/src/types.ts'
import type { RunningRelay } from '../../reference-relay/src/index.ts'
import { startFaultyRelay } from '../../reference-relay/test-support/faulty-relay.ts'
import { loadAction, type LocalRun, runActionLocally } from '../action/composite.ts'
import { userEnv } from './clean-env.ts'
import { scratchDirs } from '../test-support/scratch-dirs.ts'

const scratch = scratchDirs('nip-ap-action-ws-')

const action = loadAction()
const ReportFiles = ['index.html', 'junit.xml', 'report.json', 'report.jsonl', 'summary.md']
const TotalsLine = /^\d+ cases, \d+ passed, \d+ failed, \d+ warned, \d+ skipped, \d+ errored$/m

let relay: RunningRelay
beforeAll(async () => {
  relay = await startFaultyRelay({ host: '127.0.0.1', port: 0, faults: ['slug-accept-uppercase'] })
})
afterAll(async () => {
  await relay?.close()
})

function run(inputs: Record<string, string>): Promise<{ run: LocalRun; workspace: string }> {
  const workspace = scratch()
  return runActionLocally(action, { with: inputs, workspace, env: userEnv() }).then((result) => ({ run: result, workspace }))
}

function suiteStep(result: LocalRun) {
  return result.steps.find((s) => s.id === 'suite')
}

describe('the action against a relay started before it', () => {
  let failing: { run: LocalRun; workspace: string }

  beforeAll(async () => {
    failing = await run({ 'relay-url': relay.url, args: '--only slug' })
  })

  test('a broken MUST fails the step: exit code 1, summary, report directory uploaded', () => {
    const { run: result, workspace } = failing
    expect(result.outputs['exit-code'], suiteStep(result)?.stderr).toBe('1')
    expect(result.failed).toBe(true)
    expect(result.steps.find((s) => s.id === 'verdict')?.exitCode).toBe(1)
    const reportDir = join(workspace, 'nip-ap-conformance-report')
    expect(result.outputs['report-dir']).toBe(reportDir)
    expect(readdirSync(reportDir).sort()).toEqual(ReportFiles)
    expect(result.summary).toBe(readFileSync(join(reportDir, 'summary.md'), 'utf8'))
    expect(result.summary).toMatch(/FAIL|fail/)
    expect(suiteStep(result)?.stdout).toMatch(TotalsLine)
    expect(result.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))).toMatchObject({ ran: true, with: { path: reportDir } })
  })

  test('the same failures listed in an expectations file pass the step', async () => {
    const report = JSON.parse(readFileSync(join(failing.workspace, 'nip-ap-conformance-report', 'report.json'), 'utf8')) as Report
    const failed = report.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error')
    expect(failed.length).toBeGreaterThan(0)
    const workspace = scratch()
    writeFileSync(
      join(workspace, 'known.json'),
      JSON.stringify({ version: 1, expectations: failed.map((c) => ({ case: c.id, outcome: c.outcome, reason: 'relay accepts uppercase slugs (known)' })) }),
    )
    const result = await runActionLocally(action, {
      with: { 'relay-url': relay.url, expectations: 'known.json', args: '--only slug', out: 'gated' },
      workspace,
      env: userEnv(),
    })
    expect(result.outputs['exit-code'], suiteStep(result)?.stderr).toBe('0')
    expect(result.failed).toBe(false)
    expect(existsSync(join(workspace, 'gated', 'summary.md'))).toBe(true)
  })
})

test('with no relay URL the action runs against the embedded reference relay', async () => {
  const { run: result, workspace } = await run({ args: '--only slug', strict: 'true' })
  expect(result.outputs['exit-code'], suiteStep(result)?.stderr).toBe('0')
  expect(result.failed).toBe(false)
  const report = JSON.parse(readFileSync(join(workspace, 'nip-ap-conformance-report', 'report.json'), 'utf8')) as Report
  expect(report.target.embedded).toBe(true)
  expect(report.settings.strict).toBe(true)
  expect(report.totals.pass).toBeGreaterThan(0)
})
