/** The deterministic vectors of spec/vectors/, typed for the cases that replay them live. */

import envelopesJson from '../../spec/vectors/envelopes.json' with { type: 'json' }
import slugsJson from '../../spec/vectors/slugs.json' with { type: 'json' }
import type { Tag } from '../../spec/model/event.ts'
import type { SlugDefect } from '../../spec/model/slug.ts'

export interface InvalidSlugVector {
  slug: string
  why: string
  defect: SlugDefect
  /** The origin profile's exact refusal. */
  message: string
}

export interface EnvelopeVector {
  why: string
  tags: Tag[]
  accepted: boolean
  slug?: string
  message?: string
}

export const validSlugVectors: readonly string[] = slugsJson.valid
export const invalidSlugVectors = slugsJson.invalid as readonly InvalidSlugVector[]
export const envelopeVectors = envelopesJson.cases as readonly EnvelopeVector[]
