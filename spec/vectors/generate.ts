/** Writes spec/vectors/*.json from spec/model. Run with `npm run vectors`. */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildVectors, renderVectorFile } from './build.ts'

const dir = import.meta.dirname
for (const [name, value] of Object.entries(buildVectors())) {
  writeFileSync(join(dir, name), renderVectorFile(value))
  console.log(`wrote spec/vectors/${name}`)
}
