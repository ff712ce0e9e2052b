/**
 * The persona content hash (`persona_source_version`, AP-HASH-*).
 *
 * canonical(c) = JSON text of an object holding exactly the seven known fields in
 * PersonaFields order, defaults applied (absent optional -> null, absent name_pool -> []),
 * no insignificant whitespace, strings escaped as ECMAScript JSON.stringify escapes them.
 * hash(c) = lowercase hex SHA-256 of the UTF-8 bytes of canonical(c).
 */

import { createHash } from 'node:crypto'
import { type PersonaContent, PersonaFields, parsePersonaContent } from './content.ts'

export function canonicalPersonaContent(content: PersonaContent): string {
  const ordered: Record<string, unknown> = {}
  for (const field of PersonaFields) ordered[field] = content[field]
  return JSON.stringify(ordered)
}

export function hashPersonaContent(content: PersonaContent): string {
  return createHash('sha256').update(canonicalPersonaContent(content), 'utf8').digest('hex')
}

/** Hash of an event's raw content string; null when the body is not a valid persona. */
export function hashPersonaContentText(text: string): string | null {
  const parsed = parsePersonaContent(text)
  return parsed.ok ? hashPersonaContent(parsed.content) : null
}
