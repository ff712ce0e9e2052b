/**
 * The environment of a user's shell, for the commands these tests start: without what
 * vitest (VITEST*, NODE_ENV=test, TEST) and `npm run` (npm_*, the script's PATH entries
 * for node_modules/.bin) put into this process, so the child behaves as it would for a user.
 */

import { delimiter } from 'node:path'

export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|NODE_OPTIONS$|NODE_ENV$|TEST$|INIT_CWD$)/.test(key)) continue
    env[key] = value
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !/node_modules[/\\]\.bin$|node-gyp-bin$/.test(entry))
    .join(delimiter)
  return { ...env, ...extra }
}
