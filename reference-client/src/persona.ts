/** A persona head as the client shows it: address, version and the parsed body. */

import { type PersonaContent, parsePersonaContent } from '../../spec/model/content.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { hashPersonaContent } from '../../spec/model/hash.ts'
import { dTagOf } from '../../spec/model/head.ts'

export type PersonaView =
  | {
      ok: true
      slug: string
      pubkey: string
      id: string
      created_at: number
      content: PersonaContent
      /** persona_source_version: spec/model's content hash. */
      version: string
      unknown_fields: string[]
    }
  | { ok: false; slug: string; pubkey: string; id: string; created_at: number; message: string }

export function viewPersona(event: NostrEvent): PersonaView {
  const base = { slug: dTagOf(event), pubkey: event.pubkey, id: event.id, created_at: event.created_at }
  const parsed = parsePersonaContent(event.content)
  if (!parsed.ok) return { ok: false, ...base, message: parsed.message }
  return { ok: true, ...base, content: parsed.content, version: hashPersonaContent(parsed.content), unknown_fields: parsed.unknownFields }
}
