import { describe, expect, test } from 'vitest'
import type { RunOptions } from '../../harness/src/run.ts'
import type { Report } from '../../harness/src/types.ts'
import { type RunOne, orchestrate } from './orchestrate.ts'
import type { MatrixEntry } from './targets.ts'

function fakeEntry(name: string, log: string[], options: { startFails?: boolean } = {}): MatrixEntry {
  return {
    name,
    software: `${name} 1.0`,
    reference: false,
    expectationsFile: `exp/${name}.json`,
    start: () => {
      if (options.startFails) return Promise.reject(new Error('port in use'))
      log.push(`start ${name}`)
      return Promise.resolve({
        url: `ws://127.0.0.1:1/${name}`,
        close: () => {
          log.push(`close ${name}`)
          return Promise.resolve()
        },
      })
    },
  }
}

describe('orchestrate', () => {
  test('each relay is started, run with the shared settings and stopped, in order, even when its run throws', async () => {
    const log: string[] = []
    const calls: RunOptions[] = []
    const runOne: RunOne = (options) => {
      calls.push(options)
      log.push(`run ${options.name}`)
      if (options.name === 'b') return Promise.reject(new Error('vitest exploded'))
      return Promise.resolve({ report: { target: { name: options.name } } as Report, outDir: options.out })
    }
    const results = await orchestrate({
      entries: [fakeEntry('a', log), fakeEntry('b', log), fakeEntry('c', log, { startFails: true }), fakeEntry('d', log)],
      run: { seed: 1, strict: true },
      rawDir: '/raw',
      runOne,
    })
    expect(log).toEqual(['start a', 'run a', 'close a', 'start b', 'run b', 'close b', 'start d', 'run d', 'close d'])
    expect(results.map((r) => [r.entry.name, r.report ? 'report' : r.error])).toEqual([
      ['a', 'report'],
      ['b', 'error: the run against b failed: vitest exploded'],
      ['c', 'error: c did not start: port in use'],
      ['d', 'report'],
    ])
    expect(calls[0]).toEqual({ seed: 1, strict: true, url: 'ws://127.0.0.1:1/a', expectationsFile: 'exp/a.json', name: 'a', out: '/raw/a' })
  })
})
