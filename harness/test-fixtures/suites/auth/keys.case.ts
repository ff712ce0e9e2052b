// Fixture suite for the harness's NIP-42 tests: cases that write as several authors, so a
// relay that binds a connection to its AUTH key needs one socket (and one key) per author.
import { expect } from 'vitest'
import { expectAccepted, relayCase } from '../../../src/authoring.ts'

const base = { requirements: ['AP-SLUG-3'], profile: 'core' as const, level: 'MUST' as const }

relayCase({ ...base, id: 'fixture.two-authors', title: 'two authors write and read back each other' }, async (c) => {
  const ws = await c.connect()
  const other = c.freshKeys()
  const mine = c.persona()
  const theirs = c.persona({ keys: other })
  expectAccepted(await ws.publish(mine), 'the main author\'s persona')
  expectAccepted(await ws.publish(theirs), 'the second author\'s persona')
  const read = await ws.query([{ ids: [mine.id, theirs.id] }])
  expect(read.events.map((e) => e.id).sort(), 'both personas read back').toEqual([mine.id, theirs.id].sort())
})

relayCase({ ...base, id: 'fixture.three-authors', title: 'three authors write' }, async (c) => {
  const ws = await c.connect()
  for (const keys of [c.keys, c.freshKeys(), c.freshKeys()]) expectAccepted(await ws.publish(c.persona({ keys })), `a persona of ${keys.pubkey.slice(0, 8)}`)
})
