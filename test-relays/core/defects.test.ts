import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunningTestRelay } from '../catalog.ts'
import { startTestRelay } from '../launch.ts'
import { defectProbes } from './defect-probes.ts'
import { defects } from './defects.ts'

// Every defect shows itself in its probe, and the same relay without it does not. The
// baseline is the default relay, or the variations a defect implies (auth-required).
const baselines = new Map<string, RunningTestRelay>()

async function baselineFor(implies: readonly string[]): Promise<RunningTestRelay> {
  const key = implies.join(',')
  let relay = baselines.get(key)
  if (relay === undefined) {
    relay = await startTestRelay({ relay: 'core', variations: implies })
    baselines.set(key, relay)
  }
  return relay
}

afterAll(async () => {
  await Promise.all([...baselines.values()].map((relay) => relay.close()))
})

test('every defect has a probe', () => {
  expect(Object.keys(defectProbes).sort()).toEqual(defects.map((d) => d.name).sort())
})

describe.each(defects.map((d) => [d.name, d] as const))('defect %s', (name, defect) => {
  let relay: RunningTestRelay
  beforeAll(async () => {
    relay = await startTestRelay({ relay: 'core', defects: [name] })
  })
  afterAll(async () => {
    await relay.close()
  })

  test('shows itself, and the relay without it does not', async () => {
    const probe = defectProbes[name]
    expect(probe.defect).not.toEqual(probe.correct)
    expect(await probe.observe(relay)).toEqual(probe.defect)
    expect(await probe.observe(await baselineFor(defect.implies))).toEqual(probe.correct)
  })
})
