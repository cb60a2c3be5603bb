import { EventEmitter } from 'node:events'
import {
  announcesBytes,
  formatCommand,
  parseAnyFileEntry,
  parseBucketEntry,
  parseListEntry,
  ProtocolError,
  tokenize,
  type BucketEntry,
  type ListEntry,
} from '../../shared/protocol/index.js'
import { Connection, type ConnectOptions, type RawResponse } from './connection.js'
import { TransportError } from './errors.js'
import { Lanes, LANE_MAX_BYTES } from './pipeline.js'
import { ConnectionPool } from './pool.js'
import { Semaphore } from './semaphore.js'
import {
  download,
  upload,
  type DownloadOptions,
  type TransferOptions,
  type TransferResult,
  type TransferSpec,
  type UploadOptions,
} from './transfers.js'

/** A command sent on behalf of this client, and how it ended: for a transcript of the session. */
export interface CommandRecord {
  line: string
  /** Who asked, as given to the call (e.g. "console"), so a transcript can tell its sources apart. */
  origin?: string
  response?: RawResponse
  error?: Error
}

export interface ClientEvents {
  /** Every command sent, on the command connection or a transfer's own, once it has ended. */
  command: [CommandRecord]
  /** The command connection failed or closed; the client cannot be used any more. */
  close: [TransportError]
}

export interface SendOptions {
  /** Takes each data line as it arrives; the response's `lines` then stay empty. */
  onData?: (text: string) => void
  /** Passed on to the `command` event. */
  origin?: string
}

/** Transfers run at most this many at a time, each on its own connection. */
export const TRANSFER_CONCURRENCY = 8

/**
 * A session with a bucket server. Commands run one at a time on the command connection, in the
 * order they are called; transfers run on connections of their own so listings stay responsive
 * while files move. Failure answers throw ProtocolError (code and meaning); a broken connection
 * throws TransportError.
 */
export class BucketClient extends EventEmitter<ClientEvents> {
  /** The last command in the queue; the next one starts when it settles. */
  private tail: Promise<unknown> = Promise.resolve()
  private readonly pool: ConnectionPool
  private readonly slots = new Semaphore(TRANSFER_CONCURRENCY)
  /** Small uploads, several in flight per connection (`put_f`). */
  private readonly lanes: Lanes
  /** The server's protocol version, once asked (`init`). */
  private version: Promise<number> | undefined
  /** The access code accepted on the command connection, for the transfer connections. */
  private accessCode: string | undefined

  private constructor(
    private readonly connection: Connection,
    readonly options: ConnectOptions,
  ) {
    super()
    this.accessCode = options.accessCode
    this.pool = new ConnectionPool(() => this.sameServer())
    this.lanes = new Lanes(this.slots, this.pool)
    void connection.closed.then(() => {
      this.pool.close()
      this.emit('close', this.failure())
    })
  }

  static async connect(options: ConnectOptions): Promise<BucketClient> {
    return new BucketClient(await Connection.open(options), options)
  }

  /**
   * A new client for the same server, certificate and access code, to carry on after the server
   * closed this one (as it does with connections left idle longer than its idle timeout).
   */
  reopen(): Promise<BucketClient> {
    return BucketClient.connect(this.sameServer())
  }

  /** Options that reach the very server the command connection reached, with the code it took. */
  private sameServer(): ConnectOptions {
    const { fingerprint } = this.connection
    return {
      ...this.options,
      ...(fingerprint ? { tls: { fingerprint } } : {}),
      ...(this.accessCode === undefined ? {} : { accessCode: this.accessCode }),
    }
  }

  get host(): string {
    return this.options.host
  }

  get port(): number {
    return this.options.port
  }

  /** The server certificate's SHA-256 on an encrypted connection. */
  get fingerprint(): string | undefined {
    return this.connection.fingerprint
  }

  get connected(): boolean {
    return this.connection.usable
  }

  /**
   * Sends one command line as it is and returns the response, failure codes included. Upload and
   * download move raw bytes, so they go through upload() and download() instead.
   */
  send(line: string, options: SendOptions = {}): Promise<RawResponse> {
    const { onData, origin } = options
    const parsed = tokenize(line)
    const verb = parsed.ok ? parsed.tokens[0] : undefined
    if (verb === 'upload' || verb === 'download' || (verb !== undefined && announcesBytes(verb)))
      return Promise.reject(
        new Error(`use the client's ${verb === 'download' ? verb : 'upload'}() to move file bytes`),
      )
    if (/[\r\n]/.test(line)) return Promise.reject(new Error('a command is a single line'))
    // The server does not answer a blank line; waiting for it would wait forever.
    if (parsed.ok && verb === undefined) return Promise.reject(new Error('empty command'))
    return this.exclusive(async () => {
      const lines: string[] = []
      let response: RawResponse | undefined
      try {
        await this.connection.sendLine(line)
        const status = await this.connection.readResponse(onData ?? ((text) => lines.push(text)))
        response = { lines, status }
        // Typed by hand in a console: transfers need the code on their own connections too.
        if (verb === 'auth' && status.ok && parsed.ok) this.accessCode = parsed.tokens[1]
        return response
      } catch (err) {
        this.emit('command', { line, origin, error: err as Error })
        throw err
      } finally {
        if (response) this.emit('command', { line, origin, response })
      }
    })
  }

  async init(): Promise<string> {
    const greeting = (await this.expect('init')).lines.join('\n')
    this.version = Promise.resolve(versionOf(greeting))
    return greeting
  }

  /**
   * The protocol version the server announces (1 when it does not say), asked once, and quietly:
   * housekeeping of the client, like the access code on its transfer connections.
   */
  protocolVersion(): Promise<number> {
    this.version ??= this.exclusive(async () => {
      await this.connection.sendLine('init')
      const lines: string[] = []
      const status = await this.connection.readResponse((text) => lines.push(text))
      return status.ok ? versionOf(lines.join('\n')) : 1
    }).catch(() => 1)
    return this.version
  }

  /** The command list with syntax, or the explanation of one command. */
  async help(command?: string): Promise<string[]> {
    return (await this.expect('help', command === undefined ? [] : [command])).lines
  }

  /** Every response code with its meaning, as the server lists them. */
  async codes(): Promise<string[]> {
    return (await this.expect('code_r')).lines
  }

  /** Gives the access code; transfer connections give it too from then on. */
  async auth(code: string): Promise<void> {
    await this.expect('auth', [code])
  }

  async createBucket(name: string): Promise<void> {
    await this.expect('create_b', [name])
  }

  async deleteBucket(name: string): Promise<void> {
    await this.expect('delete_b', [name])
  }

  async listBuckets(): Promise<BucketEntry[]> {
    return parseAll((await this.expect('ls_b')).lines, parseBucketEntry)
  }

  /**
   * The files of a bucket's whole tree (each named by its path) and its empty folders; `onEntry`
   * receives them as they stream in instead of a returned array.
   */
  listFiles(bucket: string, onEntry?: (entry: ListEntry) => void): Promise<ListEntry[]> {
    return this.list([bucket], onEntry)
  }

  /** Like listFiles, for the tree of one folder of the bucket (the folder itself when empty). */
  listFolder(
    bucket: string,
    folder: string,
    onEntry?: (entry: ListEntry) => void,
  ): Promise<ListEntry[]> {
    return this.list([bucket, folder], onEntry)
  }

  private async list(args: string[], onEntry?: (entry: ListEntry) => void): Promise<ListEntry[]> {
    const entries: ListEntry[] = []
    const take = onEntry ?? ((entry: ListEntry) => entries.push(entry))
    await this.expect('ls_f', args, (text) => take(parseOrFail(text, parseListEntry)))
    return entries
  }

  /** Every bucket with its files; an empty bucket appears once without a file. */
  async listAll(): Promise<{ bucket: string; file?: ListEntry }[]> {
    return parseAll((await this.expect('ls_f')).lines, parseAnyFileEntry)
  }

  /**
   * The version of the shared folder (`changes`): compare it with an earlier one to learn, cheaply,
   * whether listings are out of date. Servers older than the command answer 400 BCMD.
   */
  async changes(): Promise<string> {
    return (await this.expect('changes')).lines.join('\n')
  }

  /** Deletes a file, or a folder with everything in it. */
  async deleteFile(bucket: string, name: string): Promise<void> {
    await this.expect('delete_f', [bucket, name])
  }

  /** Makes a folder (and those above it) in a bucket; an existing one is fine. */
  async createFolder(bucket: string, folder: string): Promise<void> {
    await this.expect('create_b', [bucket, folder])
  }

  /** Renames or moves a file or folder within a bucket; never replaces anything. */
  async rename(bucket: string, from: string, to: string): Promise<void> {
    await this.expect('rename_f', [bucket, from, to])
  }

  /**
   * Uploads on a connection of its own, or a small file several at a time on one (`put_f`, when
   * the server has it); resolves once the server confirmed the sha256.
   */
  async upload(options: UploadOptions): Promise<TransferResult> {
    if (await this.sendsWhole(options))
      return this.onLane(options, (onCommand) => this.lanes.upload(options, onCommand))
    return this.onTransferConnection(options, (c, onCommand) =>
      upload(c, { ...options, onCommand }),
    )
  }

  /** Whether an upload goes as `put_f`: a small source, a server of protocol 2 or later. */
  private async sendsWhole({ source }: UploadOptions): Promise<boolean> {
    const size = await source.size().catch(() => undefined)
    return size !== undefined && size <= LANE_MAX_BYTES && (await this.protocolVersion()) >= 2
  }

  /**
   * Downloads on a connection of its own, or a small file (its size known) several at a time on
   * one; the content's sha256 is verified before it is kept.
   */
  async download(options: DownloadOptions): Promise<TransferResult> {
    if (options.size !== undefined && options.size <= LANE_MAX_BYTES) {
      const result = await this.onLane(options, (onCommand) =>
        this.lanes.download(options, onCommand),
      )
      // Otherwise it grew too large for a lane since it was listed: on a connection of its own.
      if (result) return result
    }
    return this.onTransferConnection(options, (c, onCommand) =>
      download(c, { ...options, onCommand }),
    )
  }

  /** Uploads or downloads, as the spec says. */
  transfer(spec: TransferSpec, options: TransferOptions = {}): Promise<TransferResult> {
    return spec.direction === 'upload'
      ? this.upload({ ...options, ...spec })
      : this.download({ ...options, ...spec })
  }

  /**
   * For a plain connection: checks, before any command, that the server is not a TLS server
   * (Connection.probe). Throws TransportError 'silent' when it hung up.
   */
  probePlain(ms: number): Promise<void> {
    return this.exclusive(() => this.connection.probe(ms))
  }

  /** Says goodbye (`200 BYE`) and closes. */
  async quit(): Promise<void> {
    try {
      await this.expect('quit')
    } finally {
      this.close()
    }
  }

  /** Closes every connection at once. */
  close(): void {
    this.pool.close()
    this.connection.destroy(new TransportError('closed', 'disconnected'))
  }

  /** Runs a command and throws ProtocolError unless it succeeded. */
  private async expect(
    verb: string,
    args: readonly string[] = [],
    onData?: (text: string) => void,
  ): Promise<RawResponse> {
    const response = await this.send(formatCommand(verb, args), { onData })
    if (!response.status.ok) throw new ProtocolError(response.status.code, response.status.detail)
    return response
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work)
    this.tail = run.catch(() => undefined)
    return run
  }

  private async onTransferConnection(
    options: UploadOptions | DownloadOptions,
    work: (connection: Connection, onCommand: (line: string) => void) => Promise<TransferResult>,
  ): Promise<TransferResult> {
    if (!this.connection.usable) throw this.failure()
    let line: string | undefined
    const onCommand = (sent: string): void => {
      line = sent
      options.onCommand?.(sent)
    }
    const release = await this.slots.acquire(options.signal)
    try {
      const result = await this.pool.use((c) => work(c, onCommand))
      this.emit('command', { line: line!, origin: options.origin, response: result.response })
      return result
    } catch (err) {
      if (line) this.emit('command', { line, origin: options.origin, error: err as Error })
      throw err
    } finally {
      release()
    }
  }

  private async onLane<R extends TransferResult | undefined>(
    options: UploadOptions | DownloadOptions,
    work: (onCommand: (line: string) => void) => Promise<R>,
  ): Promise<R> {
    if (!this.connection.usable) throw this.failure()
    let line: string | undefined
    try {
      const result = await work((sent) => {
        line = sent
        options.onCommand?.(sent)
      })
      if (result)
        this.emit('command', { line: line!, origin: options.origin, response: result.response })
      return result
    } catch (err) {
      if (line) this.emit('command', { line, origin: options.origin, error: err as Error })
      throw err
    }
  }

  /** The command connection's first cause of failure: a timeout stays a timeout. */
  private failure(): TransportError {
    return (
      this.connection.cause ??
      new TransportError('closed', `${this.connection.where} closed the connection`)
    )
  }
}

function parseOrFail<T>(text: string, parse: (text: string) => T | undefined): T {
  const value = parse(text)
  if (value === undefined)
    throw new TransportError('protocol', `the server sent a line this client cannot read: ${text}`)
  return value
}

function parseAll<T>(lines: string[], parse: (text: string) => T | undefined): T[] {
  return lines.map((text) => parseOrFail(text, parse))
}

/** `BucketShare protocol 2` → 2; 1 when the greeting names no version. */
function versionOf(greeting: string): number {
  const match = /^BucketShare protocol (\d+)/.exec(greeting)
  return match ? Number(match[1]) : 1
}
