import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  BucketClient,
  fileSource,
  fileTarget,
  type DownloadTarget,
  type UploadSource,
} from '../../../electron/client/index.js'
import { CutProxy } from '../../../bench/cut-proxy.js'
import { serverNodeOptions } from '../../../bench/node-options.js'
import { parseHeld } from '../../../shared/protocol/index.js'

export { CutProxy }

/*
 * Fault injection for resume: the server as a real process (SIGKILLed and restarted on the same
 * folder and port), a client process that SIGKILLs itself at a byte, and a loopback proxy that
 * drops both sockets once so many bytes went through. Every client reaches the server through the
 * proxy, so a download's kept bytes always name the same server.
 */

export const MiB = 1024 * 1024
/**
 * The most received bytes that are not durable yet (docs/protocol.md, "Durable points"): 8 MiB,
 * give or take the last socket reads.
 */
export const SYNC_BYTES = 8 * MiB + 256 * 1024
/**
 * What may be in flight when a side dies: socket buffers on both ends (a few MiB on loopback) and a
 * read-ahead or write-behind buffer of 1 MiB in the client.
 */
export const IN_FLIGHT_BYTES = 16 * MiB

export type Fault = 'client killed' | 'server killed' | 'socket destroyed'
export const FAULTS: Fault[] = ['client killed', 'server killed', 'socket destroyed']

/** `count` random offsets in [start, end), one in each equal stretch: increasing, spread out. */
export function randomOffsets(count: number, start: number, end: number): number[] {
  const stretch = (end - start) / count
  return Array.from({ length: count }, (_, i) =>
    Math.floor(start + i * stretch + Math.random() * stretch * 0.8),
  )
}

export async function scratch(): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-resume-')))
}

/** Runs `node <options> scripts/cli.mjs server <root> --plain` as `npm run server` does. */
export class ServerProcess {
  /** Every log line printed, across restarts. */
  readonly lines: string[] = []
  private child: ChildProcess | undefined

  private constructor(
    private readonly root: string,
    private readonly dataDir: string,
    public port: number,
  ) {}

  static async start(root: string, dataDir: string): Promise<ServerProcess> {
    const server = new ServerProcess(root, dataDir, 0)
    await server.spawn()
    return server
  }

  private async spawn(): Promise<void> {
    const args = ['server', this.root, '--port', String(this.port), '--plain']
    const child = spawn(
      process.execPath,
      [
        ...serverNodeOptions(),
        path.resolve('scripts/cli.mjs'),
        ...args,
        '--data-dir',
        this.dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    this.child = child
    let rest = ''
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const text = rest + chunk.toString()
        const lines = text.split('\n')
        rest = lines.pop()!
        for (const line of lines) {
          this.lines.push(line)
          const listening = /^Listening on 127\.0\.0\.1:(\d+)/.exec(line)
          if (listening) {
            this.port = Number(listening[1])
            resolve()
          }
        }
      })
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${errors}`)))
    })
  }

  /** SIGKILL: no chance to sync or record anything more. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }

  /** Starts again on the same folder and port. */
  async restart(): Promise<void> {
    await this.kill()
    // The port was this server's; on loopback it is free again as soon as the process is gone.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.spawn()
      } catch (err) {
        if (attempt >= 20) throw err
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }

  /** Waits (up to 10 s) for a log line containing `text`. */
  async awaitLine(text: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const line = this.lines.find((l) => l.includes(text))
      if (line) return line
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`the server logged no line with "${text}"`)
  }

  /** The log lines containing `text`. */
  logged(text: string): string[] {
    return this.lines.filter((l) => l.includes(text))
  }
}

/**
 * Runs cut-client.ts in a process of its own: an upload or download that SIGKILLs its own process
 * once the transfer reaches byte `killAt` of the file. Resolves with the command lines it sent
 * (written synchronously, so a kill loses none) and how it ended.
 */
export function runClientProcess(args: {
  direction: 'upload' | 'download'
  port: number
  bucket: string
  name: string
  local: string
  killAt: number
}): Promise<{ sent: string[]; signal: NodeJS.Signals | null; code: number | null; out: string }> {
  const script = path.resolve('tests/integration/resume/cut-client.ts')
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      args.direction,
      String(args.port),
      args.bucket,
      args.name,
      args.local,
      String(args.killAt),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  return new Promise((resolve) =>
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        out,
        sent: out
          .split('\n')
          .filter((l) => l.startsWith('sent: '))
          .map((l) => l.slice(6)),
      }),
    ),
  )
}

/** What the server holds of an upload, as resume_f says. */
export async function heldBytes(port: number, bucket: string, name: string, size: number) {
  const client = await BucketClient.connect({ host: '127.0.0.1', port })
  try {
    const { lines } = await client.send(`resume_f ${bucket} ${name} ${size}`)
    return lines.map(parseHeld).find((h) => h !== undefined)!.bytes
  } finally {
    client.close()
  }
}

/** The bytes in the server's staging files (a cut upload's `.part`). */
export async function stagedBytes(root: string): Promise<number> {
  const dir = path.join(root, '.bucketshare', 'staging')
  let total = 0
  for (const name of await fs.readdir(dir).catch(() => [] as string[]))
    if (name.endsWith('.part')) total += (await fs.stat(path.join(dir, name))).size
  return total
}

/** The held bytes named by an `upload … <size> <held> <sha>` or `download … <from> <version>` line. */
export function resumedFrom(line: string | undefined): number {
  const words = line?.split(' ') ?? []
  return words[0] === 'upload' ? Number(words[4] ?? 0) : Number(words[3] ?? 0)
}

/** A server process on a scratch folder with a bucket `b`, behind a cutting proxy. */
export interface Rig {
  dir: string
  root: string
  server: ServerProcess
  proxy: CutProxy
  stop(): Promise<void>
}

export async function rig(): Promise<Rig> {
  const dir = await scratch()
  const root = path.join(dir, 'shared')
  await fs.mkdir(path.join(root, 'b'), { recursive: true })
  const server = await ServerProcess.start(root, path.join(dir, 'server-data'))
  const proxy = await CutProxy.start(() => server.port)
  return {
    dir,
    root,
    server,
    proxy,
    async stop() {
      await proxy.close()
      await server.kill()
      await fs.rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A local file to upload, read as usual until byte `at` of it, where `reached()` runs before
 * anything beyond that byte is passed on (e.g. dies, or waits while the server is killed).
 */
export function sourceReaching(
  file: string,
  at: number,
  reached: () => Promise<void>,
): UploadSource {
  const inner = fileSource(file)
  return {
    ...inner,
    async open(signal) {
      const { size, stream } = await inner.open(signal)
      let position = 0
      async function* chunks(): AsyncGenerator<Buffer> {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (position < at && position + chunk.length >= at) {
            yield chunk.subarray(0, at - position)
            await reached()
            yield chunk.subarray(at - position)
          } else yield chunk
          position += chunk.length
        }
      }
      return { size, stream: Readable.from(chunks()) }
    },
  }
}

/** A download's destination that runs `reached()` before it writes the chunk that reaches `at`. */
export function targetReaching(
  destination: string,
  at: number,
  reached: () => Promise<void>,
): DownloadTarget {
  const inner = fileTarget(destination)
  let position = 0
  return {
    ...inner,
    open(file, signal) {
      position = file.from ?? 0
      return inner.open(file, signal)
    },
    async write(chunk, release) {
      if (position < at && position + chunk.length >= at) await reached()
      position += chunk.length
      return inner.write(chunk, release)
    },
  }
}
