/**
 * The NIP-09 gate. NIP-09 is optional and its relay duties are SHOULDs (AMB-40), so a case
 * about honouring deletions first checks that the relay honours a plain one: it publishes
 * a scratch persona of its own, sees it served, deletes it with the owner's plain
 * deletion (`e`, `a` and `k` tags) and waits, within the settle window, for the address to
 * be empty. When that does not happen the case ends as `skip` with the reason: the relay
 * does not implement NIP-09 (or not this way), and nothing it then does with other
 * deletions can be judged.
 */

import { type CaseContext, type RelayConnection, control, controlAccepted } from '../../harness/src/authoring.ts'
import { SettleMs } from '../../harness/src/settings.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import type { KeyPair } from '../../harness/src/authoring.ts'
import { personaDeletionTags } from '../../spec/model/deletion.ts'
import { DeletionKind } from '../../spec/model/kinds.ts'
import { controlHead, readAddress, readSettled } from './reads.ts'

/** A deletion of the persona `target` by `keys`: `e` naming it, `a` naming its address, `k`. */
export function plainDeletion(c: CaseContext, target: NostrEvent, slug: string, keys: KeyPair, createdAt: number): NostrEvent {
  return c.sign({ kind: DeletionKind, created_at: createdAt, tags: [['e', target.id], ...personaDeletionTags(keys.pubkey, slug)] }, keys)
}

/**
 * Skips the case unless the relay honours a plain owner deletion of a scratch persona
 * (its own key and slug, so nothing the case builds later is touched).
 */
export async function controlDeletionHonoured(c: CaseContext, ws: RelayConnection): Promise<void> {
  const keys = c.freshKeys()
  const slug = c.slug('gate')
  const t = c.now() - 5
  const scratch = c.persona({ keys, slug, created_at: t, body: { display_name: 'Deletion gate', system_prompt: 'scratch' } })
  controlAccepted(await ws.publish(scratch), 'the scratch persona of the NIP-09 gate')
  await controlHead(ws, keys.pubkey, slug, scratch, 'the scratch persona of the NIP-09 gate')
  const reply = await ws.publish(plainDeletion(c, scratch, slug, keys, t + 1))
  control(reply.accepted, `the relay refused a plain NIP-09 deletion by the owner (OK false ${JSON.stringify(reply.message)}); NIP-09 is optional, so deletion cases do not apply`)
  const left = await readSettled(
    () => readAddress(ws, keys.pubkey, slug),
    (answer) => answer.length === 0,
  )
  control(
    left.length === 0,
    `the relay accepted a plain NIP-09 deletion (e, a and k tags, by the owner) but still serves the deleted persona after ${SettleMs} ms; NIP-09 is optional, so deletion cases do not apply`,
  )
}
