import { type RelayConnection, expectAccepted, isHarnessError, relayCase, violation } from '../../harness/src/authoring.ts'
import { openConnection } from '../../harness/src/driver.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { controlServedById, describeIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.single-endpoint',
    title: 'a relay refuses WebSocket connections on a path other than its own, unless the path changes what it serves',
    requirements: ['AP-BASE-29'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const persona = c.persona()
    expectAccepted(await ws.publish(persona), 'a persona on the relay URL')
    await controlServedById(ws, [persona], 'the persona on the relay URL')
    const url = new URL(c.target.url)
    url.pathname = `${url.pathname.replace(/\/$/, '')}/nip-ap-conformance-${c.slug('path')}`
    let other: RelayConnection
    try {
      other = await openConnection(url.toString(), { transcript: c.transcript, label: 'other-path', timeoutMs: c.timeoutMs })
    } catch (error) {
      if (isHarnessError(error) && error.kind !== 'config') return c.note(`the connection to ${url.pathname} was refused: ${error.message}`)
      throw error
    }
    try {
      // Accepted: the path must then change the behaviour, or NIP-01 is broken.
      let reply
      try {
        reply = await other.query([{ kinds: [PersonaKind], ids: [persona.id] }])
      } catch (error) {
        // Some servers finish the upgrade on any path and close at once where no route
        // answers (express-ws does): nothing was served there, which is a refusal.
        if (isHarnessError(error) && error.kind === 'disconnected') return c.note(`the relay closed the connection on ${url.pathname} without serving anything: refused`)
        throw error
      }
      const same = reply.eose && reply.events.some((e) => e.id === persona.id)
      if (same) {
        violation(`the relay accepts WebSocket connections on ${url.pathname} and serves the same events there (${describeIds(reply.events)}): NIP-01 allows a single endpoint when the path does not change the behaviour`)
      }
      c.note(`the relay accepts ${url.pathname} but serves something else there: the path influences its behaviour`)
    } finally {
      await other.close()
    }
  },
)
