import { getPriority } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { scratchDirs } from '../../../scripts/test-support/scratch-dirs.ts'
import { threadNices } from '../../../scripts/test-support/thread-nices.ts'
import { SqliteBackend } from '../storage/sqlite-backend.ts'
import { WorkerPoolVerifier } from '../verify/pool.ts'

const countAt = (nice: number): number => threadNices().filter((value) => value === nice).length

// Linux only; and a process already at nice 15 or more cannot go 5 steps nicer (19 is the
// floor), so there the threads it starts could not be told from the rest.
describe.runIf(process.platform === 'linux' && getPriority() <= 14)('bulk threads run nicer than the rest (threads/priority.js)', () => {
  const dir = scratchDirs('nip-ap-priority-')
  const closers: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
  })

  test('the verifier pool runs its workers N steps nicer and leaves the starting thread as it was', async () => {
    const base = getPriority()
    const target = Math.min(19, base + 3)
    const before = countAt(target)
    const pool = await WorkerPoolVerifier.start({ size: 2, nice: 3 })
    closers.push(() => pool.close())
    expect(getPriority()).toBe(base)
    expect(countAt(target) - before).toBe(2)
  })

  test('the SQLite writer and its checkpointer run N steps nicer; the reader threads do not', async () => {
    const base = getPriority()
    const target = Math.min(19, base + 5)
    const before = countAt(target)
    const beforeBase = countAt(base)
    const backend = await SqliteBackend.open(path.join(dir(), 'relay.db'), { readers: 2, writerNice: 5, log: () => {} })
    closers.push(() => backend.close())
    // A read waits for a reader thread to be up; the checkpointer starts a second after the store opens.
    await backend.reader.count([{ kinds: [30175] }])
    await vi.waitFor(() => expect(countAt(target) - before).toBe(2), { timeout: 10_000, interval: 100 })
    expect(countAt(base) - beforeBase).toBeGreaterThanOrEqual(2)
    expect(getPriority()).toBe(base)
  })

  test('0 steps changes nothing', async () => {
    const base = getPriority()
    const before = threadNices().filter((value) => value !== base).length
    const pool = await WorkerPoolVerifier.start({ size: 1, nice: 0 })
    closers.push(() => pool.close())
    expect(threadNices().filter((value) => value !== base).length).toBe(before)
  })
})
