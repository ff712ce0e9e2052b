/**
 * Builds every vector file's content from spec/model. `generate.ts` writes them; the
 * vectors test rebuilds them and fails on any difference, so the files and the model
 * cannot drift apart.
 */

import { checkPersonaEnvelope } from '../model/envelope.ts'
import { canonicalPersonaContent, hashPersonaContent } from '../model/hash.ts'
import { parsePersonaContent, serializePersonaContent, type PersonaContent } from '../model/content.ts'
import { checkSlug } from '../model/slug.ts'
import { compareVersions, selectHead } from '../model/head.ts'
import type { NostrEvent, Tag } from '../model/event.ts'
import { PersonaKind } from '../model/kinds.ts'
import { signDeterministically, vectorPublicKey } from './sign.ts'

/** Test-only owner key from the facts sheet: the scalar 1. Never use it for anything real. */
export const VectorSecretKey = '0000000000000000000000000000000000000000000000000000000000000001'

/** Ids computed independently by the facts sheet's authors; the test checks ours against them. */
export const ExpectedFactSheetIds = {
  E1: 'a170b8eb17ba9728ca69e5b3ae098ee03ad274022271949c0d71beea82e43fe4',
  E2: '477fe59904872b3d03f89dd2b5e93b733c4922136d1b7d900ea72c25fe018a84',
  E3: '75b04e80dc7322fc94c7e59a2e8012e7bdf461bd6ceeed7fa5b4817e03ffdd57',
} as const

const e1Body: PersonaContent = {
  display_name: 'Test Agent',
  system_prompt: 'You are a test assistant.',
  avatar_url: 'https://example.com/avatar.png',
  runtime: 'goose',
  model: 'claude-opus-4',
  provider: 'anthropic',
  name_pool: ['Alpha', 'Beta'],
}
const e2Body: PersonaContent = {
  display_name: 'Minimal',
  system_prompt: 'Hello.',
  avatar_url: null,
  runtime: null,
  model: null,
  provider: null,
  name_pool: [],
}
const e3Body: PersonaContent = {
  ...e1Body,
  system_prompt: 'You are an updated test assistant.',
  name_pool: ['Alpha', 'Beta', 'Gamma'],
}

function persona(slug: string, createdAt: number, body: PersonaContent): NostrEvent {
  return signDeterministically(
    { kind: PersonaKind, created_at: createdAt, tags: [['d', slug]], content: serializePersonaContent(body) },
    VectorSecretKey,
  )
}

function eventVectors() {
  const E1 = persona('test-agent', 1_700_000_000, e1Body)
  const E2 = persona('minimal', 1_700_000_001, e2Body)
  const E3 = persona('test-agent', 1_700_000_002, e3Body)
  return {
    description:
      'Facts-sheet events E1-E3 signed with the test key 0x01 and BIP-340 aux = 32 zero bytes. ' +
      'E3 replaces E1 (same address, later created_at). Timestamps are in the past: use offline only.',
    secret_key: VectorSecretKey,
    pubkey: vectorPublicKey(VectorSecretKey),
    events: { E1, E2, E3 },
    heads: { 'test-agent': E3.id, minimal: E2.id },
  }
}

function tieVectors() {
  const createdAt = 1_700_000_100
  const a = persona('tie', createdAt, { ...e2Body, display_name: 'Tie A' })
  const b = persona('tie', createdAt, { ...e2Body, display_name: 'Tie B' })
  const [low, high] = compareVersions(a, b) < 0 ? [a, b] : [b, a]
  return {
    description:
      'Two versions of one address with equal created_at. The head is the one with the lowest id ' +
      '(lowercase hex string order), whatever the arrival order.',
    created_at: createdAt,
    versions: [a, b],
    head: selectHead([a, b])?.id,
    loser: high.id,
    winner: low.id,
  }
}

const validSlugs: string[] = [
  'a',
  '0',
  'test-agent',
  'my_agent',
  'agent-007',
  '9lives',
  'a-',
  'a_',
  'x'.repeat(64),
  `a${'-'.repeat(63)}`,
]

const invalidSlugs: Array<{ slug: string; why: string }> = [
  { slug: '', why: 'empty' },
  { slug: 'x'.repeat(65), why: '65 bytes, one over the limit' },
  { slug: 'Agent', why: 'uppercase first character' },
  { slug: 'agEnt', why: 'uppercase later character' },
  { slug: '-agent', why: 'leading hyphen' },
  { slug: '_agent', why: 'leading underscore' },
  { slug: 'my agent', why: 'space' },
  { slug: 'team/agent', why: 'slash: slugs are flat' },
  { slug: 'agent.v2', why: 'dot' },
  { slug: 'agent:1', why: 'colon' },
  { slug: 'café', why: 'non-ASCII letter' },
  { slug: 'ágent', why: 'non-ASCII first character' },
  { slug: `${'é'.repeat(33)}`, why: '33 two-byte characters are 66 bytes: length is checked first' },
  { slug: 'agent\n', why: 'trailing newline' },
  { slug: ' agent', why: 'leading space' },
]

function slugVectors() {
  return {
    description:
      'Slug grammar ^[a-z0-9][a-z0-9_-]{0,63}$ over ASCII, 1-64 bytes. Invalid slugs carry the ' +
      'defect and the exact origin-profile refusal, checked in order: empty, length, first, rest.',
    valid: validSlugs,
    invalid: invalidSlugs.map(({ slug, why }) => {
      const check = checkSlug(slug)
      if (check.ok) throw new Error(`vector slug ${JSON.stringify(slug)} is unexpectedly valid`)
      return { slug, why, defect: check.defect, message: check.message }
    }),
  }
}

const envelopeCases: Array<{ why: string; tags: Tag[] }> = [
  { why: 'one valued d tag', tags: [['d', 'agent']] },
  { why: 'alt tag is allowed', tags: [['d', 'agent'], ['alt', 'agent persona definition']] },
  { why: 'unrelated tags are ignored', tags: [['d', 'agent'], ['h', 'some-channel'], ['t', 'ai']] },
  { why: 'no d tag', tags: [] },
  { why: 'two valued d tags', tags: [['d', 'a'], ['d', 'b']] },
  { why: 'a value-less d tag does not count', tags: [['d'], ['d', 'agent']] },
  { why: 'only a value-less d tag', tags: [['d']] },
  { why: 'empty d value counts, then is refused', tags: [['d', '']] },
  { why: 'bad slug in the d tag', tags: [['d', 'Agent']] },
]

function envelopeVectors() {
  return {
    description: 'Persona tag envelopes and the relay-side verdict (origin-profile messages).',
    cases: envelopeCases.map(({ why, tags }) => {
      const check = checkPersonaEnvelope(tags)
      return check.ok ? { why, tags, accepted: true, slug: check.slug } : { why, tags, accepted: false, message: check.message }
    }),
  }
}

const hashBodies: Array<{ why: string; body: string }> = [
  { why: 'E1 body', body: serializePersonaContent(e1Body) },
  { why: 'E1 body, keys reversed', body: JSON.stringify(Object.fromEntries(Object.entries(e1Body).reverse())) },
  { why: 'E1 body, whitespace and an unknown field', body: JSON.stringify({ ...e1Body, x_extra: { a: 1 } }, null, 2) },
  { why: 'E2 body, optionals absent', body: serializePersonaContent(e2Body) },
  {
    why: 'E2 body, optionals explicitly null and name_pool empty',
    body: JSON.stringify({ ...e2Body }),
  },
  { why: 'E2 body with a stray env_vars (ignored by readers)', body: JSON.stringify({ ...e2Body, env_vars: { K: 'v' } }) },
  { why: 'E3 body', body: serializePersonaContent(e3Body) },
  {
    why: 'escapes: quotes, backslash, controls, non-ASCII, astral',
    body: JSON.stringify({
      display_name: 'Zoë "Z" \\ 🤖',
      system_prompt: 'line1\nline2\ttab\u0001\u001f\u007f',
      name_pool: ['Ünïcode', ''],
    }),
  },
  { why: 'a lone surrogate escaped in the source', body: '{"display_name":"\\ud800","system_prompt":""}' },
]

function contentHashVectors() {
  return {
    description:
      'persona_source_version: lowercase hex SHA-256 of the UTF-8 canonical form (seven known fields ' +
      'in fixed order, defaults applied, JSON.stringify escaping). Bodies with equal canonical forms hash equal.',
    cases: hashBodies.map(({ why, body }) => {
      const parsed = parsePersonaContent(body)
      if (!parsed.ok) throw new Error(`hash vector body is not a valid persona: ${why}`)
      return { why, body, canonical: canonicalPersonaContent(parsed.content), hash: hashPersonaContent(parsed.content) }
    }),
  }
}

const rejectedBodies: Array<{ why: string; body: string }> = [
  { why: 'not JSON', body: 'display_name: x' },
  { why: 'truncated JSON', body: '{"display_name":"x","system_prompt":"y"' },
  { why: 'an array, not an object', body: '["x","y"]' },
  { why: 'a string, not an object', body: '"persona"' },
  { why: 'null', body: 'null' },
  { why: 'missing display_name', body: '{"system_prompt":"y"}' },
  { why: 'missing system_prompt', body: '{"display_name":"x"}' },
  { why: 'display_name is a number', body: '{"display_name":1,"system_prompt":"y"}' },
  { why: 'system_prompt is null', body: '{"display_name":"x","system_prompt":null}' },
  { why: 'model is a number', body: '{"display_name":"x","system_prompt":"y","model":4}' },
  { why: 'avatar_url is an object', body: '{"display_name":"x","system_prompt":"y","avatar_url":{}}' },
  { why: 'name_pool is a string', body: '{"display_name":"x","system_prompt":"y","name_pool":"Alpha"}' },
  { why: 'name_pool holds a number', body: '{"display_name":"x","system_prompt":"y","name_pool":["A",2]}' },
  { why: 'name_pool is null', body: '{"display_name":"x","system_prompt":"y","name_pool":null}' },
  {
    why: 'body over 65,535 bytes',
    body: JSON.stringify({ display_name: 'x', system_prompt: 'p'.repeat(65_535) }),
  },
]

function readerRejectVectors() {
  return {
    description: 'Content bodies a reader must refuse, each with the reason spec/model gives.',
    cases: rejectedBodies.map(({ why, body }) => {
      const parsed = parsePersonaContent(body)
      if (parsed.ok) throw new Error(`reader-reject vector is accepted: ${why}`)
      return { why, body, message: parsed.message }
    }),
  }
}

/** File name -> JSON value of every vector file. */
export function buildVectors(): Record<string, unknown> {
  return {
    'events.json': eventVectors(),
    'tie.json': tieVectors(),
    'slugs.json': slugVectors(),
    'envelopes.json': envelopeVectors(),
    'content-hash.json': contentHashVectors(),
    'reader-rejects.json': readerRejectVectors(),
  }
}

export function renderVectorFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
