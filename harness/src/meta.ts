/**
 * Typed vitest metadata. A case's declaration and its runtime facts travel from the worker
 * to the reporter as `task.meta` (JSON over RPC); the run's context travels the other way
 * through `provide`/`inject`.
 */

import type { CaseDeclaration, CaseRuntimeMeta, SuiteContext } from './types.ts'

declare module 'vitest' {
  interface TaskMeta extends CaseRuntimeMeta {
    /** Present on every conformance case; set by relayCase/propertyCase. */
    nipAp?: CaseDeclaration
    /** Deselected by --only/--skip: registered as skipped, dropped from the report. */
    filteredOut?: boolean
  }
  interface ProvidedContext {
    nipApSuite: SuiteContext
  }
}

export const SuiteContextKey = 'nipApSuite' as const
