// A worker for threads/worker-pool.test.ts, speaking threads/protocol.ts: it echoes, fails,
// hangs or crashes on request, so the pool's timeouts, retries and restarts can be watched.

import { parentPort, workerData } from 'node:worker_threads'

parentPort.on('message', (message) => {
  if (message.type === 'exit') process.exit(message.code)
  const { op, value } = message.job
  if (op === 'echo') parentPort.postMessage({ type: 'done', id: message.id, result: value })
  else if (op === 'fail') parentPort.postMessage({ type: 'failed', id: message.id, message: `failed: ${value}` })
  else if (op === 'crash') process.exit(3)
  // 'hang': never answers.
})

if (workerData?.refuseToStart) process.exit(4)
parentPort.postMessage({ type: 'ready', info: { started: true } })
