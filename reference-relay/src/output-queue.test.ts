import { describe, expect, it } from 'vitest'
import { type Backlog, newBacklog, OutputQueues, type OutputSocket } from './output-queue.ts'

/** A socket that records each corked write as one list of frames. */
class FakeSocket implements OutputSocket {
  readonly backlog: Backlog = newBacklog()
  readonly writes: string[][] = []
  open = true
  ended: [number, string] | null = null
  #corked: string[] | null = null

  getBufferedAmount(): number {
    return 0
  }
  send(frame: string): void {
    if (this.#corked === null) this.writes.push([frame])
    else this.#corked.push(frame)
  }
  cork(fn: () => void): void {
    this.#corked = []
    fn()
    if (this.#corked.length > 0) this.writes.push(this.#corked)
    this.#corked = null
  }
  end(code: number, reason: string): void {
    this.ended = [code, reason]
  }
  close(): void {
    this.open = false
  }
}

function queues() {
  return new OutputQueues<FakeSocket>({
    limits: { outputHighWater: 1 << 20, maxPendingOutput: 1 << 22, maxOutputTotal: 1 << 24 },
    log: () => {},
    backlog: (ws) => ws.backlog,
    isOpen: (ws) => ws.open,
  })
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('OutputQueues.post', () => {
  it('writes the frames posted in one run once per connection, in the order posted', async () => {
    const output = queues()
    const a = new FakeSocket()
    const b = new FakeSocket()
    output.post(a, ['ok-1'])
    output.post(b, ['ok-2'])
    output.post(a, ['ok-3', 'ok-4'])
    expect(a.writes).toEqual([])
    await tick()
    expect(a.writes).toEqual([['ok-1', 'ok-3', 'ok-4']])
    expect(b.writes).toEqual([['ok-2']])
    output.post(a, ['ok-5'])
    await tick()
    expect(a.writes).toEqual([['ok-1', 'ok-3', 'ok-4'], ['ok-5']])
  })

  it('writes posted frames before the caller ends a connection, and drops those of a closed one', async () => {
    const output = queues()
    const a = new FakeSocket()
    const b = new FakeSocket()
    output.post(a, ['last words'])
    output.post(b, ['never sent'])
    output.closed(b)
    output.flush()
    expect(a.writes).toEqual([['last words']])
    await tick()
    expect(a.writes).toEqual([['last words']])
    expect(b.writes).toEqual([])
  })

  it('drops what was posted to a connection that closed before the write', async () => {
    const output = queues()
    const a = new FakeSocket()
    output.post(a, ['late'])
    a.open = false
    await tick()
    expect(a.writes).toEqual([])
  })
})
