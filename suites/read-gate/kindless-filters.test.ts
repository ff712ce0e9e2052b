import { controlAccepted, expectEose, relayCase, violation } from '../../harness/src/authoring.ts'
import type { Filter } from '../../spec/model/filter.ts'
import { PersonaKind } from '../../spec/model/kinds.ts'
import { CountGateRefusal, ReqGateRefusal } from '../../spec/model/read-gate.ts'
import { createChannel } from '../lib/origin.ts'
import { controlServedById, describeIds } from '../lib/reads.ts'
import { channelMessage } from '../lib/threads.ts'

relayCase(
  {
    id: 'read-gate.kindless-refused',
    title: 'a filter without kinds, ids or #p = the caller is refused on every door with the origin texts; ids, #p = self, one channel and kinds: [] are not',
    requirements: ['AP-AUTH-14'],
    level: 'MUST',
    profile: 'origin',
  },
  async (c) => {
    const ws = await c.connect()
    const persona = c.persona()
    controlAccepted(await ws.publish(persona), 'a persona of the caller')
    await controlServedById(ws, [persona], 'the persona')
    const kindless: Filter = { authors: [c.keys.pubkey] }
    const req = await ws.query([kindless])
    if (req.closed !== ReqGateRefusal) violation(`a REQ {"authors":[caller]} ended with ${req.closed === undefined ? `EOSE and ${describeIds(req.events)}` : `CLOSED ${JSON.stringify(req.closed)}`}; expected CLOSED ${JSON.stringify(ReqGateRefusal)}`)
    if (req.events.length > 0) violation(`a REQ {"authors":[caller]} was served ${describeIds(req.events)} before its refusal`)
    const mixed = await ws.query([{ kinds: [PersonaKind], authors: [c.keys.pubkey] }, kindless])
    if (mixed.closed !== ReqGateRefusal) violation(`a REQ with one kindless filter among others ended ${mixed.closed === undefined ? 'with EOSE' : `CLOSED ${JSON.stringify(mixed.closed)}`}; expected CLOSED ${JSON.stringify(ReqGateRefusal)}`)
    const count = await ws.count([kindless])
    if (count.ok || count.closed !== CountGateRefusal) violation(`a COUNT {"authors":[caller]} was answered ${JSON.stringify(count.frame)}; expected CLOSED ${JSON.stringify(CountGateRefusal)}`)
    // What the gate lets through.
    const byId = await ws.query([{ ids: [persona.id] }])
    expectEose(byId, 'a REQ {"ids":[persona]} (ids exempt a filter from the gate)')
    if (!byId.events.some((e) => e.id === persona.id)) violation('a REQ {"ids":[persona]} did not return the persona')
    expectEose(await ws.query([{ '#p': [c.keys.pubkey] }]), 'a REQ {"#p":[caller]} (a #p naming only the caller passes the gate)')
    const empty = await ws.query([{ kinds: [], authors: [c.keys.pubkey] }])
    expectEose(empty, 'a REQ {"kinds":[],...} (kinds: [] is not refused)')
    if (empty.events.length > 0) violation(`a REQ {"kinds":[]} matched ${describeIds(empty.events)}; kinds: [] matches nothing`)
    const channel = await createChannel(c, ws)
    const message = channelMessage(c, channel, { content: 'in the channel' })
    controlAccepted(await ws.publish(message), 'a message in a channel of the caller')
    const inChannel = await ws.query([{ '#h': [channel] }])
    expectEose(inChannel, 'a REQ {"#h":[channel]} (a REQ on one channel is exempt)')
    if (!inChannel.events.some((e) => e.id === message.id)) violation('a REQ {"#h":[channel]} did not return the message written there')
    if (!c.probe.capabilities['http-bridge'].available) return c.note('no HTTP bridge: the gate of POST /query and /count not checked')
    for (const route of ['/query', '/count']) {
      const reply = await c.http.post(route, [kindless])
      const error = (reply.json as { error?: unknown } | undefined)?.error
      if (reply.status !== 403 || error !== CountGateRefusal) {
        violation(`POST ${route} of a kindless filter answered ${reply.status} ${reply.text.slice(0, 160)}; expected 403 {"error":${JSON.stringify(CountGateRefusal)}}`)
      }
    }
  },
)
