/**
 * The NIP-09 gate. NIP-09 is optional and its relay duties are SHOULDs (AMB-40), so a case
 * about honouring deletions first checks that the relay honours a plain one: it publishes
 * a scratch persona of its own, sees it served, deletes it with the owner's plain
 * deletion (`e`, `a` and `k` tags; where the relay refuses more than one target, the `a`
 * form alone, then the `e` form alone) and waits, within the settle window, for the
 * address to be empty. When that does not happen the case ends as `skip` with the reason: the relay
 * does not implement NIP-09 (or not this way), and nothing it then does with other
 * deletions can be judged.
 */

import { type CaseContext, type OkReply, type RelayConnection, control, controlAccepted } from '../../harness/src/authoring.ts'
import { SettleMs } from '../../harness/src/settings.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { KeyPair } from '../../harness/src/authoring.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import { DeletionKind, PersonaKind } from '../../spec/model/kinds.ts'
import { controlHead, readAddress, readSettled } from './reads.ts'

/**
 * The deletions the gate tries, in order: the plain one, then, for a relay that refuses a
 * deletion naming more than one target (the origin relay does, AP-DEL-11), the `a` form
 * alone and the `e` form alone. NIP-09 allows "one or more" targets, so a relay may take
 * either form; the gate only needs one the relay keeps.
 */
const GateForms = [
  { name: 'plain (e, a and k tags)', tags: (target: NostrEvent, slug: string, keys: KeyPair) => [['e', target.id], ...personaDeletionTags(keys.pubkey, slug)] },
  { name: 'a alone (a and k tags)', tags: (_target: NostrEvent, slug: string, keys: KeyPair) => personaDeletionTags(keys.pubkey, slug) },
  { name: 'e alone (e and k tags)', tags: (target: NostrEvent) => [['e', target.id], ['k', String(PersonaKind)]] },
] as const

/**
 * Skips the case unless the relay honours an owner deletion of a scratch persona (its own
 * key and slug, so nothing the case builds later is touched): the first form of `GateForms`
 * the relay accepts must leave the address empty within the settle window.
 */
export async function controlDeletionHonoured(c: CaseContext, ws: RelayConnection): Promise<void> {
  const keys = c.freshKeys()
  const slug = c.slug('gate')
  const t = c.now() - 5
  const scratch = c.persona({ keys, slug, created_at: t, body: { display_name: 'Deletion gate', system_prompt: 'scratch' } })
  controlAccepted(await ws.publish(scratch), 'the scratch persona of the NIP-09 gate')
  await controlHead(ws, keys.pubkey, slug, scratch, 'the scratch persona of the NIP-09 gate')
  const refusals: string[] = []
  for (const form of GateForms) {
    const reply = await ws.publish(c.sign({ kind: DeletionKind, created_at: t + 1, tags: form.tags(scratch, slug, keys) }, keys))
    if (!reply.accepted) {
      refusals.push(`${form.name}: OK false ${JSON.stringify(reply.message)}`)
      continue
    }
    if (refusals.length > 0) c.note(`NIP-09 gate: the relay refused ${refusals.join('; ')}; it accepted the deletion ${form.name}`)
    const left = await readSettled(
      () => readAddress(ws, keys.pubkey, slug),
      (answer) => answer.length === 0,
    )
    control(
      left.length === 0,
      `the relay accepted an owner's NIP-09 deletion ${form.name} but still serves the deleted persona after ${SettleMs} ms; NIP-09 is optional, so deletion cases do not apply`,
    )
    return
  }
  control(false, `the relay refused every owner's NIP-09 deletion of the gate (${refusals.join('; ')}); NIP-09 is optional, so deletion cases do not apply`)
}

/**
 * Publishes the owner's deletion of `targets` (`e` and `a` tags) with a `k` tag. NIP-09
 * allows "one or more" targets, and a relay may refuse a deletion naming several (the origin
 * relay does, AP-DEL-11), so when it refuses one naming more than one, each target is
 * deleted by a deletion of its own, with the same created_at. `accept` judges every reply
 * the case rests on: the one deletion's, or each single one's.
 */
export async function publishDeletionOf(
  c: CaseContext,
  ws: RelayConnection,
  targets: readonly string[][],
  createdAt: number,
  what: string,
  accept: (reply: OkReply, what: string) => void,
): Promise<void> {
  const k = ['k', String(PersonaKind)]
  const reply = await ws.publish(c.sign({ kind: DeletionKind, created_at: createdAt, tags: [...targets, k] }))
  if (reply.accepted || targets.length < 2) return accept(reply, what)
  c.note(`the relay refused ${what} naming ${targets.length} targets (OK false ${JSON.stringify(reply.message)}); each target is deleted on its own`)
  for (const target of targets) accept(await ws.publish(c.sign({ kind: DeletionKind, created_at: createdAt, tags: [target, k] })), `${what}: the deletion of ${target[0]} ${target[1]?.slice(0, 20)} alone`)
}
