import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import {
  loadOrCreateIdentity,
  startServer,
  type Identity,
  type BucketServer,
  type ServerOptions,
} from '../../../electron/server/index.js'

/** A server on an ephemeral loopback port sharing a fresh temporary folder, with its log kept. */
export interface TestServer {
  server: BucketServer
  /**
   * The shared folder (a real path, so it compares equal to what the server reports), or the
   * `s3://` address when the test gave one.
   */
  root: string
  /** Log lines, without their time. */
  logs: string[]
  connect(options?: RawOptions): Promise<RawClient>
  /** Closes the server and every client, and removes the folder. */
  stop(): Promise<void>
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const root =
    options.root ??
    (await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-server-'))))
  const server = await startServer({ port: 0, host: '127.0.0.1', ...options, root })
  const logs: string[] = []
  server.on('log', ({ text }) => logs.push(text))
  const clients: RawClient[] = []
  return {
    server,
    root,
    logs,
    async connect(options) {
      const client = await RawClient.connect(server.port, {
        tls: server.encrypted,
        ...options,
      })
      clients.push(client)
      return client
    },
    async stop() {
      clients.forEach((c) => c.destroy())
      await server.close()
      if (!options.root) await fs.rm(root, { recursive: true, force: true })
    },
  }
}

export interface RawOptions {
  /** Speak TLS (the default when the server does). */
  tls?: boolean
  /** The source address, e.g. 127.0.0.2: every address of 127.0.0.0/8 is this computer. */
  localAddress?: string
}

let identity: Promise<Identity> | undefined

/** A TLS identity for test servers, made once per test file (making one takes a while). */
export function testIdentity(): Promise<Identity> {
  identity ??= fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-identity-')).then(async (dir) => {
    const made = await loadOrCreateIdentity(dir)
    await fs.rm(dir, { recursive: true, force: true })
    return made
  })
  return identity
}

export interface Response {
  /** Data lines without their `-> ` prefix. */
  data: string[]
  /** The status line, e.g. "300 BCS". */
  status: string
}

/**
 * A raw protocol client: sends exact lines and bytes, reads lines and bytes back. Nothing is
 * interpreted beyond splitting lines, so tests see what `nc` would.
 */
export class RawClient {
  /** Bytes received and not yet read. */
  private chunks: Buffer[] = []
  private ended = false
  /** Wakes a reader waiting for more bytes. */
  private wake: (() => void) | undefined
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk)
      this.wake?.()
    })
    // Some tests cut connections on purpose; a reset is then expected, not a failure.
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true
        this.wake?.()
        resolve()
      }),
    )
    socket.on('end', () => {
      this.ended = true
      this.wake?.()
    })
  }

  static connect(port: number, options: RawOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const where = { port, host: '127.0.0.1', localAddress: options.localAddress }
      // The certificate is self-signed; these tests are about the protocol, not about trust.
      const socket = options.tls
        ? tls.connect({ ...where, rejectUnauthorized: false }, () => resolve(new RawClient(socket)))
        : net.connect(where, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Sends one line (LF added). */
  send(line: string): void {
    this.socket.write(`${line}\n`)
  }

  /** Sends raw bytes as they are. */
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())),
    )
  }

  /** Sends a line and reads the whole response. */
  async command(line: string): Promise<Response> {
    this.send(line)
    return this.response()
  }

  /** Reads one line (without its terminator). */
  async line(): Promise<string> {
    for (;;) {
      // Only the first chunk is searched, so a long listing is read in linear time.
      const first = this.chunks[0] ?? Buffer.alloc(0)
      const lf = first.indexOf(0x0a)
      if (lf >= 0) {
        this.chunks[0] = first.subarray(lf + 1)
        return first.subarray(0, lf).toString('utf8').replace(/\r$/, '')
      }
      if (this.chunks.length > 1) this.chunks.splice(0, 2, Buffer.concat(this.chunks.slice(0, 2)))
      else await this.more(true)
    }
  }

  /** Reads data lines up to and including the status line. */
  async response(): Promise<Response> {
    const data: string[] = []
    for (;;) {
      const line = await this.line()
      if (!line.startsWith('-> ')) return { data, status: line }
      data.push(line.slice(3))
    }
  }

  /** Reads exactly `n` raw bytes, handing them to `onChunk` as they come (constant memory). */
  async readBytes(n: number, onChunk: (chunk: Buffer) => void): Promise<void> {
    let left = n
    while (left > 0) {
      const chunk = this.chunks.shift()
      if (!chunk) {
        await this.more()
        continue
      }
      const part = chunk.subarray(0, left)
      onChunk(part)
      left -= part.length
      if (part.length < chunk.length) this.chunks.unshift(chunk.subarray(part.length))
    }
  }

  async bytes(n: number): Promise<Buffer> {
    const parts: Buffer[] = []
    await this.readBytes(n, (c) => parts.push(c))
    return Buffer.concat(parts)
  }

  /** Resolves once the server has closed the connection, with whatever was still unread. */
  async untilClosed(): Promise<Buffer> {
    await this.closed
    return Buffer.concat(this.chunks)
  }

  /** Half-closes: the server sees the end of input. */
  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** Waits for bytes; with `fresh`, for bytes beyond those already buffered (a partial line). */
  private async more(fresh = false): Promise<void> {
    if (!fresh && this.chunks.some((c) => c.length > 0)) return
    if (this.ended) throw new Error('connection closed by the server')
    await new Promise<void>((resolve) => (this.wake = resolve))
    this.wake = undefined
  }
}

/** Uploads `content`: command, ready marker, bytes, then the final response. */
export async function upload(
  client: RawClient,
  bucket: string,
  file: string,
  content: string | Uint8Array,
): Promise<Response> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content
  client.send(`upload ${bucket} ${file} ${bytes.length}`)
  const first = await client.line()
  if (first !== `-> ready ${bytes.length}`) return { data: [], status: first }
  await client.write(bytes)
  const rest = await client.response()
  return { data: [first.slice(3), ...rest.data], status: rest.status }
}

/** Downloads a file; `bytes` is undefined when it was refused. */
export async function download(
  client: RawClient,
  bucket: string,
  file: string,
): Promise<Response & { bytes?: Buffer }> {
  client.send(`download ${bucket} ${file}`)
  const first = await client.line()
  const size = /^-> size (\d+)$/.exec(first)
  if (!size) return { data: [], status: first }
  const bytes = await client.bytes(Number(size[1]))
  const rest = await client.response()
  return { data: [first.slice(3), ...rest.data], status: rest.status, bytes }
}

/** Bytes in the staging files (`.part`) of a staging folder. */
export async function stagedBytes(staging: string): Promise<number> {
  const names = await fs.readdir(staging).catch(() => [])
  const sizes = await Promise.all(
    names
      .filter((n) => n.endsWith('.part'))
      .map((n) =>
        fs.stat(path.join(staging, n)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  )
  return sizes.reduce((a, b) => a + b, 0)
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Every path under `dir`, relative, sorted: to prove a command touched nothing. */
export async function tree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true })
  return entries.map((e) => e.split(path.sep).join('/')).sort()
}

/** Waits until `check` holds, polling briefly; for effects seen only on disk or in the log. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
