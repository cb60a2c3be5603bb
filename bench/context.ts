import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { BucketClient } from '../electron/client/index.js'
import { serverNodeOptions } from './node-options.js'

/** A bucket server (and the baseline pipe) running in a child process. */
export interface ServerProcess {
  port: number
  /** The bucket server's process, for its CPU time. */
  pid: number
  baselinePort: number
  /** Peak RSS of the server process since the last reset, in bytes. */
  peak(): Promise<number>
  resetPeak(): Promise<void>
  connect(): Promise<BucketClient>
  stop(): Promise<void>
}

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * Bundles the server side to plain JavaScript, as the app ships it: a TypeScript loader in the
 * measured process would add its own memory and start-up work to the figures.
 */
export async function bundleServer(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'server-process.mjs')
  await build({
    entryPoints: [path.join(here, 'server-process.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  })
  return outfile
}

/** Starts one server process (see server-process.ts for its modes); `port` is where it listens. */
export async function spawnServer(
  script: string,
  args: string[],
  cpuProf: string | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  // Not the bench's own execArgv: it runs under tsx, whose loader would be inherited. Our server
  // gets the options `npm run server` gives Node; the yardsticks run with Node's defaults.
  const child: ChildProcess = fork(script, args, {
    execArgv: [
      ...(args[0] === 'bucket' ? serverNodeOptions() : []),
      ...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : []),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { port: number }).port)
    })
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)))
  })
  return { child, port }
}

export async function startServerProcess(
  script: string,
  root: string,
  options: { tlsDir?: string | undefined; cpuProf?: string | undefined } = {},
): Promise<ServerProcess> {
  const { tlsDir, cpuProf } = options
  const [{ child, port }, baseline] = await Promise.all([
    spawnServer(script, ['bucket', root, ...(tlsDir ? [tlsDir] : [])], cpuProf),
    spawnServer(script, ['baseline', root], undefined),
  ])
  const ports = { port, baselinePort: baseline.port }
  return {
    ...ports,
    pid: child.pid!,
    peak: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { peak: number }).peak))
        child.send('peak')
      }),
    resetPeak: () =>
      new Promise((resolve) => {
        child.once('message', () => resolve())
        child.send('reset')
      }),
    connect: () =>
      BucketClient.connect({
        host: '127.0.0.1',
        port: ports.port,
        ...(tlsDir ? { tls: {} } : {}),
      }),
    stop: async () => {
      await Promise.all(
        [child, baseline.child].map((c) => {
          const exited = new Promise((r) => c.once('exit', r))
          c.kill()
          return exited
        }),
      )
    },
  }
}

/** Seconds an async step takes. */
export async function timed(step: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await step()
  return (performance.now() - start) / 1000
}

/** Thrown when transferred bytes do not match: the only failure that fails the bench. */
export class IntegrityError extends Error {}

export function check(actual: string, expected: string, what: string): void {
  if (actual !== expected) throw new IntegrityError(`${what}: sha256 ${actual} != ${expected}`)
}

export { diskAtRest, randomFile, sha256Of } from './files.js'
