import { expectAccepted, relayCase, violation } from '../../harness/src/authoring.ts'
import { controlServedById } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.resend-accepted',
    title: 'a persona the relay holds and serves, sent again byte for byte, is answered OK true',
    requirements: ['AP-BASE-28'],
    level: 'MUST',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const persona = c.persona()
    expectAccepted(await ws.publish(persona), 'the persona')
    await controlServedById(ws, [persona], 'the persona')
    const again = await ws.publish(persona)
    if (!again.accepted) violation(`the persona, held and served, was answered OK false ${JSON.stringify(again.message)} when sent again: it has been accepted`)
  },
)
