import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { validateJson } from '../../harness/src/json-schema.ts'
import { publishMatrix, renderSummaryBlock, replaceSummaryBlock, SummaryBlockEnd, SummaryBlockStart } from './publish.ts'
import { SlugReason, fixturePair } from './test-fixtures.ts'
import { scratchDirs } from '../test-support/scratch-dirs.ts'

const scratch = scratchDirs('matrix-publish-')

function publish(port: number, repoRoot: string): string {
  const out = scratch()
  const { reference, thirdParty } = fixturePair({ port, repoRoot })
  publishMatrix(
    [
      { report: reference, software: 'reference-relay 0.1.0' },
      { report: thirdParty, software: 'third-relay 1.2.3' },
    ],
    out,
    { repoRoot },
  )
  return out
}

function files(dir: string): Map<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  return new Map(entries.map((e) => [join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8')]))
}

describe('publishMatrix on a fixed pair of reports', () => {
  const out = publish(40001, '/checkout/one')

  test('writes the comparison and, per relay, its transcript page and summary', () => {
    expect([...files(out).keys()].sort()).toEqual(['/index.html', '/reference/index.html', '/reference/summary.md', '/report.json', '/summary.md', '/third/index.html', '/third/summary.md'])
  })

  test('report.json follows the matrix schema and grades each case per relay', () => {
    const matrix = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
    expect(validateJson(matrix, 'matrix.v1.schema.json')).toEqual([])
    expect(matrix.targets.map((t: { name: string; software: string; url: string }) => [t.name, t.software, t.url])).toEqual([
      ['reference', 'reference-relay 0.1.0', 'ws://127.0.0.1:PORT'],
      ['third', 'third-relay 1.2.3', 'ws://127.0.0.1:PORT'],
    ])
    const slug = matrix.cases.find((c: { id: string }) => c.id === 'slug.invalid-refused')
    expect(slug.results).toEqual({
      reference: { outcome: 'pass', message: '' },
      third: { outcome: 'fail', message: 'expected ‹x2› (slug case-‹r1›) to be refused, relay answered OK true ""', expectation: 'met', expectationReason: SlugReason },
    })
  })

  test("every cell links to the case's transcript in the relay's own page, which has that anchor", () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(html).toContain('href="third/index.html#case-slug.invalid-refused"')
    expect(html).toContain(`expected: ${SlugReason}`)
    expect(summary).toContain('[❌ fail](third/index.html#case-slug.invalid-refused) (expected)')
    expect(summary).toContain('[❌ fail](third/index.html#case-replaceable.tie-break) |')
    expect(readFileSync(join(out, 'third', 'index.html'), 'utf8')).toContain('id="case-slug.invalid-refused"')
  })

  test('a regeneration with other keys, ids, ports and checkout writes the same files except dates', () => {
    const again = publish(51999, '/elsewhere/two')
    const first = files(out)
    const second = files(again)
    const generatedAt = /generated \S+|"generatedAt": "[^"]+"/g
    for (const [name, text] of first) expect(second.get(name)?.replace(generatedAt, ''), name).toBe(text.replace(generatedAt, ''))
  })
})

describe('README summary block', () => {
  test('counts per relay, known failures for third parties, and only the block is replaced', () => {
    const out = publish(40001, '/r')
    const matrix = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
    const block = renderSummaryBlock(matrix)
    expect(block).toContain('| [reference](reference/index.html) | reference-relay 0.1.0 | 3/3 | 3 | 3 | 0 | 0 | 0 | 0 | none allowed | clean |')
    expect(block).toContain('| [third](third/index.html) | third-relay 1.2.3 | 0/2 | 3 | 0 | 2 | 0 | 1 | 0 | 1 | regressed |')
    const readme = `# Title\n\n${SummaryBlockStart}\nold\n${SummaryBlockEnd}\n\nafter\n`
    expect(replaceSummaryBlock(readme, block)).toBe(`# Title\n\n${block}\n\nafter\n`)
    expect(replaceSummaryBlock('no markers', block)).toBe('no markers')
  })
})
