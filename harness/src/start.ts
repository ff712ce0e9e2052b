// Placeholder for `npm start` until the conformance harness lands (issue 5).
console.error('error: the conformance harness is not built yet; `npm start` will run the full suite against the embedded reference relay once it is')
process.exit(2)
