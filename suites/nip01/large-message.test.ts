import { expectAccepted, isHarnessError, relayCase } from '../../harness/src/authoring.ts'
import { utf8ByteLength } from '../../spec/model/bytes.ts'

const TargetBytes = 132_096

relayCase(
  {
    id: 'nip01.large-persona-message',
    title: 'an EVENT message of 132,096 bytes carrying a persona is accepted',
    requirements: ['AP-RELAY-12'],
    level: 'SHOULD',
    profile: 'core',
  },
  async (c) => {
    const ws = await c.connect()
    const slug = c.slug()
    const created_at = c.now()
    const sized = (n: number) => c.persona({ slug, created_at, content: JSON.stringify({ display_name: 'Large', system_prompt: 'p'.repeat(n) }) })
    const base = utf8ByteLength(JSON.stringify(['EVENT', sized(0)]))
    const persona = sized(TargetBytes - base)
    c.note(`EVENT message of ${utf8ByteLength(JSON.stringify(['EVENT', persona]))} bytes`)
    try {
      const reply = await ws.publish(persona)
      c.should(reply.accepted, `a ${TargetBytes}-byte EVENT message was refused: ${JSON.stringify(reply.message)}`)
      if (reply.accepted) expectAccepted(reply)
    } catch (error) {
      // NIP-01 lets a relay drop a message it cannot parse; for this SHOULD that is a miss, not a harness error.
      if (isHarnessError(error) && error.kind === 'disconnected') {
        c.should(false, `the relay closed the connection on a ${TargetBytes}-byte EVENT message`)
        return
      }
      throw error
    }
  },
)
