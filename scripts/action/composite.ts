/**
 * The repository's GitHub Action (action.yml, a composite) read and executed on this
 * machine the way a runner executes it: steps in order, `${{ }}` expressions substituted,
 * each `run:` step in `bash --noprofile --norc -eo pipefail` with GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH and GITHUB_WORKSPACE, a step skipped after a
 * failure unless its `if` says `always()`. `uses:` steps (setup-node, upload-artifact) are
 * not executed; they are returned with their inputs evaluated so a test can check them.
 *
 * Only the expression forms action.yml uses are understood; anything else throws, so the
 * action cannot grow an expression this runner would silently get wrong.
 */

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const RepoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const ActionFile = join(RepoRoot, 'action.yml')

export interface ActionInput {
  description: string
  required?: boolean
  default?: string
}

export interface ActionStep {
  id?: string
  name?: string
  if?: string
  uses?: string
  with?: Record<string, string>
  shell?: string
  run?: string
  env?: Record<string, string>
  'working-directory'?: string
}

export interface CompositeAction {
  name: string
  inputs: Record<string, ActionInput>
  outputs: Record<string, { description: string; value: string }>
  runs: { using: string; steps: ActionStep[] }
}

export function loadAction(file = ActionFile): CompositeAction {
  const action = parse(readFileSync(file, 'utf8')) as CompositeAction
  if (action.runs?.using !== 'composite') throw new Error(`${file}: not a composite action`)
  return action
}

export interface ExpressionContext {
  inputs: Record<string, string>
  actionPath: string
  steps: Record<string, Record<string, string>>
}

/** The value of one expression inside `${{ }}`. */
function valueOf(expression: string, context: ExpressionContext): string {
  const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression)
  if (input) {
    const value = context.inputs[input[1] as string]
    if (value === undefined) throw new Error(`unknown input ${input[1]}`)
    return value
  }
  if (expression === 'github.action_path') return context.actionPath
  const output = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expression)
  if (output) return context.steps[output[1] as string]?.[output[2] as string] ?? ''
  throw new Error(`expression not understood by the local runner: ${expression}`)
}

/** Substitutes every `${{ expr }}` in a string. */
export function substitute(text: string, context: ExpressionContext): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expression: string) => valueOf(expression, context))
}

/** An `if:` of the forms action.yml uses: terms `always()` and `X != ''` joined by `&&`. */
export function condition(text: string | undefined, failed: boolean, context: ExpressionContext): boolean {
  if (text === undefined) return !failed
  const terms = text.replace(/^\$\{\{\s*|\s*\}\}$/g, '').split('&&').map((t) => t.trim())
  let always = false
  for (const term of terms) {
    if (term === 'always()') {
      always = true
      continue
    }
    const notEmpty = /^(\S+) != ''$/.exec(term)
    if (!notEmpty) throw new Error(`if: not understood by the local runner: ${text}`)
    if (valueOf(notEmpty[1] as string, context) === '') return false
  }
  return always || !failed
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1)
      if (end < 0) throw new Error(`GITHUB_OUTPUT: unterminated ${line}`)
      outputs[heredoc[1] as string] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const eq = line.indexOf('=')
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`)
    outputs[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return outputs
}

export interface StepResult {
  id: string
  ran: boolean
  /** For `run:` steps that ran. */
  exitCode?: number
  stdout?: string
  stderr?: string
  /** For `uses:` steps: the action and its evaluated `with:`, whether or not its `if` held. */
  uses?: string
  with?: Record<string, string>
}

export interface LocalRun {
  steps: StepResult[]
  /** The action's outputs, evaluated after the last step. */
  outputs: Record<string, string>
  /** What the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string
  /** True when a step failed: the job step using this action fails. */
  failed: boolean
}

export interface LocalRunOptions {
  /** Inputs as a workflow's `with:` gives them; the rest take their defaults. */
  with: Record<string, string>
  /** The job's working directory (GITHUB_WORKSPACE). */
  workspace: string
  /** Where the action is checked out (GITHUB_ACTION_PATH); default the repository. */
  actionPath?: string
  /** Environment of every step (the runner's); default process.env. */
  env?: NodeJS.ProcessEnv
  /** Per-step deadline; default 10 minutes. */
  timeoutMs?: number
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
  })
}

export async function runActionLocally(action: CompositeAction, options: LocalRunOptions): Promise<LocalRun> {
  for (const name of Object.keys(options.with)) {
    if (!(name in action.inputs)) throw new Error(`action.yml has no input ${name}`)
  }
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, options.with[name] ?? spec.default ?? '']))
  const context: ExpressionContext = { inputs, actionPath: options.actionPath ?? RepoRoot, steps: {} }
  const scratch = mkdtempSync(join(tmpdir(), 'nip-ap-action-'))
  const summaryFile = join(scratch, 'step-summary.md')
  writeFileSync(summaryFile, '')
  try {
    return await runSteps(action, options, context, scratch, summaryFile)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function runSteps(action: CompositeAction, options: LocalRunOptions, context: ExpressionContext, scratch: string, summaryFile: string): Promise<LocalRun> {
  const results: StepResult[] = []
  let failed = false
  for (const [index, step] of action.runs.steps.entries()) {
    const id = step.id ?? `step${index}`
    const runs = condition(step.if, failed, context)
    if (step.uses !== undefined) {
      const evaluated = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), context)]))
      results.push({ id, ran: runs, uses: step.uses, with: evaluated })
      continue
    }
    if (step.run === undefined) throw new Error(`step ${id} has neither run nor uses`)
    if (step.shell !== 'bash') throw new Error(`step ${id}: the local runner runs bash steps only (shell: ${step.shell})`)
    if (!runs) {
      results.push({ id, ran: false })
      continue
    }
    const outputFile = join(scratch, `${id}.output`)
    writeFileSync(outputFile, '')
    const env: NodeJS.ProcessEnv = {
      ...(options.env ?? process.env),
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: context.actionPath,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), context)])),
    }
    const cwd = step['working-directory'] ? substitute(step['working-directory'], context) : options.workspace
    const result = await runBash(substitute(step.run, context), cwd, env, options.timeoutMs ?? 600_000)
    context.steps[id] = parseOutputs(readFileSync(outputFile, 'utf8'))
    if (result.code !== 0) failed = true
    results.push({ id, ran: true, exitCode: result.code, stdout: result.stdout, stderr: result.stderr })
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([name, spec]) => [name, substitute(spec.value, context)]))
  return { steps: results, outputs, summary: readFileSync(summaryFile, 'utf8'), failed }
}
