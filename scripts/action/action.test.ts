/**
 * action.yml against the CLI it wraps: every input is a `run` option (or one of the three
 * the action adds), and its shell steps turn inputs into exactly those options, pass the
 * exit code through and fill the step summary. The steps run here with a recording
 * stand-in for the bin; scripts/package/action-run.test.ts runs them with the real suite.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { RunOptionSpecs } from '../../harness/src/cli.ts'
import { Profiles } from '../../harness/src/types.ts'
import { type ActionStep, loadAction, runActionLocally } from './composite.ts'
import { scratchDirs } from '../test-support/scratch-dirs.ts'

const scratch = scratchDirs('nip-ap-action-test-')

const action = loadAction()
const ActionOnlyInputs = ['node-version', 'args', 'artifact-name']
/** The input that is `run`'s positional WS_URL rather than an option. */
const UrlInput = 'relay-url'

function step(id: string): ActionStep {
  const found = action.runs.steps.find((s) => s.id === id)
  if (!found) throw new Error(`action.yml has no step ${id}`)
  return found
}

describe('action.yml inputs and the CLI options', () => {
  const optionInputs = Object.keys(action.inputs).filter((name) => !ActionOnlyInputs.includes(name) && name !== UrlInput)

  test('every input is a `run` option, the URL, or one the action adds', () => {
    const unknown = optionInputs.filter((name) => !(name in RunOptionSpecs))
    expect(unknown).toEqual([])
    expect(optionInputs.length).toBeGreaterThanOrEqual(4)
  })

  test('boolean options are true/false inputs, string options are free text', () => {
    for (const name of optionInputs) {
      const spec = RunOptionSpecs[name as keyof typeof RunOptionSpecs]
      const fallback = action.inputs[name]?.default ?? ''
      if (spec.type === 'boolean') expect(['true', 'false'], name).toContain(fallback)
      else expect(typeof fallback, name).toBe('string')
      expect('multiple' in spec && spec.multiple, `${name} is repeatable in the CLI; an input holds one value`).toBeFalsy()
    }
  })

  test('the suite step hands each input to the CLI under the option of the same name', () => {
    const suite = step('suite')
    const script = suite.run ?? ''
    for (const name of [...optionInputs, UrlInput, 'args']) {
      const entry = Object.entries(suite.env ?? {}).find(([, value]) => value === `\${{ inputs.${name} }}`)
      expect(entry, `env of the suite step carries input ${name}`).toBeDefined()
      expect(script, `the script reads $${entry?.[0]}`).toContain(`$${entry?.[0]}`)
      if (optionInputs.includes(name)) expect(script).toContain(`--${name}`)
    }
  })

  test('profile names the CLI profiles', () => {
    for (const profile of Profiles) expect(action.inputs.profile?.description).toContain(profile)
  })
})

describe('action.yml steps', () => {
  test('sets up the requested Node, uploads the report directory, and gates on the exit code', () => {
    const [setup] = action.runs.steps
    expect(setup?.uses).toMatch(/^actions\/setup-node@v\d+$/)
    expect(setup?.with?.['node-version']).toBe('${{ inputs.node-version }}')
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    expect(upload?.with?.path).toBe('${{ steps.suite.outputs.report-dir }}')
    expect(upload?.if).toContain('always()')
    const last = action.runs.steps.at(-1)
    expect(last?.if).toBe('always()')
    expect(last?.env?.SUITE_EXIT_CODE).toBe('${{ steps.suite.outputs.exit-code }}')
  })
})

/**
 * A stand-in for the package at GITHUB_ACTION_PATH: bin/persona-conformance.js records its
 * arguments and working directory, writes a summary.md into --out and exits with FAKE_EXIT.
 */
function fakeActionPath(): string {
  const dir = scratch()
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake', version: '0.0.0', private: true }))
  writeFileSync(
    join(dir, 'bin', 'persona-conformance.js'),
    `const fs = require('node:fs'); const path = require('node:path')
const args = process.argv.slice(2)
fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify({ args, cwd: process.cwd() }))
const out = args[args.indexOf('--out') + 1]
fs.mkdirSync(out, { recursive: true })
fs.writeFileSync(path.join(out, 'summary.md'), '## fake summary\\n')
process.exit(Number(process.env.FAKE_EXIT))
`,
  )
  return dir
}

async function runWithFake(inputs: Record<string, string>, exit: number) {
  const actionPath = fakeActionPath()
  const workspace = scratch()
  // Outside the workspace, so the fake's record is not among the files the step wrote there.
  const record = join(scratch(), 'record.json')
  const run = await runActionLocally(action, {
    with: inputs,
    workspace,
    actionPath,
    env: { ...process.env, FAKE_RECORD: record, FAKE_EXIT: String(exit) },
  })
  let recorded: { args: string[]; cwd: string } | undefined
  try {
    recorded = JSON.parse(readFileSync(record, 'utf8')) as { args: string[]; cwd: string }
  } catch {
    recorded = undefined
  }
  return { run, recorded, workspace }
}

describe('action.yml shell steps, run locally', () => {
  test('defaults: embedded relay, no profile, not strict, report in the workspace; exit 0 passes', async () => {
    const { run, recorded, workspace } = await runWithFake({}, 0)
    expect(recorded?.args).toEqual(['run', '--out', 'nip-ap-conformance-report'])
    expect(recorded?.cwd).toBe(workspace)
    expect(run.outputs).toEqual({ 'exit-code': '0', 'report-dir': join(workspace, 'nip-ap-conformance-report') })
    expect(run.summary).toBe('## fake summary\n')
    expect(run.failed).toBe(false)
    const upload = run.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    expect(upload).toMatchObject({ ran: true, with: { name: 'nip-ap-conformance-report', path: join(workspace, 'nip-ap-conformance-report') } })
  })

  test('every input becomes its option; the suite exit code fails the step after the summary and upload', async () => {
    const { run, recorded } = await runWithFake(
      { 'relay-url': 'ws://127.0.0.1:7777', profile: 'core', expectations: 'known.json', strict: 'true', out: 'r', args: '--only slug  --timeout 9000' },
      1,
    )
    expect(recorded?.args).toEqual(['run', 'ws://127.0.0.1:7777', '--profile', 'core', '--expectations', 'known.json', '--strict', '--out', 'r', '--only', 'slug', '--timeout', '9000'])
    expect(run.outputs['exit-code']).toBe('1')
    expect(run.summary).toContain('fake summary')
    expect(run.failed).toBe(true)
    expect(run.steps.find((s) => s.id === 'suite')?.exitCode).toBe(0)
    expect(run.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.ran).toBe(true)
    expect(run.steps.find((s) => s.id === 'verdict')?.exitCode).toBe(1)
  })

  test.each([2, 3])('exit code %i reaches the job', async (code) => {
    const { run } = await runWithFake({ 'relay-url': 'ws://127.0.0.1:1' }, code)
    expect(run.steps.find((s) => s.id === 'verdict')?.exitCode).toBe(code)
  })

  test('a strict input other than true or false is refused before the suite runs', async () => {
    const { run, recorded } = await runWithFake({ strict: 'yes' }, 0)
    expect(recorded).toBeUndefined()
    expect(run.failed).toBe(true)
    expect(run.steps.find((s) => s.id === 'suite')?.stderr).toContain("input strict must be true or false, got 'yes'")
  })
})
