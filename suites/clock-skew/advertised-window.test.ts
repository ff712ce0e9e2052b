import { relayCase } from '../../harness/src/authoring.ts'

relayCase(
  {
    id: 'clock-skew.nip11-advertises-window',
    title: 'a relay that refuses events for their created_at advertises its window in NIP-11 as relative seconds',
    requirements: ['AP-SKEW-2'],
    level: 'SHOULD',
    profile: 'core',
    needs: ['nip11'],
  },
  async (c) => {
    const limitation = c.probe.nip11.limitation
    const lower = limitation.created_at_lower_limit
    const upper = limitation.created_at_upper_limit
    const relative = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1_000_000_000
    if (relative(lower) && relative(upper)) return
    // No usable advertisement: only a relay that enforces a window owes one.
    const ws = await c.connect()
    const now = c.now()
    const enforced: string[] = []
    for (const offset of [86_400 * 2, -86_400 * 365 * 5]) {
      const reply = await ws.publish(c.persona({ created_at: now + offset }))
      if (!reply.accepted && reply.prefix === 'invalid') enforced.push(`now${offset >= 0 ? '+' : ''}${offset}s refused: ${reply.message}`)
    }
    c.should(
      enforced.length === 0,
      `the relay refuses events for their created_at (${enforced.join('; ')}) but NIP-11 advertises ` +
        `created_at_lower_limit=${JSON.stringify(lower)}, created_at_upper_limit=${JSON.stringify(upper)} (not relative seconds)`,
    )
  },
)
