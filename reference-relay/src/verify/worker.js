// Verifier worker thread: checks NIP-01 ids and BIP-340 signatures for the pool in pool.ts.
//
// Plain JavaScript on purpose: on Node 20 a worker thread does not inherit tsx's loader, so
// a .ts entry would not load under `node --import tsx` nor under vitest. Keep it small; the
// protocol is described (and typed) in protocol.ts.
//
// Backends, fastest first: bcrypto's native libsecp256k1 binding, then @noble/curves (pure
// JS, the curve library nostr-tools uses). `workerData.backend === 'js'` forces the latter.

import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'
import { lowerThisThread } from '../threads/priority.js'

const require = createRequire(import.meta.url)

/** @returns {Promise<{ name: string, native: boolean, fallbackReason: string | null, verify: (msg: Buffer, sig: Buffer, pub: Buffer) => boolean }>} */
async function loadBackend(preference) {
  let fallbackReason = 'the JavaScript backend was requested'
  if (preference !== 'js') {
    try {
      const schnorr = require('bcrypto/lib/schnorr')
      // bcrypto switches to its own JS code when NODE_BACKEND=js; native is 2 for libsecp256k1.
      if (schnorr.native !== 2) throw new Error(`bcrypto loaded a non-native schnorr backend (native=${schnorr.native})`)
      return {
        name: 'bcrypto/libsecp256k1',
        native: true,
        fallbackReason: null,
        verify: (msg, sig, pub) => schnorr.verify(msg, sig, pub),
      }
    } catch (error) {
      fallbackReason = `bcrypto did not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
    }
  }
  const { schnorr } = await import('@noble/curves/secp256k1.js')
  return {
    name: '@noble/curves (pure JS)',
    native: false,
    fallbackReason,
    verify: (msg, sig, pub) => schnorr.verify(sig, msg, pub),
  }
}

// A known-good signature (nostr-tools, key 0x01) and its corruption. Running them at load
// also makes bcrypto create its context now: creating it while the thread is being torn
// down fails a native assertion that aborts the whole process.
const SelfTest = {
  id: '13fefc77c28a76506484a804bf36a54dc2b7a3e183ee713b3d5e16d42f5f4505',
  sig: 'cef24a35d86b6d56486cd2ba55d78e7473c2ebf934d3cc189248d2f150f30e25b50a439b58987fc1d96aa13e6d3750cb591a4aeafeb8d45d318eaf5804575af5',
  pubkey: '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
}

function passesSelfTest(candidate) {
  const msg = Buffer.from(SelfTest.id, 'hex')
  const pub = Buffer.from(SelfTest.pubkey, 'hex')
  const sig = Buffer.from(SelfTest.sig, 'hex')
  const forged = Buffer.from(sig)
  forged[40] ^= 1
  return candidate.verify(msg, sig, pub) === true && candidate.verify(msg, forged, pub) === false
}

async function loadCheckedBackend(preference) {
  const candidate = await loadBackend(preference)
  if (!candidate.native || passesSelfTest(candidate)) return candidate
  const fallback = await loadBackend('js')
  return { ...fallback, fallbackReason: `${candidate.name} failed its self-test` }
}

lowerThisThread(workerData?.nice ?? 0)
const backend = await loadCheckedBackend(workerData?.backend)
const hexPerEvent = 64 + 128 + 64

/** One job: `keys` holds id+sig+pubkey hex per event; `serialized` the NIP-01 id preimages. */
function check(job) {
  const count = job.keys.length / hexPerEvent
  const verdicts = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const at = i * hexPerEvent
    const id = job.keys.slice(at, at + 64)
    if (job.serialized !== null) {
      const hash = createHash('sha256').update(job.serialized[i]).digest('hex')
      if (hash !== id) continue
    }
    try {
      const ok = backend.verify(
        Buffer.from(id, 'hex'),
        Buffer.from(job.keys.slice(at + 64, at + 192), 'hex'),
        Buffer.from(job.keys.slice(at + 192, at + 256), 'hex'),
      )
      verdicts[i] = ok ? 1 : 0
    } catch {
      // A public key that is not on the curve throws in some backends: not a valid signature.
      verdicts[i] = 0
    }
  }
  return verdicts
}

// The envelope of threads/protocol.ts: {type:'job', id, job} in, {type:'done', id, result} out.
parentPort.on('message', (message) => {
  // Ending between jobs, never inside a native call (see SelfTest).
  if (message.type === 'exit') process.exit(message.code)
  const verdicts = check(message.job)
  parentPort.postMessage({ type: 'done', id: message.id, result: verdicts }, [verdicts.buffer])
})

parentPort.postMessage({
  type: 'ready',
  info: { backend: backend.name, native: backend.native, fallbackReason: backend.fallbackReason },
})
