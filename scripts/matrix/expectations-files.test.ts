import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { RepoRoot } from '../../harness/src/engine.ts'
import { parseExpectations } from '../../harness/src/expectations.ts'
import { relayHosts } from '../../third-party/registry.ts'
import { draftReasons } from './draft.ts'
import { ExpectationsDir, expectationsPath } from './targets.ts'

describe('the committed expectations files', () => {
  test('one per registered third-party relay and no other', () => {
    const files = readdirSync(join(RepoRoot, ExpectationsDir)).filter((f) => f.endsWith('.json'))
    expect(files.sort()).toEqual(relayHosts.map((h) => `${h.name}.json`).sort())
  })

  for (const host of relayHosts) {
    test(`${host.name}: valid, one entry per case, every reason written by hand`, () => {
      const path = join(RepoRoot, expectationsPath(host.name))
      const raw = JSON.parse(readFileSync(path, 'utf8'))
      const file = parseExpectations(raw, path)
      const cases = file.expectations.map((e) => e.case)
      expect(new Set(cases).size).toBe(cases.length)
      expect(draftReasons(raw)).toEqual([])
      for (const e of file.expectations) expect(e.reason.length, e.case).toBeGreaterThan(30)
    })
  }
})
