/**
 * vitest globalSetup of harness/vitest.suites.config.ts. Under the harness the run context
 * is already provided and this does nothing. Run directly with vitest, it makes the context
 * itself: target NIP_AP_TARGET_URL (and NIP_AP_TARGET_HTTP_URL) or the embedded reference
 * relay, probed the same way, default settings (NIP_AP_PROFILE, NIP_AP_SEED, NIP_AP_RUNS).
 */

import type { TestProject } from 'vitest/node'
import { type EmbeddedTarget, httpUrlOf, startEmbeddedRelay } from './embedded.ts'
import './meta.ts'
import { probeTarget } from './probe.ts'
import { defaultSettings } from './settings.ts'
import type { Profile, TargetInfo } from './types.ts'

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (project.getProvidedContext().nipApSuite !== undefined) return undefined
  const env = process.env
  let embedded: EmbeddedTarget | undefined
  let target: TargetInfo
  if (env.NIP_AP_TARGET_URL) {
    const url = env.NIP_AP_TARGET_URL
    target = { name: new URL(url).host, url, httpUrl: env.NIP_AP_TARGET_HTTP_URL ?? httpUrlOf(url), embedded: false }
  } else {
    embedded = await startEmbeddedRelay({ origin: (env.NIP_AP_PROFILE ?? 'origin') === 'origin' })
    target = embedded.target
  }
  const settings = defaultSettings({
    ...(env.NIP_AP_PROFILE ? { profile: env.NIP_AP_PROFILE as Profile } : {}),
    ...(env.NIP_AP_SEED ? { seed: Number(env.NIP_AP_SEED) } : {}),
    ...(env.NIP_AP_RUNS ? { runs: Number(env.NIP_AP_RUNS) } : {}),
  })
  const probe = await probeTarget(target, { timeoutMs: settings.timeoutMs, sameClock: target.embedded })
  project.provide('nipApSuite', { mode: 'run', target, probe, settings })
  return async () => {
    await embedded?.close()
  }
}
