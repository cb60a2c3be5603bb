import { fork, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BucketClient } from '../electron/client/index.js'

/** A bucket server (and the baseline pipe) running in a child process. */
export interface ServerProcess {
  port: number
  baselinePort: number
  /** Peak RSS of the server process since the last reset, in bytes. */
  peak(): Promise<number>
  resetPeak(): void
  connect(): Promise<BucketClient>
  stop(): Promise<void>
}

const here = path.dirname(fileURLToPath(import.meta.url))

export async function startServerProcess(root: string, tlsDir?: string): Promise<ServerProcess> {
  const child: ChildProcess = fork(
    path.join(here, 'server-process.ts'),
    [root, ...(tlsDir ? [tlsDir] : [])],
    {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  )
  const ports = await new Promise<{ port: number; baselinePort: number }>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n'))
        resolve(JSON.parse(out.split('\n')[0]!) as { port: number; baselinePort: number })
    })
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)))
  })
  return {
    ...ports,
    peak: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { peak: number }).peak))
        child.send('peak')
      }),
    resetPeak: () => void child.send('reset'),
    connect: () =>
      BucketClient.connect({
        host: '127.0.0.1',
        port: ports.port,
        ...(tlsDir ? { tls: {} } : {}),
      }),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill()
      await exited
    },
  }
}

/** Writes `size` random bytes to `file` and returns their sha256. */
export async function randomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(file, { highWaterMark: 1024 * 1024 })
  for (let left = size; left > 0;) {
    const block = randomBytes(Math.min(left, 1024 * 1024))
    hash.update(block)
    left -= block.length
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  )
  return hash.digest('hex')
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
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
