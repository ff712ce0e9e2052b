import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { verifyEventSignature } from '../model/event.ts'
import { buildVectors, ExpectedFactSheetIds, renderVectorFile } from './build.ts'

const built = buildVectors()

describe('spec/vectors', () => {
  test.each(Object.keys(built))('%s is exactly what the model produces (run `npm run vectors` after a model change)', (name) => {
    const onDisk = readFileSync(join(import.meta.dirname, name), 'utf8')
    expect(onDisk).toBe(renderVectorFile(built[name]))
  })

  test('E1-E3 ids equal the independently computed ids of the facts sheet', () => {
    const { events } = built['events.json'] as { events: Record<'E1' | 'E2' | 'E3', { id: string }> }
    expect(events.E1.id).toBe(ExpectedFactSheetIds.E1)
    expect(events.E2.id).toBe(ExpectedFactSheetIds.E2)
    expect(events.E3.id).toBe(ExpectedFactSheetIds.E3)
  })

  test('every signed vector event verifies', () => {
    const { events } = built['events.json'] as { events: Record<string, Parameters<typeof verifyEventSignature>[0]> }
    const tie = built['tie.json'] as { versions: Array<Parameters<typeof verifyEventSignature>[0]> }
    for (const event of [...Object.values(events), ...tie.versions]) expect(verifyEventSignature(event)).toBe(true)
  })

  test('the tie pair really ties and the head is the lower id', () => {
    const tie = built['tie.json'] as { versions: Array<{ id: string; created_at: number }>; head: string; winner: string; loser: string }
    const [a, b] = tie.versions
    expect(a?.created_at).toBe(b?.created_at)
    expect(tie.head).toBe(tie.winner)
    expect(tie.winner < tie.loser).toBe(true)
  })
})
