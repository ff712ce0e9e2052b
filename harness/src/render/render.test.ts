import { describe, expect, test } from 'vitest'
import { fixtureReport, fixtureStream } from '../../test-fixtures/report-fixture.ts'
import { validateJson } from '../json-schema.ts'
import { assembleReport, formatTotalsLine, parseStream } from '../stream.ts'
import { caseAnchor, renderHtml } from './html.ts'
import { renderJunit } from './junit.ts'
import { renderSummary } from './markdown.ts'

const report = fixtureReport()

/** Minimal well-formedness: every element opened is closed in order; no stray `<` or `&`. */
function checkXmlBalance(xml: string): string[] {
  const problems: string[] = []
  const stack: string[] = []
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '')
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>/g
  let last = 0
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    const between = body.slice(last, match.index)
    if (between.includes('<')) problems.push(`stray < near ${between.slice(0, 40)}`)
    if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(between)) problems.push(`bare & near ${between.slice(0, 40)}`)
    last = tag.lastIndex
    const [, closing, name, , selfClosing] = match
    if (selfClosing) continue
    if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`)
    } else stack.push(name as string)
  }
  if (stack.length) problems.push(`unclosed ${stack.join(', ')}`)
  return problems
}

describe('report stream', () => {
  test('every stream line validates against #/$defs/streamRecord', () => {
    for (const record of fixtureStream()) {
      expect(validateJson(record, 'report.v1.schema.json#/$defs/streamRecord'), record.type).toEqual([])
    }
  })

  test('assembles into report.json: cases sorted by id, expectation statuses moved onto cases; it validates', () => {
    const text = fixtureStream()
      .map((r) => JSON.stringify(r))
      .join('\n')
    const assembled = assembleReport(parseStream(text))
    expect(assembled).toEqual(report)
    expect(validateJson(assembled, 'report.v1.schema.json')).toEqual([])
  })

  test('the schema rejects a report with an unknown outcome or a missing field', () => {
    const broken = structuredClone(report) as unknown as { cases: Array<Record<string, unknown>>; verdict?: unknown }
    ;(broken.cases[0] as Record<string, unknown>).outcome = 'flaky'
    delete broken.verdict
    const errors = validateJson(broken, 'report.v1.schema.json')
    expect(errors.some((e) => e.includes('$.cases[0].outcome'))).toBe(true)
    expect(errors).toContain('$: missing required property verdict')
  })

  test('an incomplete stream is refused', () => {
    expect(() => assembleReport(fixtureStream().slice(0, 3))).toThrow(/incomplete/)
  })

  test('the totals line has the fixed shape', () => {
    expect(formatTotalsLine(report.totals)).toBe('6 cases, 1 passed, 2 failed, 1 warned, 1 skipped, 1 errored')
  })
})

describe('junit.xml', () => {
  const xml = renderJunit(report)

  test('is balanced XML with escaped text', () => {
    expect(checkXmlBalance(xml)).toEqual([])
    expect(xml).toContain('&lt;angle&gt;')
  })

  test('counts: fail → failure, error → error (plus the run error), skip and the expected failure → skipped; warn passes', () => {
    expect(xml).toMatch(/<testsuites [^>]*tests="7" failures="1" errors="2" skipped="2"/)
    expect(xml).toContain('<failure message="expected a persona with slug')
    expect(xml).toContain('<skipped message="expected fail: implements NIP-01 only"/>')
    expect(xml).toContain('name="replay" value="npx persona-conformance replay slug.invalid-refused --seed 42')
  })

  test('under --strict a warn is a failure', () => {
    const strict = renderJunit({ ...report, settings: { ...report.settings, strict: true } })
    expect(strict).toMatch(/<testsuites [^>]*failures="2"/)
  })
})

describe('summary.md', () => {
  const md = renderSummary(report)

  test('leads with conformance, then the gate apart from it, the totals line, failing cases with the replay command', () => {
    expect(md.split('\n')[0]).toBe('# NIP-AP conformance: fixture')
    expect(md).toContain('Conformance, core profile: **not conformant**: MUST 1 of 4 passed (3 failed or errored), SHOULD 0 of 1.')
    expect(md).toContain('CI gate: **regressed** against `expect.json`: 2 case(s) failed unexpectedly (exit code 1)')
    expect(md.indexOf('Conformance, core profile')).toBeLessThan(md.indexOf('CI gate'))
    expect(md).toContain('`6 cases, 1 passed, 2 failed, 1 warned, 1 skipped, 1 errored`')
    expect(md).toMatch(/## Failing \(2\)[\s\S]*`slug\.invalid-refused`[\s\S]*replay: `npx persona-conformance replay/)
  })

  test('keeps table cells on one line; relay text sits in code spans with its pipes shown as ∣', () => {
    const failingSection = md.split('## Failing')[1]?.split('##')[0] ?? ''
    for (const line of failingSection.split('\n').filter((l) => l.startsWith('| ❌'))) {
      expect(line.split('|').length).toBe(7)
    }
  })

  test('relay-controlled text cannot inject Markdown: links, images, HTML, autolinks and table breaks stay inside code spans', () => {
    const hostile = '[click](https://evil.example) ![x](https://evil.example/i.png) <img src=x onerror=alert(1)> www.evil.example `code` a|b \\| **bold**'
    const tampered = fixtureReport()
    const first = tampered.cases[0] as (typeof tampered.cases)[number]
    tampered.cases[0] = { ...first, outcome: 'fail', message: hostile }
    tampered.verdict = { ...tampered.verdict, failing: [first.id] }
    tampered.probe = { ...tampered.probe, capabilities: { ...tampered.probe.capabilities, count: { available: false, reason: hostile } } }
    const out = renderSummary(tampered)
    const rows = out.split('\n').filter((line) => line.includes('evil.example'))
    expect(rows.length).toBeGreaterThan(1)
    expect(out).toContain('``[click](https://evil.example) ![x](https://evil.example/i.png) <img src=x onerror=alert(1)> www.evil.example `code` a∣b \\∣ **bold**``')
    for (const row of rows) {
      // Outside code spans nothing of the hostile text remains.
      const outside = row.replace(/(`+)[^`]*?(?:`(?!`)[^`]*?)*?\1/g, '')
      expect(outside, row).not.toMatch(/evil|<img|\]\(|\*\*bold/)
      expect(row.split('|').length, row).toBe(row.startsWith('| ❌') ? 7 : 5)
    }
  })

  test('shows warnings, expected failures, skip reasons, run errors, disagreements and coverage', () => {
    expect(md).toContain('## Warnings: SHOULD not met (1)')
    expect(md).toContain('## Expected failures and skips (1)')
    expect(md).toContain('| 1 | `needs http-bridge: no HTTP bridge: signed POST /count answered 404` |')
    expect(md).toContain('suites/broken/x.test.ts: SyntaxError')
    expect(md).toMatch(/\| `NIP-45 COUNT` \| `supported_nips includes 45` \| `COUNT refused` \| probe \|/)
    expect(md).toContain('2 of 4 requirements have a case in this run; 1 relay-testable requirement(s) have none.')
  })
})

describe('index.html', () => {
  const html = renderHtml(report)

  test('is one self-contained file: no external scripts, styles or fonts', () => {
    expect(html).not.toMatch(/<script[^>]+src=/)
    expect(html).not.toMatch(/<link[^>]+rel="?stylesheet/)
    expect(html).not.toMatch(/url\(|@import/)
  })

  test('has a row, an anchor and an escaped transcript for every case', () => {
    for (const c of report.cases) {
      expect(html).toContain(`id="${caseAnchor(c.id)}"`)
      expect(html).toContain(`data-outcome="${c.outcome}"`)
    }
    expect(html).toContain('&lt;b&gt;&amp;amp;&lt;/b&gt;')
    expect(html).not.toContain('<b>&amp;</b>')
  })

  test('shows the filters, the probe findings, the coverage with uncovered requirements first and the replay command', () => {
    expect(html).toContain('id="q"')
    expect(html).toMatch(/<button type="button" data-outcome="fail" aria-pressed="true">/)
    expect(html).toContain('<b>disagrees</b>')
    const coverage = html.slice(html.indexOf('id="coverage"'))
    expect(coverage.indexOf('AP-REPL-5')).toBeLessThan(coverage.indexOf('AP-SLUG-2'))
    expect(html).toContain('Replay: <code>npx persona-conformance replay slug.invalid-refused')
  })
})
