/**
 * Model-based run: random sequences of persona writes, address deletions and reads against
 * a live relay, checked against a tiny model (a head and a deletion horizon per slug).
 * spec/model's comparator is pinned by the vectors; this run tests storage, the writer's
 * decisions and their answers.
 */

import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { supersedes } from '../../spec/model/head.ts'
import type { RelayInternals } from '../src/relay.ts'
import { type Key, newKey, sign, startTestRelay, TestClient } from './helpers.ts'

const now = 1_800_000_000
const slugs = ['alpha', 'beta']

interface Model {
  heads: Map<string, NostrEvent>
  /** created_at of the newest `a` deletion per slug. */
  deletedUpTo: Map<string, number>
}

interface Real {
  client: TestClient
  key: Key
}

let written = 0

class Write implements fc.AsyncCommand<Model, Real> {
  /** offset null: the current head's created_at (a tie on purpose). */
  constructor(readonly slug: string, readonly offset: number | null) {}
  check = (m: Readonly<Model>) => this.offset !== null || m.heads.has(this.slug)
  async run(m: Model, r: Real): Promise<void> {
    const created_at = this.offset === null ? (m.heads.get(this.slug) as NostrEvent).created_at : now + this.offset
    const event = sign(r.key, {
      kind: 30175,
      created_at,
      tags: [['d', this.slug]],
      content: JSON.stringify({ display_name: `w${++written}`, system_prompt: '' }),
    })
    const answer = await r.client.publish(event)
    const head = m.heads.get(this.slug)
    const horizon = m.deletedUpTo.get(this.slug)
    if (horizon !== undefined && event.created_at <= horizon) {
      expect(answer.accepted).toBe(false)
      expect(answer.message).toMatch(/^blocked: /)
    } else if (head !== undefined && !supersedes(event, head)) {
      expect(answer.accepted).toBe(true)
      expect(answer.message).toMatch(/^duplicate: /)
    } else {
      expect(answer).toEqual({ accepted: true, message: '' })
      m.heads.set(this.slug, event)
    }
  }
  toString = () =>
    this.offset === null ? `write(${this.slug}, tie)` : `write(${this.slug}, ${this.offset >= 0 ? '+' : ''}${this.offset})`
}

class DeleteAddress implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slug: string, readonly offset: number) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const del = sign(r.key, {
      kind: 5,
      created_at: now + this.offset,
      tags: personaDeletionTags(r.key.pk, this.slug),
      content: `d${++written}`,
    })
    expect(await r.client.publish(del)).toEqual({ accepted: true, message: '' })
    const horizon = Math.max(m.deletedUpTo.get(this.slug) ?? -1, del.created_at)
    m.deletedUpTo.set(this.slug, horizon)
    const head = m.heads.get(this.slug)
    if (head !== undefined && head.created_at <= horizon) m.heads.delete(this.slug)
  }
  toString = () => `delete(${this.slug}, ${this.offset >= 0 ? '+' : ''}${this.offset})`
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slug: string) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const ids = await r.client.ids('read', { kinds: [30175], authors: [r.key.pk], '#d': [this.slug] })
    const head = m.heads.get(this.slug)
    expect(ids).toEqual(head ? [head.id] : [])
  }
  toString = () => `read(${this.slug})`
}

let relay: RelayInternals
let client: TestClient

beforeAll(async () => {
  relay = await startTestRelay({}, { clock: () => now * 1000 })
  client = await TestClient.connect(relay.url)
})
afterAll(async () => {
  client.close()
  await relay.close()
})

describe('model-based run', () => {
  test('writes, deletions and reads agree with a head-and-horizon model', async () => {
    const slug = fc.constantFrom(...slugs)
    const offset = fc.integer({ min: -2, max: 2 })
    const commands = fc.commands(
      [
        fc.tuple(slug, offset).map(([s, o]) => new Write(s, o)),
        slug.map((s) => new Write(s, null)),
        fc.tuple(slug, offset).map(([s, o]) => new DeleteAddress(s, o)),
        slug.map((s) => new Read(s)),
      ],
      { maxCommands: 25 },
    )
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const setup = () => ({
          model: { heads: new Map(), deletedUpTo: new Map() } satisfies Model,
          real: { client, key: newKey() } satisfies Real,
        })
        await fc.asyncModelRun(setup, [...cmds, ...slugs.map((s) => new Read(s))])
      }),
      { numRuns: 40 },
    )
  })
})
