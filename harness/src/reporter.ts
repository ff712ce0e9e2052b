/**
 * The vitest reporter: turns each finished test into a graded CaseRecord (via grade.ts)
 * and hands it on; collects errors that happen outside any case. Runs in the main process.
 */

import { relative, sep } from 'node:path'
import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node'
import './meta.ts'
import { type FinishedTest, gradeTest } from './grade.ts'
import type { CaseDeclaration, CaseRecord, Outcome } from './types.ts'

export interface CaseReporterOptions {
  root: string
  onCase: (record: CaseRecord) => void
  /** Progress lines on a TTY (stderr). */
  progress?: boolean
}

/** A case record from a collected or finished vitest test (no outcome yet for listings). */
export function describeTest(testCase: TestCase, root: string): { declaration: CaseDeclaration; file: string; area: string; registered: boolean } {
  const file = relative(root, testCase.module.moduleId).split(sep).join('/')
  const meta = testCase.meta()
  const declaration: CaseDeclaration = meta.nipAp ?? {
    id: `unregistered:${file}:${testCase.fullName}`,
    title: testCase.fullName,
    requirements: [],
    level: 'MUST',
    profile: 'core',
    needs: [],
  }
  return { declaration, file, area: areaOf(file, declaration.id), registered: meta.nipAp !== undefined }
}

/** `suites/<area>/...` names the area; otherwise the id's first segment. */
export function areaOf(file: string, id: string): string {
  const match = /(?:^|\/)suites\/([^/]+)\//.exec(file)
  return match?.[1] ?? id.split('.')[0] ?? 'misc'
}

export class CaseReporter implements Reporter {
  readonly runErrors: string[] = []
  /** Every declared case id, selected or not (to tell a pattern that matches nothing). */
  readonly declaredIds = new Set<string>()
  private done = 0
  private readonly counts: Record<Outcome, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 }

  constructor(private readonly options: CaseReporterOptions) {}

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta()
    if (meta.nipAp) this.declaredIds.add(meta.nipAp.id)
    if (meta.filteredOut) return
    const { declaration, file, area, registered } = describeTest(testCase, this.options.root)
    const result = testCase.result()
    const finished: FinishedTest = {
      state: result.state,
      ...(result.errors ? { errors: result.errors } : {}),
      ...(result.state === 'skipped' && result.note !== undefined ? { note: result.note } : {}),
    }
    const grade = gradeTest(finished, {
      level: declaration.level,
      ...(meta.warnings ? { warnings: meta.warnings } : {}),
      ...(meta.skipReason ? { skipReason: meta.skipReason } : {}),
    })
    const record: CaseRecord = {
      id: declaration.id,
      title: declaration.title,
      area,
      file,
      requirements: declaration.requirements,
      level: declaration.level,
      profile: declaration.profile,
      needs: declaration.needs ?? [],
      outcome: registered ? grade.outcome : grade.outcome === 'skip' ? 'skip' : 'error',
      message: registered ? grade.message : `not declared with relayCase/propertyCase; ${grade.message}`,
      ...(grade.details ? { details: grade.details } : {}),
      durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
      ...(meta.clockBase !== undefined ? { clockBase: meta.clockBase } : {}),
      ...(meta.clockTicks !== undefined && meta.clockTicks.length > 0 ? { clockTicks: meta.clockTicks } : {}),
      warnings: meta.warnings ?? [],
      findings: meta.findings ?? [],
      ...(meta.property ? { property: meta.property } : {}),
      transcript: meta.transcript ?? [],
      transcriptDropped: meta.transcriptDropped ?? 0,
    }
    this.done += 1
    this.counts[record.outcome] += 1
    if (this.options.progress) {
      const c = this.counts
      process.stderr.write(
        `\r\x1b[K[${this.done}] ${c.pass} pass ${c.fail} fail ${c.warn} warn ${c.skip} skip ${c.error} error  ${record.id}`,
      )
    }
    this.options.onCase(record)
  }

  onTestModuleEnd(testModule: TestModule): void {
    for (const error of testModule.errors()) {
      this.runErrors.push(`${relative(this.options.root, testModule.moduleId)}: ${errorText(error)}`)
    }
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    for (const error of unhandledErrors) this.runErrors.push(`unhandled: ${errorText(error)}`)
    if (this.options.progress && this.done > 0) process.stderr.write('\r\x1b[K')
  }
}

function errorText(error: { name?: string; message?: string }): string {
  return `${error.name ?? 'Error'}: ${(error.message ?? '').split('\n')[0] ?? ''}`
}
