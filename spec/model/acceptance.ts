/**
 * The stateless part of a relay's decision on an incoming event, in the order the origin
 * relay applies it: clock window, persona envelope, channel scope, deletion authorship.
 * Shape, id and signature come first (event.ts); stateful rules (replacement, deletion
 * tombstones, thread parents) need storage and come after.
 */

import { type ClockWindow, isWithinWindow, SkewRefusal } from './clock.ts'
import { checkDeletionAuthor } from './deletion.ts'
import { checkPersonaEnvelope } from './envelope.ts'
import type { NostrEvent } from './event.ts'
import { DeletionKind, PersonaKind } from './kinds.ts'
import { checkChannelScope, checkChannelScopeOrigin } from './scope.ts'

export type RuleCheck = { ok: true } | { ok: false; message: string }

export function checkRelayRules(event: NostrEvent, now: number, window: ClockWindow): RuleCheck {
  if (!isWithinWindow(event.created_at, now, window)) return { ok: false, message: SkewRefusal }
  if (event.kind === PersonaKind) {
    const envelope = checkPersonaEnvelope(event.tags)
    if (!envelope.ok) return envelope
  }
  const scope = checkChannelScope(event)
  if (!scope.ok) return scope
  if (event.kind === DeletionKind) {
    const author = checkDeletionAuthor(event)
    if (!author.ok) return author
  }
  return { ok: true }
}

/**
 * The origin relay's stateless rules (spec sections 15-17): clock window, persona envelope,
 * then channel kinds only in UUID channels (crates/buzz-relay/src/handlers/ingest.rs). Its
 * deletion checks need the held targets and run with the write (checkDeletionOrigin).
 */
export function checkOriginRelayRules(event: NostrEvent, now: number, window: ClockWindow): RuleCheck {
  if (!isWithinWindow(event.created_at, now, window)) return { ok: false, message: SkewRefusal }
  if (event.kind === PersonaKind) {
    const envelope = checkPersonaEnvelope(event.tags)
    if (!envelope.ok) return envelope
  }
  return checkChannelScopeOrigin(event)
}
