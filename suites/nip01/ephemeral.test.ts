import { relayCase, violation } from '../../harness/src/authoring.ts'
import { readIds } from '../lib/reads.ts'

relayCase(
  {
    id: 'nip01.ephemeral-not-stored',
    title: 'an ephemeral event (kind 20000-29999) is not stored: a later read by id does not return it',
    requirements: ['AP-BASE-20'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const event = c.sign({ kind: 20_175, content: 'ephemeral' })
    await ws.publish(event)
    const served = await readIds(ws, [event.id])
    if (served.length > 0) violation('the ephemeral event was stored and is returned by a later read')
  },
)
