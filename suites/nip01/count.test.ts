import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { readStored } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.count',
    title: 'COUNT answers the number of distinct events a REQ would return, limit ignored',
    requirements: ['AP-BASE-19'],
    level: 'MUST',
    profile: 'core',
    needs: ['count'],
  },
  async (c) => {
    if (c.probe.nip11.served && !c.probe.nip11.supportedNips.includes(45)) c.skip('the relay does not list NIP-45 in supported_nips')
    const ws = await c.connect()
    const t = c.now() - 30
    for (const i of [0, 1, 2]) expectAccepted(await ws.publish(c.persona({ created_at: t + i })), `persona ${i}`)
    expectAccepted(await ws.publish(c.sign({ kind: 1, created_at: t, content: 'note' })), 'a note')
    const questions: Array<[string, Filter[], number]> = [
      ['the personas of the author', [{ kinds: [PersonaKind], authors: [c.keys.pubkey] }], 3],
      ['the personas with limit 1 (ignored)', [{ kinds: [PersonaKind], authors: [c.keys.pubkey], limit: 1 }], 3],
      ['two overlapping filters', [{ authors: [c.keys.pubkey] }, { kinds: [PersonaKind], authors: [c.keys.pubkey] }], 4],
    ]
    for (const [what, filters, expected] of questions) {
      const reply = await ws.count(filters)
      if (!reply.ok) violation(`COUNT of ${what} was CLOSED: ${reply.closed}`)
      const unlimited = filters.map(({ limit: _limit, ...rest }) => rest)
      const returned = await readStored(ws, unlimited, `the REQ matching the COUNT of ${what}`)
      if (reply.count !== returned.length) violation(`COUNT of ${what} answered ${reply.count}, the same REQ returns ${returned.length} events`)
      if (reply.count !== expected) violation(`COUNT of ${what} answered ${reply.count}, expected ${expected}`)
    }
  },
)
