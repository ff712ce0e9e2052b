/**
 * The stateful model-based run: random sequences of publish, replace, tie, delete, query
 * and subscribe, applied to the relay and to a tiny model side by side. The model is a map
 * from address to head plus the latest `a` deletion per address, updated with spec/model's
 * rules (supersedes, compareVersions).
 *
 * Every difference between the relay's head and the model's is graded by the text it
 * breaks (AMB-38): a missing head, an older head or a head from nowhere is a MUST failure
 * (NIP-01 stores the latest version); the other version of a tie is a SHOULD miss (NIP-01's
 * "should be retained"); a version an accepted deletion covers is a SHOULD miss (NIP-09)
 * when it was there before the deletion, and not graded when it arrived after it (NIP-09
 * is silent, AMB-18). A head newer than an `a` deletion that the relay removes with it is
 * a MUST failure under the core profile and not judged under the origin profile, whose
 * relay does exactly that (AMB-57). Deletions run only on a relay that honours a plain one, live checks
 * only on a relay that delivers a barrier live (positive controls, taken before the run).
 *
 * Runs replay exactly: every value a command uses comes from its generated op (a tie's
 * contents from the op's nonce), so with the seed's keys and a replayed clock the same events
 * go out; a command's label is computed from its op alone, so the printed counterexample
 * names what ran. The sequence is an fc.array of commands, not fc.commands: fc.commands
 * shrinks by which commands ran (it marks them while running), state that a `--path` replay
 * cannot rebuild without also being given the run's `replayPath`, and the harness replays
 * a property from its seed and path alone.
 */

import { type CaseContext, type RelayConnection, type Subscription, control, controlAccepted, expectAccepted, fc, isControlError, isHarnessError, propertyCase, violation } from '../../harness/src/authoring.ts'
import type { KeyPair } from '../../harness/src/authoring.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { addressOf, compareVersions, formatAddress, selectHeads, supersedes } from '../../spec/model/head.ts'
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
import { controlDeletionHonoured } from '../lib/deletion.ts'
import { storedOrSkip } from '../lib/live.ts'
import { controlHead, describeEvent, describeIds, readAddress, readSettled, readStored, short } from '../lib/reads.ts'

interface Model {
  heads: Map<string, NostrEvent>
  /** Greatest created_at of an accepted `a` deletion per address. */
  deletedUpTo: Map<string, number>
  /** Versions that were the head when they arrived: the only ones live subscribers should see. */
  wereHeads: Set<string>
  /** Versions that arrived already covered by a deletion (NIP-09 says nothing of them). */
  lateCovered: Set<string>
  /** Heads newer than an owner's `a` deletion of their address, stored when it arrived (AMB-57). */
  outlived: Set<string>
  /** Whether the relay honoured the gate's plain deletion; without it no deletion is sent. */
  deletions: boolean
}

interface Real {
  c: CaseContext
  ws: RelayConnection
  owners: KeyPair[]
  slugs: string[]
  base: number
  /** Whether the relay delivered the barrier live; without it live delivery is not judged. */
  live: boolean
  subs: Array<{ owner: number; sub: Subscription; checked: number }>
  /** Versions published by the run's commands, and reads in which the relay served the model's head. */
  writes: number
  headsServed: number
  /** The run's commands so far, the current one last: printed with every SHOULD miss, which does not shrink. */
  trail: Cmd[]
}

type Cmd = fc.AsyncCommand<Model, Real>

const addressKey = (r: Real, at: AddressRef) => formatAddress(PersonaKind, (r.owners[at.owner] as KeyPair).pubkey, r.slugs[at.slug] as string)
const label = (at: AddressRef) => `o${at.owner}/s${at.slug}`
/** A time relative to the run's base, signed: `+3`, `-1`. */
const since = (r: Real, createdAt: number) => `${createdAt < r.base ? '' : '+'}${createdAt - r.base}`

/**
 * A SHOULD miss (warn). Unlike a MUST failure it does not end the run, so fast-check neither
 * shrinks nor reports it: the message carries the commands that led to it.
 */
function shouldMiss(r: Real, message: string): void {
  r.c.should(false, `${message} (after ${r.trail.map(String).join(', ')})`)
}

/** Grades the relay's head of one address against the model's (see the file comment). */
function judgeHead(m: Model, r: Real, key: string, where: string, relayHead: NostrEvent | undefined): void {
  const expected = m.heads.get(key)
  if (relayHead?.id === expected?.id) return
  const deletedUpTo = m.deletedUpTo.get(key) ?? -1
  if (relayHead !== undefined && relayHead.created_at <= deletedUpTo) {
    if (m.lateCovered.has(relayHead.id)) return r.c.note(`${where}: the relay serves ${describeEvent(relayHead)}, which arrived after a deletion covering it (not graded, AMB-18)`)
    return shouldMiss(r, `${where}: the relay still serves ${describeEvent(relayHead)}, covered by the owner's a deletion up to ${since(r, deletedUpTo)}`)
  }
  if (relayHead === undefined && expected !== undefined && m.outlived.has(expected.id)) {
    const what = `the relay removed ${describeEvent(expected)}, newer than the owner's a deletion up to ${since(r, deletedUpTo)}, which does not reach it`
    if (r.c.settings.profile === 'core') violation(`${where}: ${what} (NIP-01 keeps the latest version; AMB-57)`)
    // The origin relay's a deletion removes whatever the address holds: a weakness the origin
    // profile neither asks for nor judges (AMB-57). From here the model follows the relay.
    m.heads.delete(key)
    return r.c.note(`${where}: ${what} (not judged under the origin profile, AMB-57)`)
  }
  if (relayHead !== undefined && expected !== undefined && relayHead.created_at === expected.created_at) {
    return shouldMiss(r, `${where}: on the tie at created_at ${expected.created_at} the relay's head is ${describeEvent(relayHead)}, the lowest id is ${describeEvent(expected)}`)
  }
  violation(`${where}: the relay's head is ${describeEvent(relayHead)}, the model's (the latest version) is ${describeEvent(expected)}`)
}

/** Live deliveries since the last check: each should have been a head when it arrived. */
function checkLive(m: Model, r: Real): void {
  for (const entry of r.subs) {
    const events = entry.sub.events
    for (const event of events.slice(entry.checked)) {
      if (m.lateCovered.has(event.id)) continue
      if (!m.wereHeads.has(event.id)) shouldMiss(r, `a version that was not the head when it arrived was delivered live: ${describeEvent(event)}`)
    }
    entry.checked = events.length
  }
}

/** The relay's answer for one address, settled towards the model's head. */
async function checkAddress(m: Model, r: Real, at: AddressRef): Promise<void> {
  const key = addressKey(r, at)
  const expected = m.heads.get(key)
  const versions = await readSettled(
    () => readAddress(r.ws, (r.owners[at.owner] as KeyPair).pubkey, r.slugs[at.slug] as string),
    (answer) => selectHeads(answer)[0]?.id === expected?.id,
  )
  const relayHead = selectHeads(versions)[0]
  judgeHead(m, r, key, label(at), relayHead)
  if (expected !== undefined && relayHead?.id === expected.id) r.headsServed += 1
}

/** Publishes a version and applies it to the model; checks OK, live delivery and the address. */
async function publishVersion(m: Model, r: Real, at: AddressRef, version: NostrEvent): Promise<void> {
  checkLive(m, r)
  const key = addressKey(r, at)
  const current = m.heads.get(key)
  const isCovered = version.created_at <= (m.deletedUpTo.get(key) ?? -1)
  const becomesHead = !isCovered && (current === undefined || supersedes(version, current))
  const reply = await r.ws.publish(version)
  r.writes += 1
  // The original NIP-AP: a valid persona newer than the head MUST be accepted; ties and
  // stale writes may be answered either way.
  if (becomesHead && (current === undefined || version.created_at > current.created_at)) {
    expectAccepted(reply, `${label(at)}: a version newer than the head (${describeEvent(version)})`)
  }
  if (becomesHead) {
    m.heads.set(key, version)
    m.wereHeads.add(version.id)
    if (r.live) {
      for (const entry of r.subs.filter((s) => s.owner === at.owner)) await expectDelivered(r, entry.sub, version)
    }
  }
  if (isCovered) m.lateCovered.add(version.id)
  await checkAddress(m, r, at)
}

async function expectDelivered(r: Real, sub: Subscription, version: NostrEvent): Promise<void> {
  try {
    await sub.waitForEvent((e) => e.id === version.id, `the new head ${short(version.id)} delivered live`)
  } catch (error) {
    if (!(isHarnessError(error) && error.kind === 'timeout')) throw error
    shouldMiss(r, `the new head ${describeEvent(version)} was not delivered live on ${sub.id} within ${r.c.timeoutMs} ms`)
  }
}

// Commands are immutable: fast-check reuses their objects across runs and shrinks, so a
// label is computed from the op alone (what was sent shows in the messages and transcript).

class PublishCommand implements Cmd {
  constructor(readonly op: { at: AddressRef; offset: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    r.trail.push(this)
    const version = r.c.persona({ slug: r.slugs[this.op.at.slug], created_at: r.base + this.op.offset, keys: r.owners[this.op.at.owner] })
    await publishVersion(m, r, this.op.at, version)
  }
  toString = () => `publish(${label(this.op.at)}, +${this.op.offset})`
}

/** The floor a replace or tie counts its step from: the head, else the latest deletion, else the base. */
function floorOf(m: Model, r: Real, key: string): number {
  return Math.max(m.heads.get(key)?.created_at ?? r.base, m.deletedUpTo.get(key) ?? r.base)
}

class ReplaceCommand implements Cmd {
  constructor(readonly op: { at: AddressRef; step: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    r.trail.push(this)
    const createdAt = floorOf(m, r, addressKey(r, this.op.at)) + this.op.step
    const version = r.c.persona({ slug: r.slugs[this.op.at.slug], created_at: createdAt, keys: r.owners[this.op.at.owner] })
    await publishVersion(m, r, this.op.at, version)
  }
  toString = () => `replace(${label(this.op.at)}, floor+${this.op.step})`
}

/** Three versions with one created_at, arriving in the op's id-rank order (see tieOp). */
class TieCommand implements Cmd {
  constructor(readonly op: { at: AddressRef; step: number; order: number[]; nonce: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    r.trail.push(this)
    const createdAt = floorOf(m, r, addressKey(r, this.op.at)) + this.op.step
    const versions = this.op.order
      .map((i) =>
        r.c.persona({
          slug: r.slugs[this.op.at.slug],
          created_at: createdAt,
          keys: r.owners[this.op.at.owner],
          body: { display_name: `Tie ${i}`, system_prompt: `tie nonce ${this.op.nonce}` },
        }),
      )
      .sort(compareVersions)
    r.c.note(`${String(this)}: three versions at ${since(r, createdAt)}, ${describeIds(versions)} in id order`)
    for (const rank of this.op.order) await publishVersion(m, r, this.op.at, versions[rank] as NostrEvent)
  }
  toString = () => `tie(${label(this.op.at)}, floor+${this.op.step}, id ranks ${this.op.order.join('')}, nonce ${this.op.nonce})`
}

class DeleteCommand implements Cmd {
  constructor(readonly op: { at: AddressRef; shift: number; offset: number }) {}
  check = (m: Readonly<Model>) => m.deletions
  async run(m: Model, r: Real) {
    r.trail.push(this)
    checkLive(m, r)
    const key = addressKey(r, this.op.at)
    const head = m.heads.get(key)
    const createdAt = head ? head.created_at + this.op.shift : r.base + this.op.offset
    const owner = r.owners[this.op.at.owner] as KeyPair
    const deletion = r.c.sign({ kind: DeletionKind, created_at: createdAt, tags: personaDeletionTags(owner.pubkey, r.slugs[this.op.at.slug] as string) }, owner)
    controlAccepted(await r.ws.publish(deletion), `${label(this.op.at)}: the owner's a deletion at ${since(r, createdAt)}`)
    m.deletedUpTo.set(key, Math.max(createdAt, m.deletedUpTo.get(key) ?? -1))
    if (head !== undefined && head.created_at <= createdAt) m.heads.delete(key)
    if (head !== undefined && head.created_at > createdAt) m.outlived.add(head.id)
    await checkAddress(m, r, this.op.at)
  }
  toString = () => `delete(${label(this.op.at)}, head${this.op.shift < 0 ? '' : '+'}${this.op.shift} or +${this.op.offset} without a head)`
}

class QueryCommand implements Cmd {
  constructor(readonly op: { owner: number }) {}
  check = () => true
  async run(m: Model, r: Real) {
    r.trail.push(this)
    checkLive(m, r)
    const pubkey = (r.owners[this.op.owner] as KeyPair).pubkey
    const events = await readSettled(
      () => readStored(r.ws, [{ kinds: [PersonaKind], authors: [pubkey] }], 'the owner list read'),
      (answer) => agrees(m, r, this.op.owner, answer),
    )
    compareHeads(m, r, this.op.owner, events, 'the list read')
  }
  toString = () => `query(o${this.op.owner})`
}

class SubscribeCommand implements Cmd {
  constructor(readonly op: { owner: number }) {}
  check = (_m: Readonly<Model>) => true
  async run(m: Model, r: Real) {
    r.trail.push(this)
    checkLive(m, r)
    const pubkey = (r.owners[this.op.owner] as KeyPair).pubkey
    const filter = { kinds: [PersonaKind], authors: [pubkey] }
    const sub = r.ws.subscribe([filter])
    const reply = await storedOrSkip(sub, r.c.timeoutMs)
    control(reply.eose, `the relay refused a subscription with CLOSED ${JSON.stringify(reply.closed ?? '')}`)
    // The stored answer is a read like any other (AMB-41): a relay may serve it from a short
    // cache that predates the last write. When it disagrees, the same filter is read again
    // within the settle window and that answer is judged.
    let stored = reply.events
    if (!agrees(m, r, this.op.owner, stored)) {
      stored = await readSettled(
        () => readStored(r.ws, [filter], 'the re-read of a new subscription'),
        (answer) => agrees(m, r, this.op.owner, answer),
      )
      r.c.note(`the stored answer of subscription ${sub.id} did not show the model's heads; judged on a re-read of its filter (AMB-41)`)
    }
    compareHeads(m, r, this.op.owner, stored, 'the stored answer of a new subscription')
    r.subs.push({ owner: this.op.owner, sub, checked: sub.events.length })
  }
  toString = () => `subscribe(o${this.op.owner})`
}

function agrees(m: Model, r: Real, owner: number, events: NostrEvent[]): boolean {
  const got = new Map(selectHeads(events).map((e) => [addressOf(e), e.id]))
  return Array.from({ length: SlugCount }, (_, slug) => addressKey(r, { owner, slug })).every((key) => got.get(key) === m.heads.get(key)?.id)
}

function compareHeads(m: Model, r: Real, owner: number, events: NostrEvent[], what: string): void {
  const got = new Map(selectHeads(events).map((e) => [addressOf(e), e]))
  for (let slug = 0; slug < SlugCount; slug += 1) {
    const key = addressKey(r, { owner, slug })
    judgeHead(m, r, key, `${what} of o${owner}, s${slug}`, got.get(key))
  }
}

/** At least one write per run: a first publish, then whatever fast-check draws (see the file comment on fc.array). */
const commands = fc
  .tuple(
    publishOp,
    fc.array(
      fc.oneof(
        publishOp.map((op): Cmd => new PublishCommand(op)),
        replaceOp.map((op): Cmd => new ReplaceCommand(op)),
        // Ties and deletions are where relays go wrong: give them twice the weight.
        { arbitrary: tieOp.map((op): Cmd => new TieCommand(op)), weight: 2 },
        { arbitrary: deleteOp.map((op): Cmd => new DeleteCommand(op)), weight: 2 },
        queryOp.map((op): Cmd => new QueryCommand(op)),
        subscribeOp.map((op): Cmd => new SubscribeCommand(op)),
      ),
      { maxLength: 16, size: 'large' },
    ),
  )
  .map(([first, rest]): Cmd[] => [new PublishCommand(first), ...rest])

propertyCase(
  {
    id: 'stateful.personas-against-model',
    title: 'random sequences of publish, replace, tie, delete, query and subscribe give the same heads on the relay as in the model',
    requirements: ['AP-REPL-1', 'AP-REPL-2', 'AP-REPL-3', 'AP-REPL-4', 'AP-REPL-5', 'AP-REPL-6', 'AP-DEL-3', 'AP-DEL-5', 'AP-RELAY-1', 'AP-RELAY-3', 'AP-RELAY-8'],
    level: 'MUST',
    profile: 'core',
  },
  [commands],
  async (c, cmds) => {
    const ws = await c.connect()
    const owners = Array.from({ length: OwnerCount }, () => c.freshKeys())
    const first = ws.subscribe([{ kinds: [PersonaKind], authors: [(owners[0] as KeyPair).pubkey] }])
    const initial = await storedOrSkip(first, c.timeoutMs)
    control(initial.eose, `the relay refused the initial subscription with CLOSED ${JSON.stringify(initial.closed ?? '')}`)
    // Controls: a persona of owner 0 (its own slug) is stored, and delivered live; deletions only if honoured.
    const scratchSlug = c.slug('model-scratch')
    const scratch = c.persona({ slug: scratchSlug, keys: owners[0] })
    controlAccepted(await ws.publish(scratch), 'the scratch persona')
    await controlHead(ws, (owners[0] as KeyPair).pubkey, scratchSlug, scratch, 'the scratch persona')
    let live = true
    try {
      await first.waitForEvent((e) => e.id === scratch.id, 'the scratch persona delivered live')
    } catch (error) {
      if (!(isHarnessError(error) && error.kind === 'timeout')) throw error
      live = false
      c.note('the scratch persona was not delivered live: live delivery is not judged in this run (nip01.eose-then-live owns it)')
    }
    let deletions = true
    try {
      await controlDeletionHonoured(c, ws)
    } catch (error) {
      if (!isControlError(error)) throw error
      deletions = false
      c.note(`${error.message}: no deletions in this run`)
    }
    const real: Real = {
      c,
      ws,
      owners,
      slugs: Array.from({ length: SlugCount }, (_, i) => c.slug(`model-${i}`)),
      // Room for MaxOffset plus replace steps and deletion shifts, all in the past.
      base: c.now() - MaxOffset - 90,
      live,
      subs: [{ owner: 0, sub: first, checked: first.events.length }],
      writes: 0,
      headsServed: 0,
      trail: [],
    }
    const model: Model = { heads: new Map(), deletedUpTo: new Map(), wereHeads: new Set([scratch.id]), lateCovered: new Set(), outlived: new Set(), deletions }
    await fc.asyncModelRun(() => ({ model, real }), cmds)
    checkLive(model, real)
    // Positive control of the run itself: it wrote, and the relay was seen serving what it wrote.
    if (real.writes === 0) throw new Error(`stateful run without a write: commands ${cmds.map(String).join(', ')}`)
    control(real.headsServed > 0, `${real.writes} versions were published but no read served the model's head: nothing in this run was compared`)
    c.note(`${real.writes} versions published, the model's head served in ${real.headsServed} reads; ${describeIds([...model.heads.values()])} heads at the end`)
  },
  { numRuns: 10 },
)
