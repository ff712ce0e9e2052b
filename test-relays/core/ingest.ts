// EVENT: from a parsed frame element to an OK answer and, maybe, a live delivery.
import {
  computeId,
  pickEvent,
  shapeProblem,
  signatureIsValid,
  signatureOverGivenIdIsValid,
  type NostrEvent,
} from './event.ts'
import type { Faults } from './faults.ts'
import { authKind, deletionKind, kindClass, personaKind } from './kinds.ts'
import { personaProblem } from './persona.ts'
import type { Reason } from './reasons.ts'
import type { Settings } from './settings.ts'
import type { MemoryStore } from './store.ts'
import { deletionTargets } from './deletion.ts'
import type { EnforcedLimits } from './limits.ts'

export interface IngestContext {
  readonly settings: Settings
  readonly faults: Faults
  readonly limits: EnforcedLimits
  readonly store: MemoryStore
  /** Pubkeys allowed to act after AUTH; null = any authenticated key. */
  readonly authKeys: ReadonlySet<string> | null
  /** Keys authenticated on the connection the event came from. */
  readonly authenticated: ReadonlySet<string>
  readonly now: number
}

export type OkAnswer =
  | { readonly accepted: true; readonly note: Reason | null }
  | { readonly accepted: false; readonly reason: Reason }

export interface IngestResult {
  /** The OK to send (for `id`), or null when none is sent. */
  readonly ok: { readonly id: string; readonly answer: OkAnswer } | null
  /** A NOTICE reason when the frame cannot be answered with OK. */
  readonly notice: Reason | null
  /** The event to hand to live subscriptions, if any. */
  readonly deliver: NostrEvent | null
}

const accepted = (id: string, note: Reason | null = null, deliver: NostrEvent | null = null): IngestResult => ({
  ok: { id, answer: { accepted: true, note } },
  notice: null,
  deliver,
})

const refused = (id: string, reason: Reason, deliver: NostrEvent | null = null): IngestResult => ({
  ok: { id, answer: { accepted: false, reason } },
  notice: null,
  deliver,
})

export function ingestEvent(raw: unknown, context: IngestContext): IngestResult {
  const { settings, faults, limits, store } = context
  const problem = shapeProblem(raw)
  if (problem !== null) {
    const id = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).id : undefined
    const reason: Reason = { prefix: 'invalid', text: problem }
    return typeof id === 'string' ? refused(id, reason) : { ok: null, notice: reason, deliver: null }
  }
  const event = pickEvent(raw as Record<string, unknown>)
  const invalid = (text: string, deliver: NostrEvent | null = null): IngestResult =>
    refused(event.id, { prefix: 'invalid', text }, deliver)

  if (event.tags.length > limits.maxEventTags) return invalid(`more than ${limits.maxEventTags} tags`)
  if (event.content.length > limits.maxContentLength && [...event.content].length > limits.maxContentLength)
    return invalid(`content longer than ${limits.maxContentLength} characters`)
  if (!faults.has('id-not-verified') && computeId(event) !== event.id) return invalid('event id does not match its content')
  const signatureHolds = faults.has('id-not-verified') ? signatureOverGivenIdIsValid : signatureIsValid
  if (!faults.has('sig-not-verified') && !signatureHolds(event)) {
    if (faults.has('bad-sig-notice')) return { ok: null, notice: { prefix: 'invalid', text: 'bad signature' }, deliver: null }
    return invalid('signature is not valid')
  }

  if (settings.auth) {
    if (context.authenticated.size === 0)
      return refused(event.id, { prefix: 'auth-required', text: 'this relay accepts events only after NIP-42 AUTH' })
    if (!context.authenticated.has(event.pubkey))
      return refused(event.id, { prefix: 'restricted', text: 'the event pubkey is not authenticated on this connection' })
    if (context.authKeys !== null && !context.authKeys.has(event.pubkey))
      return refused(event.id, { prefix: 'restricted', text: 'this key may not write here' })
  }
  if (settings.kindAllowlist !== null && !settings.kindAllowlist.includes(event.kind))
    return refused(event.id, { prefix: 'blocked', text: `kind ${event.kind} is not accepted here` })
  if (settings.clockWindow !== null && Math.abs(event.created_at - context.now) > settings.clockWindow.seconds)
    return invalid(`created_at is more than ${settings.clockWindow.seconds} s away from the relay clock`)

  if (event.kind === authKind) return accepted(event.id, null, faults.has('auth-event-broadcast') ? event : null)
  if (event.kind === personaKind) {
    const personaRefusal = personaProblem(event, faults)
    if (personaRefusal !== null) return invalid(personaRefusal, faults.has('refused-live') ? event : null)
    if (faults.has('drop-personas')) return accepted(event.id)
  }
  const isDeletion = event.kind === deletionKind && settings.deletions === 'honour'
  if (isDeletion && settings.deletionAuthorCheck) {
    const foreign = foreignTarget(event, store)
    if (foreign !== null) return invalid(`a deletion request may name only its author's events (${foreign})`)
  }
  if (isDeletion && settings.deletionSingleTarget) {
    const targets = event.tags.filter((tag) => tag[0] === 'e' || tag[0] === 'a').length
    if (targets !== 1) return invalid(`a deletion request must name exactly one event or address (it names ${targets})`)
  }
  if (kindClass(event.kind, faults) === 'ephemeral') return accepted(event.id, null, event)

  if (isDeletion && faults.has('deletion-requests-dropped')) {
    store.applyDeletion(event)
    return accepted(event.id)
  }
  const admission = store.admit(event)
  switch (admission.outcome) {
    case 'stored':
      if (isDeletion) store.applyDeletion(event)
      return accepted(event.id, null, event)
    case 'duplicate': {
      const again = faults.has('resend-live') ? event : null
      if (faults.has('resend-no-ok')) return { ok: null, notice: null, deliver: again }
      const note: Reason = { prefix: 'duplicate', text: 'already have this event' }
      return faults.has('duplicate-ok-false') ? refused(event.id, note, again) : accepted(event.id, note, again)
    }
    case 'stale': {
      const note: Reason = { prefix: 'duplicate', text: admission.text }
      const live = faults.has('stale-live') ? event : null
      return settings.staleWrites === 'refuse' ? refused(event.id, note, live) : accepted(event.id, note, live)
    }
    case 'deleted':
      return settings.deletedResend === 'ack'
        ? accepted(event.id, { prefix: 'duplicate', text: admission.text })
        : refused(event.id, { prefix: 'blocked', text: admission.text })
    case 'full':
      return refused(event.id, { prefix: 'error', text: 'the relay store is full' })
  }
}

/** The first target of a deletion request that belongs to another author, if any. */
function foreignTarget(request: NostrEvent, store: MemoryStore): string | null {
  const targets = deletionTargets(request)
  for (const id of targets.ids) {
    const author = store.authorOf(id)
    if (author !== undefined && author !== request.pubkey) return `event ${id}`
  }
  for (const address of targets.addresses) {
    if (address.pubkey !== request.pubkey) return `address ${address.kind}:${address.pubkey}:${address.d}`
  }
  return null
}
