/**
 * Starts worker threads that run the relay's TypeScript modules. On Node 20 a worker thread
 * does not inherit the loader its parent runs under (tsx), and registering tsx in each
 * thread costs most of a second; so the module and what it imports (spec/model, storage)
 * are bundled once per process with esbuild into plain JavaScript, and every thread starts
 * from that bundle. Native packages stay outside the bundle and are imported by absolute
 * path. A bundled module must not resolve paths against its own `import.meta.url` (it is a
 * data: URL): the main side passes such paths in the thread's data.
 */

import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { build } from 'esbuild'

/** Packages with native parts, imported from node_modules as they are. */
const External = ['better-sqlite3']

const require = createRequire(import.meta.url)
const bundles = new Map<string, Promise<URL>>()

/** The bundle of one entry module, built once per process. */
export function bundleOf(module: URL): Promise<URL> {
  let bundle = bundles.get(module.href)
  if (bundle === undefined) {
    bundle = bundleModule(module)
    bundles.set(module.href, bundle)
    // A failed build is retried by the next caller.
    bundle.catch(() => bundles.delete(module.href))
  }
  return bundle
}

async function bundleModule(module: URL): Promise<URL> {
  const result = await build({
    entryPoints: [module.pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'external-by-absolute-path',
        setup(plugin) {
          const filter = new RegExp(`^(${External.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`)
          plugin.onResolve({ filter }, (args) => ({ path: pathToFileURL(require.resolve(args.path)).href, external: true }))
        },
      },
    ],
  })
  const code = result.outputFiles[0]?.text
  if (code === undefined) throw new Error(`error: bundling ${module.pathname} produced no output`)
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)
}

/** Starts a worker on a bundle from `bundleOf`; the worker reads `data` with threadData() (threads/serve.ts). */
export function startBundledWorker<D>(bundle: URL, data: D): Worker {
  return new Worker(bundle, { workerData: data })
}
