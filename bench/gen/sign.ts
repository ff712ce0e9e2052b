/** Generator child: signs a plan of persona events and writes them to a JSON file. */

import { writeFileSync } from 'node:fs'
import { generatorMain } from '../lib/child.ts'
import { type IngestPlan, planPersonas, signerName } from '../lib/personas.ts'

export interface SignConfig {
  plan: IngestPlan
  file: string
}

export interface SignResult {
  count: number
  signer: string
  ms: number
}

generatorMain<SignConfig, SignResult>(async (config) => ({
  run: async () => {
    const started = performance.now()
    const events = planPersonas(config.plan)
    writeFileSync(config.file, JSON.stringify(events))
    return { count: events.length, signer: signerName, ms: Math.round(performance.now() - started) }
  },
}))
