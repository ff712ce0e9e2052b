/**
 * The stateful model-based run: random sequences of publish, replace, tie, delete, query
 * and subscribe, applied to the relay and to a tiny model side by side. The model is a map
 * from address to head plus the latest `a` deletion per address, updated with spec/model's
 * rules (supersedes, compareVersions); any divergence fails with the shrunk sequence.
 */

import { type CaseContext, type RelayConnection, type Subscription, expectAccepted, expectEose, fc, propertyCase, violation } from '../../harness/src/authoring.ts'
import type { KeyPair } from '../../harness/src/authoring.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { addressOf, formatAddress, selectHeads, supersedes } from '../../spec/model/head.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import {
  type AddressRef,
  MaxOffset,
  OwnerCount,
  SlugCount,
  deleteOp,
  publishOp,
  queryOp,
  replaceOp,
  subscribeOp,
  tieOp,
} from '../../spec/arbitraries/persona-ops.ts'
import { describeEvent, describeIds, readAddress, short } from '../lib/reads.ts'

interface Model {
  heads: Map<string, NostrEvent>
  /** Greatest created_at of an accepted `a` deletion per address. */
  deletedUpTo: Map<string, number>
  /** Versions that were the head when they arrived: the only ones live subscribers may see. */
  wereHeads: Set<string>
  /** Versions that arrived covered by a deletion: never to be served or delivered. */
  covered: Set<string>
}

interface Real {
  c: CaseContext
  ws: RelayConnection
  owners: KeyPair[]
  slugs: string[]
  base: number
  subs: Array<{ owner: number; sub: Subscription; checked: number }>
}

type Cmd = fc.AsyncCommand<Model, Real>

const addressKey = (r: Real, at: AddressRef) => formatAddress(PersonaKind, (r.owners[at.owner] as KeyPair).pubkey, r.slugs[at.slug] as string)
const label = (at: AddressRef) => `o${at.owner}/s${at.slug}`

/** Live deliveries since the last check: each must have been a head when it arrived. */
async function checkLive(m: Model, r: Real): Promise<void> {
  for (const entry of r.subs) {
    const events = entry.sub.events
    for (const event of events.slice(entry.checked)) {
      if (m.covered.has(event.id)) violation(`a version covered by a deletion was delivered live: ${describeEvent(event)}`)
      r.c.should(m.wereHeads.has(event.id), `a version that was not the head when it arrived was delivered live: ${describeEvent(event)}`)
    }
    entry.checked = events.length
  }
}

/** The relay's answer for one address must give the model's head and nothing covered. */
async function checkAddress(m: Model, r: Real, at: AddressRef): Promise<void> {
  const versions = await readAddress(r.ws, (r.owners[at.owner] as KeyPair).pubkey, r.slugs[at.slug] as string)
  const covered = versions.filter((v) => m.covered.has(v.id) || v.created_at <= (m.deletedUpTo.get(addressKey(r, at)) ?? -1))
  if (covered.length > 0) violation(`${label(at)}: the relay serves deleted versions ${describeIds(covered)}`)
  const head = selectHeads(versions)[0]
  const expected = m.heads.get(addressKey(r, at))
  if (head?.id !== expected?.id) violation(`${label(at)}: the relay's head is ${describeEvent(head)}, the model's is ${describeEvent(expected)}`)
}

/** Publishes a version and applies it to the model; checks OK, live delivery and the address. */
async function publishVersion(m: Model, r: Real, at: AddressRef, version: NostrEvent): Promise<void> {
  await checkLive(m, r)
  const key = addressKey(r, at)
  const current = m.heads.get(key)
  const isCovered = version.created_at <= (m.deletedUpTo.get(key) ?? -1)
  const becomesHead = !isCovered && (current === undefined || supersedes(version, current))
  const reply = await r.ws.publish(version)
  if (becomesHead) {
    expectAccepted(reply, `${label(at)}: a version that becomes the head (${describeEvent(version)})`)
    m.heads.set(key, version)
    m.wereHeads.add(version.id)
    for (const entry of r.subs.filter((s) => s.owner === at.owner)) {
      await entry.sub.waitForEvent((e) => e.id === version.id, `the new head ${short(version.id)} delivered live`)
    }
  }
  if (isCovered) m.covered.add(version.id)
  await checkAddress(m, r, at)
}

class PublishCommand implements Cmd {
  id = ''
  constructor(readonly op: { at: AddressRef; offset: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    const version = r.c.persona({ slug: r.slugs[this.op.at.slug], created_at: r.base + this.op.offset, keys: r.owners[this.op.at.owner] })
    this.id = short(version.id)
    await publishVersion(m, r, this.op.at, version)
  }
  toString = () => `publish(${label(this.op.at)}, +${this.op.offset})${this.id ? ` ${this.id}` : ''}`
}

class ReplaceCommand implements Cmd {
  id = ''
  constructor(readonly op: { at: AddressRef; step: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    const head = m.heads.get(addressKey(r, this.op.at))
    const floor = Math.max(head?.created_at ?? r.base, m.deletedUpTo.get(addressKey(r, this.op.at)) ?? r.base)
    const version = r.c.persona({ slug: r.slugs[this.op.at.slug], created_at: floor + this.op.step, keys: r.owners[this.op.at.owner] })
    this.id = short(version.id)
    await publishVersion(m, r, this.op.at, version)
  }
  toString = () => `replace(${label(this.op.at)}, +${this.op.step}s)${this.id ? ` ${this.id}` : ''}`
}

class TieCommand implements Cmd {
  id = ''
  constructor(readonly op: { at: AddressRef }) {}
  check = () => true
  async run(m: Model, r: Real) {
    const head = m.heads.get(addressKey(r, this.op.at))
    const createdAt = head?.created_at ?? r.base
    const version = r.c.persona({ slug: r.slugs[this.op.at.slug], created_at: createdAt, keys: r.owners[this.op.at.owner], body: { display_name: 'Tie', system_prompt: String(Math.random()) } })
    this.id = short(version.id)
    await publishVersion(m, r, this.op.at, version)
  }
  toString = () => `tie(${label(this.op.at)})${this.id ? ` ${this.id}` : ''}`
}

class DeleteCommand implements Cmd {
  at = 0
  constructor(readonly op: { at: AddressRef; shift: number; offset: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    await checkLive(m, r)
    const key = addressKey(r, this.op.at)
    const head = m.heads.get(key)
    const createdAt = head ? head.created_at + this.op.shift : r.base + this.op.offset
    this.at = createdAt - r.base
    const owner = r.owners[this.op.at.owner] as KeyPair
    const deletion = r.c.sign({ kind: DeletionKind, created_at: createdAt, tags: personaDeletionTags(owner.pubkey, r.slugs[this.op.at.slug] as string) }, owner)
    expectAccepted(await r.ws.publish(deletion), `${label(this.op.at)}: the owner's a deletion at +${this.at}`)
    m.deletedUpTo.set(key, Math.max(createdAt, m.deletedUpTo.get(key) ?? -1))
    if (head !== undefined && head.created_at <= createdAt) m.heads.delete(key)
    await checkAddress(m, r, this.op.at)
  }
  toString = () => `delete(${label(this.op.at)}, at +${this.at})`
}

class QueryCommand implements Cmd {
  constructor(readonly op: { owner: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    await checkLive(m, r)
    const pubkey = (r.owners[this.op.owner] as KeyPair).pubkey
    const reply = await r.ws.query([{ kinds: [PersonaKind], authors: [pubkey] }])
    expectEose(reply, 'the owner list read')
    compareHeads(m, r, this.op.owner, reply.events, 'the list read')
  }
  toString = () => `query(o${this.op.owner})`
}

class SubscribeCommand implements Cmd {
  constructor(readonly op: { owner: number }) {}
  check = (_m: Readonly<Model>) => true
  async run(m: Model, r: Real) {
    await checkLive(m, r)
    const pubkey = (r.owners[this.op.owner] as KeyPair).pubkey
    const sub = r.ws.subscribe([{ kinds: [PersonaKind], authors: [pubkey] }])
    const reply = await sub.stored()
    expectEose(reply, 'the new subscription')
    compareHeads(m, r, this.op.owner, reply.events, 'the stored answer of a new subscription')
    r.subs.push({ owner: this.op.owner, sub, checked: sub.events.length })
  }
  toString = () => `subscribe(o${this.op.owner})`
}

function compareHeads(m: Model, r: Real, owner: number, events: NostrEvent[], what: string): void {
  const covered = events.filter((e) => m.covered.has(e.id))
  if (covered.length > 0) violation(`${what} of o${owner} includes deleted versions ${describeIds(covered)}`)
  const got = new Map(selectHeads(events).map((e) => [addressOf(e), e.id]))
  for (let slug = 0; slug < SlugCount; slug += 1) {
    const key = addressKey(r, { owner, slug })
    const expected = m.heads.get(key)
    if (got.get(key) !== expected?.id) {
      violation(`${what} of o${owner}: head of s${slug} is ${short(got.get(key))}, the model's is ${describeEvent(expected)}`)
    }
  }
}

const commands = fc.commands(
  [
    publishOp.map((op) => new PublishCommand(op)),
    replaceOp.map((op) => new ReplaceCommand(op)),
    tieOp.map((op) => new TieCommand(op)),
    // Ties and deletions are where relays go wrong: give them twice the weight.
    tieOp.map((op) => new TieCommand(op)),
    deleteOp.map((op) => new DeleteCommand(op)),
    deleteOp.map((op) => new DeleteCommand(op)),
    queryOp.map((op) => new QueryCommand(op)),
    subscribeOp.map((op) => new SubscribeCommand(op)),
  ],
  { maxCommands: 16, size: 'large' },
)

propertyCase(
  {
    id: 'stateful.personas-against-model',
    title: 'random sequences of publish, replace, tie, delete, query and subscribe give the same heads on the relay as in the model',
    requirements: ['AP-REPL-1', 'AP-REPL-2', 'AP-REPL-3', 'AP-REPL-4', 'AP-REPL-5', 'AP-DEL-3', 'AP-DEL-5', 'AP-RELAY-1', 'AP-RELAY-3', 'AP-RELAY-8'],
    level: 'MUST',
    profile: 'core',
  },
  [commands],
  async (c, cmds) => {
    const ws = await c.connect()
    const real: Real = {
      c,
      ws,
      owners: Array.from({ length: OwnerCount }, () => c.freshKeys()),
      slugs: Array.from({ length: SlugCount }, (_, i) => c.slug(`model-${i}`)),
      // Room for MaxOffset plus replace steps and deletion shifts, all in the past.
      base: c.now() - MaxOffset - 90,
      subs: [],
    }
    // One subscription from the start, so every run checks live delivery.
    const first = ws.subscribe([{ kinds: [PersonaKind], authors: [(real.owners[0] as KeyPair).pubkey] }])
    expectEose(await first.stored(), 'the initial subscription')
    real.subs.push({ owner: 0, sub: first, checked: 0 })
    const model: Model = { heads: new Map(), deletedUpTo: new Map(), wereHeads: new Set(), covered: new Set() }
    await fc.asyncModelRun(() => ({ model, real }), cmds)
    await checkLive(model, real)
  },
  { numRuns: 10 },
)
