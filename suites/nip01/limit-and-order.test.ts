import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { NostrEvent } from '../../spec/model/event.ts'
import { compareForQuery } from '../../spec/model/filter.ts'
import { describeIds, readStored } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.limit-keeps-newest',
    title: 'limit n returns at most n stored events and never an older one in place of a newer one',
    requirements: ['AP-BASE-12', 'AP-REPL-1'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const notes = [0, 10, 20, 30, 40].map((dt) => c.sign({ kind: 1, created_at: t + dt, content: `note at +${dt}` }))
    for (const note of notes) expectAccepted(await ws.publish(note), note.content)
    const newest = [...notes].sort(compareForQuery)
    for (const n of [1, 2, 4]) {
      const got = await readStored(ws, [{ authors: [c.keys.pubkey], limit: n }], `REQ with limit ${n}`)
      if (got.length > n) violation(`limit ${n} returned ${got.length} events`)
      const want = newest.slice(0, n)
      const missing = want.filter((e) => !got.some((g) => g.id === e.id))
      if (missing.length > 0) violation(`limit ${n} returned ${describeIds(got)}, missing the newer ${describeIds(missing)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.stored-order',
    title: 'stored events come newest first, equal created_at lowest id first, and a limit cutting a tie keeps the lowest ids',
    requirements: ['AP-BASE-13'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const notes = [0, 10, 10, 10, 20].map((dt, i) => c.sign({ kind: 1, created_at: t + dt, content: `note ${i} at +${dt}` }))
    for (const note of notes) expectAccepted(await ws.publish(note), note.content)
    const expected = [...notes].sort(compareForQuery)
    const all = await readStored(ws, [{ authors: [c.keys.pubkey] }], 'the REQ without limit')
    if (all.map((e) => e.id).join() !== expected.map((e) => e.id).join()) {
      violation(`order ${describeIds(all)}, expected newest first with ties lowest id first: ${describeIds(expected)}`)
    }
    const cut = await readStored(ws, [{ authors: [c.keys.pubkey], limit: 3 }], 'the REQ with limit 3')
    const want = expected.slice(0, 3)
    if (cut.map((e) => e.id).sort().join() !== want.map((e) => e.id).sort().join()) {
      violation(`limit 3 through a tie returned ${describeIds(cut)}, expected the lowest ids ${describeIds(want)}`)
    }
  },
)

relayCase(
  {
    id: 'nip01.filters-or',
    title: 'a REQ with several filters returns the events of each, each filter limited on its own',
    requirements: ['AP-BASE-14'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const t = c.now() - 60
    const a: NostrEvent[] = [0, 10].map((dt) => c.sign({ kind: 1, created_at: t + dt, content: `kind 1 at +${dt}` }))
    const b: NostrEvent[] = [5, 15].map((dt) => c.sign({ kind: 7, created_at: t + dt, content: `kind 7 at +${dt}` }))
    for (const event of [...a, ...b]) expectAccepted(await ws.publish(event), event.content)
    const got = await readStored(
      ws,
      [
        { authors: [c.keys.pubkey], kinds: [1], limit: 1 },
        { authors: [c.keys.pubkey], kinds: [7], limit: 1 },
      ],
      'the two-filter REQ',
    )
    const want = [a[1], b[1]] as NostrEvent[]
    const missing = want.filter((e) => !got.some((g) => g.id === e.id))
    if (missing.length > 0) violation(`the two-filter REQ returned ${describeIds(got)}, missing ${describeIds(missing)}`)
    if (got.length > 2) violation(`each filter has limit 1 but the REQ returned ${got.length} events: ${describeIds(got)}`)
  },
)
