/**
 * Temporary directories for the project's tests, removed when the test file is done (a run
 * of `npm test` used to leave hundreds of report directories in the system temp dir).
 * Call `scratchDirs` at the top level of a test file or describe block: it registers the
 * removal there, and the function it returns makes one fresh directory per call.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

export function scratchDirs(prefix: string): () => string {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
