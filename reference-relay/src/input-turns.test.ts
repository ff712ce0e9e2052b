import { describe, expect, test } from 'vitest'
import { InputTurns } from './input-turns.ts'

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

async function untilIdle(turns: InputTurns<string, string>): Promise<void> {
  for (let i = 0; i < 1000 && turns.queued > 0; i++) await nextTurn()
}

function setup(limits = { inputTurnBytes: 100, maxQueuedInput: 10_000, maxQueuedInputTotal: 100_000 }) {
  const delivered: string[] = []
  const turns = new InputTurns<string, string>({ limits, deliver: (msg) => delivered.push(msg) })
  return { turns, delivered }
}

describe('InputTurns', () => {
  test('a connection within its turn budget is handed on at once', () => {
    const { turns, delivered } = setup()
    turns.receive('a', 'a1', 40)
    turns.receive('a', 'a2', 40)
    turns.receive('b', 'b1', 100)
    expect(delivered).toEqual(['a1', 'a2', 'b1'])
    expect(turns.queued).toBe(0)
  })

  test('a frame larger than the budget still goes when it is the first of the turn', () => {
    const { turns, delivered } = setup()
    turns.receive('a', 'big', 5_000)
    expect(delivered).toEqual(['big'])
  })

  test("a flooding connection's excess waits; another connection's frames pass it, and nothing is lost or reordered", async () => {
    const { turns, delivered } = setup()
    for (let i = 0; i < 20; i++) turns.receive('flood', `f${i}`, 30)
    // Budget 100 bytes: three frames of 30 now (90), the 4th would pass it.
    expect(delivered).toEqual(['f0', 'f1', 'f2'])
    turns.receive('quiet', 'q0', 30)
    expect(delivered.at(-1)).toBe('q0')
    await untilIdle(turns)
    const flood = delivered.filter((m) => m.startsWith('f'))
    expect(flood).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`))
    expect(delivered).toHaveLength(21)
    // Later frames of the flooder queue behind its earlier ones, even with budget left.
    turns.receive('flood', 'late', 1)
    expect(delivered.at(-1)).toBe('late')
  })

  test('each later turn hands on at most about one budget per connection', async () => {
    const { turns, delivered } = setup()
    for (let i = 0; i < 12; i++) turns.receive('a', `a${i}`, 50)
    expect(delivered).toHaveLength(2)
    await nextTurn()
    expect(delivered).toHaveLength(4)
    await untilIdle(turns)
    expect(delivered).toHaveLength(12)
  })

  test('a queue past its bound hands its oldest frames on at arrival, in order', () => {
    const { turns, delivered } = setup({ inputTurnBytes: 100, maxQueuedInput: 300, maxQueuedInputTotal: 10_000 })
    for (let i = 0; i < 50; i++) turns.receive('a', `a${i}`, 50)
    expect(turns.queued).toBeLessThanOrEqual(300)
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => `a${i}`))
    // Each waiting frame counts its 50 bytes and 128 for its records.
    expect(turns.queued % 178).toBe(0)
    expect(delivered.length).toBe(50 - turns.queued / 178)
  })

  test('the bound over all connections holds too', () => {
    const { turns } = setup({ inputTurnBytes: 10, maxQueuedInput: 1_000, maxQueuedInputTotal: 500 })
    for (let i = 0; i < 40; i++) for (const conn of ['a', 'b', 'c']) turns.receive(conn, `${conn}${i}`, 20)
    expect(turns.queued).toBeGreaterThan(0)
    expect(turns.queued).toBeLessThanOrEqual(500)
  })

  test('a closed connection has what it sent handed on, in order and in turns, and then its end', async () => {
    const { turns, delivered } = setup()
    for (let i = 0; i < 10; i++) turns.receive('a', `a${i}`, 50)
    turns.closed('a', () => delivered.push('a closed'))
    // Two frames fit the 100-byte turn; the other eight wait for later turns, not all at once.
    expect(delivered).toEqual(['a0', 'a1'])
    turns.receive('b', 'b0', 50)
    expect(delivered).toEqual(['a0', 'a1', 'b0'])
    await untilIdle(turns)
    await nextTurn()
    expect(delivered.filter((m) => m.startsWith('a'))).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i}`), 'a closed'])
    expect(turns.queued).toBe(0)
  })

  test('a connection that closes with nothing waiting ends at once', () => {
    const { turns, delivered } = setup()
    turns.receive('a', 'a0', 50)
    turns.closed('a', () => delivered.push('a closed'))
    turns.closed('never-seen', () => delivered.push('never-seen closed'))
    expect(delivered).toEqual(['a0', 'a closed', 'never-seen closed'])
  })

  test('a flood of empty frames is bounded too: each waiting frame counts its records', () => {
    const { turns, delivered } = setup({ inputTurnBytes: 100, maxQueuedInput: 1_280, maxQueuedInputTotal: 10_000 })
    turns.receive('a', 'full', 100)
    turns.receive('a', 'waits', 50)
    // Empty frames queue behind `waits`; counted by their bytes alone, all of them would wait.
    for (let i = 0; i < 1_000; i++) turns.receive('a', `e${i}`, 0)
    expect(turns.queued).toBeLessThanOrEqual(1_280)
    expect(delivered.length).toBeGreaterThanOrEqual(1_002 - 10)
    expect(delivered.slice(0, 3)).toEqual(['full', 'waits', 'e0'])
  })

  test("a connection closed while its last waiting frame is handed on ends once", async () => {
    const ends: string[] = []
    const limits = { inputTurnBytes: 100, maxQueuedInput: 1_000, maxQueuedInputTotal: 10_000 }
    // Handing on `a2` closes the connection (as an answer that ends it would), from inside the turn.
    const turns: InputTurns<string, string> = new InputTurns<string, string>({
      limits,
      deliver: (msg) => {
        if (msg === 'a2') turns.closed('a', () => ends.push('a'))
      },
    })
    for (let i = 0; i < 3; i++) turns.receive('a', `a${i}`, 50)
    await untilIdle(turns)
    await nextTurn()
    expect(ends).toEqual(['a'])
  })
})
