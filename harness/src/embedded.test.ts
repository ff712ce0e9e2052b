import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { RepoRoot } from './engine.ts'
import { ExitCodes } from './verdict.ts'
import { scratchDirs } from '../../scripts/test-support/scratch-dirs.ts'

const scratch = scratchDirs('embedded-')

// On a Node without a uWebSockets.js binary (22 with this build) the library falls back to
// its JavaScript implementation; UWS_USE_FALLBACK forces the same fallback on Node 20.
test('run without a URL where uWebSockets.js has no native binary: exit 2 with what to do instead', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(RepoRoot, 'harness/src/cli.ts'), 'run', '--only', 'slug', '--out', scratch()], {
    cwd: RepoRoot,
    env: { ...process.env, UWS_USE_FALLBACK: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  expect(result.status, result.stderr).toBe(ExitCodes.usage)
  expect(result.stderr).toContain('error: the embedded reference relay cannot start: uWebSockets.js did not load a native binary')
  expect(result.stderr).toContain('pass the WS_URL of a running relay')
})
