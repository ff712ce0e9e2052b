// Fixture suite for the harness's own tests: one case per outcome path. Not a conformance
// suite (named *.case.ts so neither the project's vitest run nor the real suites pick it up).
import { expect } from 'vitest'
import { control, controlAccepted, expectAccepted, expectRefused, fc, propertyCase, relayCase } from '../../../src/authoring.ts'

const base = { requirements: ['AP-SLUG-3'], profile: 'core' as const }

relayCase({ ...base, id: 'fixture.pass', title: 'a valid persona is accepted', level: 'MUST' }, async (c) => {
  const ws = await c.connect()
  expectAccepted(await ws.publish(c.persona()))
})

relayCase({ ...base, id: 'fixture.fail', title: 'expects a refusal the relay does not give', level: 'MUST' }, async (c) => {
  const ws = await c.connect()
  expectRefused(await ws.publish(c.persona()), 'invalid')
})

relayCase({ ...base, id: 'fixture.warn', title: 'a SHOULD-level assertion that fails', level: 'SHOULD' }, async (c) => {
  const ws = await c.connect()
  expectRefused(await ws.publish(c.persona()), 'invalid')
})

relayCase({ ...base, id: 'fixture.soft-warn', title: 'a MUST case with a failed SHOULD sub-check', level: 'MUST' }, async (c) => {
  const ws = await c.connect()
  expectAccepted(await ws.publish(c.persona()))
  c.should(false, 'the relay should have said something nice')
})

relayCase(
  { ...base, id: 'fixture.skip-capability', title: 'needs an HTTP bridge', level: 'MUST', needs: ['http-bridge'] },
  async () => {
    throw new Error('must not run without the capability')
  },
)

relayCase({ ...base, id: 'fixture.skip-profile', title: 'an origin-profile case', level: 'MUST', profile: 'origin' }, async () => {
  throw new Error('must not run under --profile core')
})

relayCase({ ...base, id: 'fixture.skip-body', title: 'skips from the body with a reason', level: 'MUST' }, async (c) => {
  return c.skip('the target does not claim this')
})

relayCase({ ...base, id: 'fixture.skip-nip', title: 'needs a NIP the relay does not claim', level: 'MUST' }, async (c) => {
  c.requireNip(98)
  throw new Error('must not run when NIP-98 is not claimed')
})

relayCase({ ...base, id: 'fixture.skip-control', title: 'a positive control that fails ends as skip', level: 'MUST' }, async (c) => {
  const ws = await c.connect()
  controlAccepted(await ws.publish(c.persona()), 'the first version')
  control(false, 'the relay never served the first version')
  throw new Error('unreachable after a failed control')
})

propertyCase(
  { ...base, id: 'fixture.property-control', title: 'a failed control in a property run ends the case as skip', level: 'MUST' },
  [fc.integer({ min: 0, max: 100 })],
  async (c, n) => {
    const ws = await c.connect()
    expectAccepted(await ws.publish(c.persona({ slug: c.slug(`c${n}`) })))
    control(n < 3, `control failed at n = ${n}`)
  },
  { numRuns: 30 },
)

relayCase({ ...base, id: 'fixture.error-timeout', title: 'waits for a frame that never comes', level: 'MUST' }, async (c) => {
  const ws = await c.connect()
  await ws.waitFor((f) => f[0] === 'NEVER', 'a NEVER frame')
})

relayCase({ ...base, id: 'fixture.error-bug', title: 'a bug in the case itself', level: 'MUST' }, async () => {
  const value = undefined as unknown as { field: string }
  expect(value.field).toBe('x')
})

propertyCase(
  { ...base, id: 'fixture.property-fail', title: 'every n below 5 (false for n >= 5)', level: 'MUST' },
  [fc.integer({ min: 0, max: 100 })],
  async (c, n) => {
    const ws = await c.connect()
    expectAccepted(await ws.publish(c.persona({ slug: c.slug(`n${n}`) })))
    expect(n, `n = ${n}`).toBeLessThan(5)
  },
  { numRuns: 30 },
)

propertyCase(
  { ...base, id: 'fixture.property-pass', title: 'valid slugs are accepted', level: 'MUST' },
  [fc.integer({ min: 0, max: 9 })],
  async (c, n) => {
    const ws = await c.connect()
    expectAccepted(await ws.publish(c.persona({ slug: c.slug(`p${n}`) })))
  },
  { numRuns: 3 },
)
