import net from 'node:net'
import tls from 'node:tls'
import { normalizeFingerprint } from '../../shared/fingerprint.js'
import {
  formatCommand,
  LineReader,
  ProtocolError,
  MAX_LINE_BYTES,
  parseResponseLine,
  type Status,
} from '../../shared/protocol/index.js'
import { CertificateChangedError, TransportError, transportErrorOf } from './errors.js'
import { ReadBuffers, type Received } from './read-buffers.js'
import { hostPort } from '../../shared/address.js'

export interface ConnectOptions {
  host: string
  port: number
  /** Give up connecting after this long. */
  connectTimeoutMs?: number
  /** Fail when the server sends nothing for this long while an answer is awaited. */
  responseTimeoutMs?: number
  /** Given (`auth <code>`) on every connection, when the host asks for one. */
  accessCode?: string
  /**
   * Speak TLS. The server's certificate is self-signed, so it is trusted by its fingerprint: when
   * `fingerprint` is given, any other certificate is refused (CertificateChangedError).
   */
  tls?: { fingerprint?: string }
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
export const DEFAULT_RESPONSE_TIMEOUT_MS = 60_000

/** A parsed response: its data lines (without `-> `) and its status line. */
export interface RawResponse {
  lines: string[]
  status: Status
}

/**
 * Takes raw bytes; a returned promise holds the socket until the bytes are written. The chunk may
 * be a read buffer the connection reuses: it stays valid until `release()` is called, which  * handler must do once it no longer needs the bytes (not calling it only costs a new buffer).
 */
export type ChunkHandler = (chunk: Buffer, release: () => void) => void | Promise<void>

/** Socket buffers: with Node's 16 KiB default, transfers move about half as fast. */
const SOCKET_BUFFER_BYTES = 1024 * 1024

/** Received bytes held before the socket is paused: a slow consumer never fills memory. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024

const NOTHING_TO_RELEASE = (): void => undefined

/**
 * One socket to a bucket server: writes lines and bytes with backpressure, reads lines and raw
 * bytes. Received chunks queue up to HIGH_WATER_BYTES, then the socket pauses until they are read.
 * Callers run one exchange at a time.
 */
export class Connection {
  /** Holds at most one partial line between reads. */
  private readonly reader = new LineReader(MAX_LINE_BYTES)
  /** Chunks received and not yet read. */
  private queue: Received[] = []
  private queued = 0
  /** The first cause of failure; every later call reports it. */
  private failure: TransportError | undefined
  /** Wakes a reader waiting for bytes or for the failure. */
  private wake: (() => void) | undefined
  /** A wake of the reader is set for the end of this turn. */
  private wakeDue = false
  /** True while a reader waits for the server: the response timeout applies. */
  private awaiting = false
  /** Writes waiting for the socket to drain: a stalled write times out like a silent server. */
  private stalledWrites = 0
  /** Whether anything was written, and whether the server ever sent a byte back. */
  private spoke = false
  private heard = false
  /** Resolves once the socket has closed. */
  readonly closed: Promise<void>

  private constructor(
    private readonly socket: net.Socket,
    readonly where: string,
    responseTimeoutMs: number,
    /** The server certificate's SHA-256, on a TLS connection. */
    readonly fingerprint: string | undefined,
  ) {
    socket.setTimeout(responseTimeoutMs, () => {
      if (this.awaiting) this.fail(new TransportError('timeout', `${where} stopped answering`))
      else if (this.stalledWrites > 0)
        // The socket is cut so the waiting writes learn it (their bytes cannot go anywhere).
        this.destroy(new TransportError('timeout', `${where} stopped taking data`))
    })
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(transportErrorOf(err, where)))
    socket.on('end', () => this.fail(this.closedError()))
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.fail(this.closedError())
        resolve()
      }),
    )
  }

  private closedError(): TransportError {
    // A TLS server hangs up without a word on plain text; a bucket server always answers.
    if (this.spoke && !this.heard && this.fingerprint === undefined)
      return new TransportError(
        'silent',
        `${this.where} closed the connection without answering (an encrypted server does that to a plain connection)`,
      )
    return new TransportError('closed', `${this.where} closed the connection`)
  }

  /** Connects, and gives the access code when there is one (a wrong one throws ProtocolError). */
  static async open(options: ConnectOptions): Promise<Connection> {
    const connection = await Connection.connect(options)
    if (options.accessCode === undefined) return connection
    try {
      await connection.sendLine(formatCommand('auth', [options.accessCode]))
      const status = await connection.readResponse(() => undefined)
      if (!status.ok) throw new ProtocolError(status.code, status.detail)
      return connection
    } catch (err) {
      connection.destroy()
      throw err
    }
  }

  private static connect(options: ConnectOptions): Promise<Connection> {
    const { host, port } = options
    const where = hostPort(host, port)
    return new Promise((resolve, reject) => {
      const buffers = new ReadBuffers()
      let connection: Connection | undefined
      // Bytes that come before the connection is made (a server refusing it at once).
      const early: Received[] = []
      const onread = {
        buffer: buffers.next,
        callback: (n: number): boolean => {
          const item = buffers.take(n)
          if (connection) return connection.received(item)
          early.push(item)
          return true
        },
      }
      const socket = options.tls
        ? // Self-signed: the fingerprint check below replaces the certificate authorities.
          // `onread` reaches the socket too, though Node's types for tls.connect() omit it.
          tls.connect({
            host,
            port,
            rejectUnauthorized: false,
            minVersion: 'TLSv1.3',
            onread,
          } as tls.ConnectionOptions)
        : net.connect({
            host,
            port,
            // A stream option: it reaches the socket, though Node's types for connect() omit it.
            highWaterMark: SOCKET_BUFFER_BYTES,
            onread,
          } as net.NetConnectOpts)
      socket.setNoDelay(true)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new TransportError('timeout', `${where} did not answer in time`))
      }, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(transportErrorOf(err, where))
      })
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        let fingerprint: string | undefined
        if (socket instanceof tls.TLSSocket) {
          fingerprint = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '')
          const pinned = options.tls?.fingerprint
          if (pinned !== undefined && normalizeFingerprint(pinned) !== fingerprint) {
            socket.destroy()
            return reject(
              new CertificateChangedError(where, normalizeFingerprint(pinned), fingerprint),
            )
          }
        }
        socket.removeAllListeners('error')
        const timeout = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS
        connection = new Connection(socket, where, timeout, fingerprint)
        early.forEach((item) => connection!.received(item))
        resolve(connection)
      })
    })
  }

  /** Whether the connection can still carry commands. */
  get usable(): boolean {
    return this.failure === undefined
  }

  /** Why the connection failed or closed (its first cause), once it has. */
  get cause(): TransportError | undefined {
    return this.failure
  }

  /** Writes a command line. */
  sendLine(line: string): Promise<void> {
    return this.write(`${line}\n`)
  }

  /**
   * Checks that a plain connection reached a plain server, before any command: sends blank lines,
   * which a bucket server ignores without answering, and waits `ms` for a TLS server to hang up
   * on them. Rejects with the failure ('silent' for a hang-up).
   */
  async probe(ms: number): Promise<void> {
    await this.write('\n'.repeat(5))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
    clearTimeout(timer)
    if (this.failure) throw this.failure
  }

  /**
   * Writes bytes; resolves when the socket can take more (backpressure). `written` runs once the
   * socket no longer reads `data` (sent, or never to be).
   */
  write(data: string | Uint8Array, written?: () => void): Promise<void> {
    if (this.failure) {
      written?.()
      return Promise.reject(this.failure)
    }
    this.spoke = true
    if (this.socket.write(data, written && (() => written()))) return Promise.resolve()
    this.stalledWrites++
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.stalledWrites--
        this.socket.off('drain', settle).off('close', settle)
        if (this.failure) reject(this.failure)
        else resolve()
      }
      this.socket.on('drain', settle).on('close', settle)
    })
  }

  /** Reads the next line of the response (without its terminator). */
  async readLine(): Promise<string> {
    for (;;) {
      const event = this.reader.next()
      if (event?.kind === 'line') return event.text
      if (event)
        throw this.fail(new TransportError('protocol', `${this.where} sent an unreadable line`))
      const { chunk, release } = await this.nextChunk()
      // The reader may keep part of it for the next line, and the read buffer is reused.
      this.reader.push(Buffer.from(chunk))
      release()
    }
  }

  /** Reads data lines up to the status line; `onData` takes each data line as it arrives. */
  async readResponse(onData: (text: string) => void): Promise<Status> {
    for (;;) {
      const line = await this.readLine()
      const parsed = parseResponseLine(line)
      if (parsed.kind === 'status') return parsed.status
      if (parsed.kind === 'data') onData(parsed.text)
      else
        throw this.fail(
          new TransportError(
            'protocol',
            `${this.where} answered something unexpected: ${line.slice(0, 80)}`,
          ),
        )
    }
  }

  /** Reads exactly `size` raw bytes, handing each chunk to `handle` and waiting when it is behind. */
  async readBytes(size: number, handle: ChunkHandler): Promise<void> {
    let left = size
    let chunk: Uint8Array = this.reader.takeRest()
    let release = NOTHING_TO_RELEASE
    for (;;) {
      if (chunk.length > 0) {
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk
        left -= part.length
        // Whatever follows the bytes belongs to the response lines (copied: the buffer is reused).
        if (part.length < chunk.length) this.reader.push(Buffer.from(chunk.subarray(part.length)))
        const pending = handle(Buffer.from(part.buffer, part.byteOffset, part.length), release)
        if (pending) await pending
      } else release()
      if (left === 0) return
      ;({ chunk, release } = await this.nextChunk())
    }
  }

  /** Queues a received chunk; false when the socket should stop reading for now. */
  private received(item: Received): boolean {
    this.heard = true
    const last = this.queue.at(-1)
    if (last && follows(last.chunk, item.chunk))
      this.queue[this.queue.length - 1] = joined(last, item)
    else this.queue.push(item)
    this.queued += item.chunk.length
    // The reader is woken once this turn's reads are in, which then reach it as one chunk: over
    // TLS a read is a 16 KiB record, and a turn of the reader's loop for each cost the client
    // a fifth of its CPU on a download.
    if (this.wake && !this.wakeDue) {
      this.wakeDue = true
      setImmediate(() => {
        this.wakeDue = false
        this.wake?.()
      })
    }
    if (this.queued <= HIGH_WATER_BYTES) return true
    this.socket.pause()
    return false
  }

  /** Closes at once. */
  destroy(reason?: TransportError): void {
    // Unusable from now on, not only once the socket's close event comes.
    this.fail(reason ?? new TransportError('closed', `${this.where}: disconnected`))
    this.socket.destroy()
  }

  /** Half-closes after what was written, as `quit` does. */
  end(): void {
    this.socket.end()
  }

  private fail(err: TransportError): TransportError {
    this.failure ??= err
    this.wake?.()
    return this.failure
  }

  /** The next received chunk, waiting for one if needed. */
  private async nextChunk(): Promise<Received> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure
      this.awaiting = true
      try {
        await new Promise<void>((resolve) => (this.wake = resolve))
      } finally {
        this.wake = undefined
        this.awaiting = false
      }
    }
    const item = this.queue.shift()!
    this.queued -= item.chunk.length
    if (this.socket.isPaused() && this.queued <= HIGH_WATER_BYTES / 2) this.socket.resume()
    return item
  }
}

/**
 * Whether a TLS handshake succeeds at this address: to tell a person who connected without
 * encryption that the server expects it. Never rejects.
 */
export function speaksTls(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, minVersion: 'TLSv1.3' })
    const done = (result: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once('secureConnect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Whether `next` lies right after `chunk` in the same memory (consecutive reads of one block). */
function follows(chunk: Buffer, next: Buffer): boolean {
  return chunk.buffer === next.buffer && chunk.byteOffset + chunk.length === next.byteOffset
}

/** Two consecutive received chunks as one; released together. */
function joined(first: Received, second: Received): Received {
  return {
    chunk: Buffer.from(
      first.chunk.buffer,
      first.chunk.byteOffset,
      first.chunk.length + second.chunk.length,
    ),
    release: () => {
      first.release()
      second.release()
    },
  }
}
