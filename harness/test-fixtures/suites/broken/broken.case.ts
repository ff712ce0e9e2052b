// A suite file that cannot load: the run must report it as an error outside any case
// (exit code 1), not silently run fewer cases.
import { relayCase } from '../../../src/authoring.ts'

relayCase(
  { id: 'broken.never-registered', title: 'never registered', requirements: ['AP-SLUG-3'], level: 'MUST', profile: 'core' },
  async () => {},
)

throw new Error('this suite file is broken on purpose')
