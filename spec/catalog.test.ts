/**
 * Keeps spec/NIP-AP.md, spec/requirements.json and spec/requirements.schema.json in
 * agreement. Every failure lists the offending ids so the fix is obvious.
 */

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { loadSchemaSet } from './json-schema.ts'
import { canonicalPersonaContent, hashPersonaContent, parsePersonaContent } from './model/index.ts'
import {
  type Requirement,
  RequirementIdPattern,
  catalogSchemaUrl,
  loadCatalog,
  requirementIds,
  specTextUrl,
  withinBasis,
} from './catalog.ts'

// ---------------------------------------------------------------------------------------
// requirements.schema.json through Ajv in strict mode (spec/json-schema.ts): a schema
// keyword or format nothing would check fails to compile instead of being ignored.

const catalogSchema = loadSchemaSet([fileURLToPath(catalogSchemaUrl)])
const SchemaName = 'requirements.schema.json'

/** One message per violation, each naming the JSON path; empty when valid. */
function validate(value: unknown): string[] {
  return catalogSchema.validate(value, SchemaName)
}

// ---------------------------------------------------------------------------------------
// Reading the specification text.

const definitionPattern = /\*\*(AP-[A-Z]+-\d+)\*\*/g
const anyIdPattern = /\bAP-[A-Z]+-\d+\b/g
const taggedLinePattern =
  /^- \*\*(AP-[A-Z]+-\d+)\*\* \((MUST NOT|MUST|SHOULD NOT|SHOULD|MAY) · (relay|client|writer|reader) · (core|origin)\) (\S.*)$/
const headingPattern = /^#{2,6} (\d+(?:\.\d+)*)\.? /
const keywordPattern = /\b(MUST NOT|MUST|SHOULD NOT|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL|SHALL NOT|SHALL)\b/g

interface TextLine {
  number: number
  text: string
  /** Innermost numbered heading above the line ('' before the first). */
  section: string
  inCode: boolean
}

interface TaggedDefinition {
  id: string
  level: string
  role: string
  profile: string
  section: string
  sentence: string
  line: number
}

function readLines(markdown: string): TextLine[] {
  let section = ''
  let inCode = false
  return markdown.split('\n').map((text, index) => {
    if (text.startsWith('```')) inCode = !inCode
    else if (!inCode) {
      const heading = headingPattern.exec(text)
      if (heading) section = heading[1] as string
    }
    return { number: index + 1, text, section, inCode }
  })
}

function taggedDefinitions(lines: readonly TextLine[]): TaggedDefinition[] {
  const found: TaggedDefinition[] = []
  for (const line of lines) {
    const match = taggedLinePattern.exec(line.text)
    if (!match || line.inCode) continue
    const [, id, level, role, profile, sentence] = match as unknown as [string, string, string, string, string, string]
    found.push({ id, level, role, profile, section: line.section, sentence, line: line.number })
  }
  return found
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

function fencedBlocks(lines: readonly TextLine[], section: string): string[] {
  const blocks: string[] = []
  let current: string[] | null = null
  for (const line of lines) {
    if (line.section !== section) continue
    if (line.text.startsWith('```')) {
      if (current === null) current = []
      else {
        blocks.push(current.join('\n'))
        current = null
      }
    } else if (current !== null) current.push(line.text)
  }
  return blocks
}

/** Fails with every offending item on its own line (vitest would abbreviate a long array). */
function expectNone(items: readonly string[], label: string): void {
  if (items.length > 0) expect.fail(`${label} (${items.length}):\n  ${items.join('\n  ')}`)
}

const markdown = readFileSync(specTextUrl, 'utf8')
const lines = readLines(markdown)
const definitions = taggedDefinitions(lines)
const catalog = loadCatalog()
const byId = new Map<string, Requirement>(catalog.requirements.map((requirement) => [requirement.id, requirement]))

// ---------------------------------------------------------------------------------------

describe('the schema validator', () => {
  const good: Requirement = {
    id: 'AP-SLUG-1', level: 'MUST', role: 'writer', profile: 'core',
    section: '3', summary: 'one line', testable: 'client', basis: { text: 'this-spec', word: 'MUST' },
  }
  const wrap = (requirement: object): unknown => ({ version: '1.0.0', spec: 'spec/NIP-AP.md', requirements: [requirement], withdrawn: [] })

  test('compiles in strict mode, each of its $defs too', () => {
    const defs = Object.keys((JSON.parse(readFileSync(catalogSchemaUrl, 'utf8')) as { $defs?: object }).$defs ?? {})
    expect(defs.length).toBeGreaterThan(0)
    for (const ref of [SchemaName, ...defs.map((name) => `${SchemaName}#/$defs/${name}`)]) {
      expect(() => catalogSchema.compile(ref), ref).not.toThrow()
    }
  })

  test('accepts a well-formed entry', () => {
    expect(validate(wrap(good))).toEqual([])
  })

  test.each([
    ['an unknown level', { ...good, level: 'MUSTNT' }, 'is not one of'],
    ['a malformed id', { ...good, id: 'AP-slug-1' }, 'does not match'],
    ['a missing summary', { ...good, summary: undefined }, 'missing required property summary'],
    ['an unexpected field', { ...good, owner: 'x' }, 'unexpected property owner'],
    ['testable none without a reason', { ...good, testable: 'none' }, 'missing required property reason'],
    ['a reason on a testable entry', { ...good, reason: 'because' }, 'must not match'],
    ['a two-line summary', { ...good, summary: 'one\ntwo' }, 'does not match'],
    ['a missing basis', { ...good, basis: undefined }, 'missing required property basis'],
    ['a basis text nobody knows', { ...good, basis: { text: 'NIP-99', word: 'MUST', cites: 'x' } }, 'is not one of'],
    ['a NIP basis without the sentence it rests on', { ...good, basis: { text: 'NIP-01', word: 'MUST' } }, 'missing required property cites'],
  ])('reports %s', (_name, entry, expected) => {
    const json = JSON.parse(JSON.stringify(wrap(entry))) as unknown
    expect(validate(json).join('\n')).toContain(expected)
  })
})

describe('the requirement catalog', () => {
  test('validates against requirements.schema.json', () => {
    const violations = validate(catalog).map((message) =>
      message.replace(/^\$\.requirements\[(\d+)\]/, (at, index: string) => `${at} ${catalog.requirements[Number(index)]?.id ?? ''}`),
    )
    expectNone(violations, 'schema violations in requirements.json')
  })

  test('names the specification text it belongs to', () => {
    expect(catalog.spec).toBe('spec/NIP-AP.md')
  })

  test('has well-formed ids', () => {
    const malformed = requirementIds().filter((id) => !RequirementIdPattern.test(id))
    expectNone(malformed, 'malformed ids')
  })

  test('has unique ids', () => {
    const repeated = [...countBy(requirementIds())].filter(([, n]) => n > 1).map(([id]) => id)
    expectNone(repeated, 'ids listed more than once')
  })

  test('gives a reason for every requirement that cannot be tested mechanically', () => {
    const unexplained = catalog.requirements
      .filter((r) => r.testable === 'none' && (r.reason ?? '').trim() === '')
      .map((r) => r.id)
    expectNone(unexplained, 'testable: none without a reason')
  })

  test('never makes a requirement stronger than the word of the text it rests on', () => {
    const stronger = catalog.requirements
      .filter((r) => !withinBasis(r.level, r.basis.word))
      .map((r) => `${r.id}: ${r.level}, but ${r.basis.text} says ${r.basis.word}`)
    expectNone(stronger, 'requirements stronger than their basis')
  })

  test('rests core relay requirements on a NIP text, never on this document or the origin relay alone', () => {
    const unfounded = catalog.requirements
      .filter((r) => r.role === 'relay' && r.profile === 'core' && (r.basis.text === 'this-spec' || r.basis.text === 'origin-relay'))
      .map((r) => `${r.id} (basis ${r.basis.text})`)
    expectNone(unfounded, 'core relay requirements without a NIP basis')
  })

  test('rests every origin requirement on the origin relay\'s code, naming a source file of it', () => {
    const sourceFile = /\bcrates\/[a-z0-9-]+\/src\/[a-z0-9_/]+\.rs\b/
    const unfounded = catalog.requirements
      .filter((r) => r.profile === 'origin' && (r.basis.text !== 'origin-relay' || !sourceFile.test(r.basis.cites ?? '')))
      .map((r) => `${r.id} (basis ${r.basis.text}: ${r.basis.cites ?? 'no citation'})`)
    expectNone(unfounded, 'origin requirements without an origin source file in their basis')
  })

  test('gives a rule of this document its own level as basis word', () => {
    const misfiled = catalog.requirements
      .filter((r) => r.basis.text === 'this-spec' && r.basis.word !== (r.level.startsWith('MUST') ? 'MUST' : r.level.startsWith('SHOULD') ? 'SHOULD' : 'MAY'))
      .map((r) => `${r.id}: level ${r.level}, basis word ${r.basis.word}`)
    expectNone(misfiled, 'this-spec requirements whose basis word differs from their level')
  })

  test('never reuses a withdrawn id', () => {
    const withdrawn = new Set(catalog.withdrawn.map((w) => w.id))
    const reused = requirementIds().filter((id) => withdrawn.has(id))
    const repeated = [...countBy(catalog.withdrawn.map((w) => w.id))].filter(([, n]) => n > 1).map(([id]) => id)
    expectNone(reused, 'withdrawn ids that are requirements again')
    expectNone(repeated, 'ids withdrawn twice')
  })

  test('decides relay requirements against a relay and the others against the client', () => {
    const misplaced = catalog.requirements
      .filter((r) => (r.role === 'relay' ? r.testable === 'client' : r.testable === 'relay'))
      .map((r) => `${r.id} (${r.role}, testable ${r.testable})`)
    expectNone(misplaced, 'testability that does not fit the role')
  })
})

describe('the catalog and the text of NIP-AP.md', () => {
  test('every id the text mentions is in the catalog', () => {
    const mentioned = new Set(markdown.match(anyIdPattern) ?? [])
    const unknown = [...mentioned].filter((id) => !byId.has(id))
    expectNone(unknown, 'ids in NIP-AP.md missing from requirements.json')
  })

  test('every catalog id is defined exactly once in the text', () => {
    const counts = countBy([...markdown.matchAll(definitionPattern)].map((m) => m[1] as string))
    const missing = requirementIds().filter((id) => !counts.has(id))
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`)
    expectNone(missing, 'catalog ids never defined as **id** in NIP-AP.md')
    expectNone(repeated, 'ids defined more than once in NIP-AP.md')
  })

  test('every definition carries a (level · role · profile) tag', () => {
    const tagged = new Set(definitions.map((d) => d.id))
    const untagged = [...markdown.matchAll(definitionPattern)].map((m) => m[1] as string).filter((id) => !tagged.has(id))
    expectNone(untagged, 'definitions not written as "- **id** (LEVEL · role · profile) text"')
  })

  test('the tags in the text match the catalog', () => {
    const mismatches: string[] = []
    for (const d of definitions) {
      const entry = byId.get(d.id)
      if (entry === undefined) continue
      for (const field of ['level', 'role', 'profile', 'section'] as const) {
        if (entry[field] !== d[field]) mismatches.push(`${d.id} ${field}: text ${d[field]}, catalog ${entry[field]}`)
      }
    }
    expectNone(mismatches, 'text and catalog disagree')
  })

  test('the catalog lists the requirements in the order of the text', () => {
    const inText = definitions.map((d) => d.id)
    const firstDifference = inText.findIndex((id, index) => requirementIds()[index] !== id)
    expect(firstDifference, `order differs from ${inText[firstDifference]} on`).toBe(-1)
    expect(requirementIds().length).toBe(inText.length)
  })

  test('each requirement uses the keyword of its level', () => {
    const missing = definitions
      .filter((d) => !(d.sentence.match(keywordPattern) ?? ([] as string[])).includes(d.level))
      .map((d) => `${d.id} (${d.level})`)
    expectNone(missing, 'requirements whose sentence lacks their level keyword')
  })

  test('capitalised keywords appear only in requirements and in section 1', () => {
    const inSectionOne = (section: string): boolean => section === '1' || section.startsWith('1.')
    const stray = lines
      .filter((line) => !line.inCode && !inSectionOne(line.section) && !taggedLinePattern.test(line.text))
      .filter((line) => (line.text.match(keywordPattern) ?? []).length > 0)
      .map((line) => `line ${line.number}: ${line.text.slice(0, 80)}`)
    expectNone(stray, 'normative keywords outside a tagged requirement')
  })
})

describe('the worked example of section 6.2', () => {
  const blocks = fencedBlocks(lines, '6.2')
  const sectionText = lines.filter((line) => line.section === '6.2').map((line) => line.text).join('\n')
  const hashes = sectionText.match(/\b[0-9a-f]{64}\b/g) ?? []

  function canonicalOf(body: string): string {
    const parsed = parsePersonaContent(body)
    if (!parsed.ok) throw new Error(parsed.message)
    return canonicalPersonaContent(parsed.content)
  }

  test('has the two bodies, their canonical form and the escaping example', () => {
    expect(blocks).toHaveLength(4)
    expect(hashes).toHaveLength(3)
  })

  test('both bodies have the canonical form and hash the text gives', () => {
    const [first, second, canonical] = blocks as [string, string, string]
    expect(canonicalOf(first)).toBe(canonical)
    expect(canonicalOf(second)).toBe(canonical)
    const parsed = parsePersonaContent(first)
    expect(parsed.ok && hashPersonaContent(parsed.content)).toBe(hashes[0])
    expect(Buffer.byteLength(canonical, 'utf8')).toBe(128)
  })

  test('the E1 hash in the text is the hash of the E1 body', () => {
    const e1 = loadVectorBody('E1')
    const parsed = parsePersonaContent(e1)
    expect(parsed.ok && hashPersonaContent(parsed.content)).toBe(hashes[1])
  })

  test('the escaping example is the canonical form of the body it describes', () => {
    const body = { display_name: 'Q"\\ \t\u0001é\u{1F600}\uD800', system_prompt: 'line1\nline2' }
    const parsed = parsePersonaContent(JSON.stringify(body))
    if (!parsed.ok) throw new Error(parsed.message)
    const canonical = canonicalPersonaContent(parsed.content)
    expect(canonical).toBe(blocks[3])
    expect(Buffer.byteLength(canonical, 'utf8')).toBe(153)
    expect(createHash('sha256').update(canonical, 'utf8').digest('hex')).toBe(hashes[2])
  })
})

function loadVectorBody(name: string): string {
  const vectors = JSON.parse(readFileSync(new URL('./vectors/events.json', import.meta.url), 'utf8')) as {
    events: Record<string, { content: string }>
  }
  const event = vectors.events[name]
  if (event === undefined) throw new Error(`vector ${name} not found in spec/vectors/events.json`)
  return event.content
}

describe('the ambiguity register', () => {
  const register = readFileSync(new URL('./AMBIGUITIES.md', import.meta.url), 'utf8')
  const entries = register.split(/^### /m).slice(1)

  test('cites only requirement ids that exist or were withdrawn', () => {
    const withdrawn = new Set(catalog.withdrawn.map((w) => w.id))
    const unknown = [...new Set(register.match(anyIdPattern) ?? [])].filter((id) => !byId.has(id) && !withdrawn.has(id))
    expectNone(unknown, 'ids in AMBIGUITIES.md missing from requirements.json')
  })

  test('gives every entry its readings, choice, reasons and affected requirements', () => {
    const incomplete = entries
      .filter((entry) => !['**Readings**', '**Chosen**', '**Why**', '**Affects**'].every((part) => entry.includes(part)))
      .map((entry) => entry.split('\n')[0] ?? '')
    const withoutIds = entries
      .filter((entry) => !/\*\*Affects\*\*:[^]*?\bAP-[A-Z]+-\d+\b/.test(entry))
      .map((entry) => entry.split('\n')[0] ?? '')
    expectNone(incomplete, 'entries missing a part')
    expectNone(withoutIds, 'entries that name no requirement under Affects')
  })

  test('numbers its entries once each', () => {
    const numbers = entries.map((entry) => /^AMB-(\d+)\./.exec(entry)?.[1] ?? `unnumbered: ${entry.split('\n')[0]}`)
    const repeated = [...countBy(numbers)].filter(([, n]) => n > 1).map(([number]) => `AMB-${number}`)
    expectNone(numbers.filter((n) => n.startsWith('unnumbered')), 'entries without an AMB-n number')
    expectNone(repeated, 'entry numbers used twice')
  })
})
