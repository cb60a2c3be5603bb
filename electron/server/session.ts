import { createHash, type Hash } from 'node:crypto'
import type { Socket } from 'node:net'
import type { ConnectedClient } from '../../shared/hosting.js'
import {
  formatReady,
  formatSize,
  COMMANDS,
  formatStatus,
  LineReader,
  type CommandSpec,
  type Grant,
  MAX_LINE_BYTES,
} from '../../shared/protocol/index.js'
import { StoreError, toStoreError, type Store } from '../storage/index.js'
import { HANDLERS, type ByteSink, type CommandContext, type Outcome } from './commands/index.js'
import type { AccessCheck, AccessGate } from './access.js'
import { ConnectionLost, failureOf } from './failures.js'
import { mayRun, OPEN_GRANT, refusal } from './permissions.js'
import { printable } from './printable.js'
import { parseRequest, type Request } from './request.js'
import { SocketWriter } from './writer.js'
import { hostPort } from '../../shared/address.js'
import { arrived } from './young-gc.js'
import { lendReads } from './lent-reads.js'

export interface SessionOptions {
  store: Store
  /** Checks access codes against the host's grants; with no grant every command is open. */
  gate: AccessGate
  /** Refuse every command that changes the shared folder. */
  readOnly: boolean
  /** A command line must be complete this long after its first byte arrived. */
  lineTimeoutMs: number
  /** Close the connection after this long without traffic while the server waits on the client. */
  idleTimeoutMs: number
  /** Called once the client may run every command (at once on a host without an access code). */
  proven: () => void
  /** One line of the server log. */
  log: (text: string) => void
}

type SessionState =
  /** Between commands: lines are read and run one at a time; input flows. */
  | { kind: 'waiting' }
  /** A command runs; input is paused and anything that still arrives waits in the line reader. */
  | { kind: 'running' }
  /** An accepted upload: raw bytes go to `sink` instead of the line reader. */
  | {
      kind: 'receiving'
      /** Bytes of the upload still to come. */
      left: number
      /** Where the bytes go (the staging file). */
      sink: ByteSink
      /** True while the sink is behind and input is paused for it. */
      blocked: boolean
      /** Ends receive(): without an error once every byte is in, with ConnectionLost otherwise. */
      settle: (err?: Error) => void
    }
  /** A download's raw bytes are leaving; input is paused. */
  | { kind: 'sending' }
  /** The connection is closing or closed: input is dropped, nothing more is run. */
  | {
      kind: 'closed'
      /** Why, for the log ("quit", "idle timeout", "closed by client", …). */
      why: string
    }

type Receiving = Extract<SessionState, { kind: 'receiving' }>

/** Blank lines skipped in one go before other connections get their turn. */
const BLANK_LINES_PER_TURN = 1024

/** Longest reason sent after a status code (a name echoed in it can be long). */
const MAX_DETAIL_CHARS = 500

/** Takes the bytes of a refused `put_f`: read off the connection, kept nowhere. */
const DISCARD: ByteSink = { write: () => true, whenWritable: () => Promise.resolve() }

/**
 * One client connection: reads command lines, runs them strictly one after another, and moves the
 * raw bytes of uploads and downloads with backpressure both ways.
 */
export class Session {
  readonly client: ConnectedClient
  /** The remote IP address, for per-address limits. */
  readonly address: string
  /** Resolves once the socket has closed. */
  readonly closed: Promise<void>
  /**
   * Resolves once the socket has closed and the command it was running has ended: a cut upload
   * goes on keeping what arrived after its connection closed.
   */
  readonly done: Promise<void>
  /** The command running, if any. */
  private running: Promise<void> | undefined
  private state: SessionState = { kind: 'waiting' }
  private readonly reader = new LineReader(MAX_LINE_BYTES)
  private readonly out: SocketWriter
  /** The client has sent its last byte (FIN): run what is buffered, then close. */
  private inputEnded = false
  /** The server is shutting down: answer the command in progress, then close. */
  private draining = false
  private readonly context: CommandContext
  /**
   * The hash of the grant whose code was given, looked up again at each command: the host may
   * change the grant's role or buckets, or revoke it, while the client is connected.
   */
  private grantKey: string | undefined
  /** The grant's label for the log, as of the latest command (empty on a host without codes). */
  private label = ''
  /** Closes a connection that started a command line and never finished it. */
  private lineTimer: NodeJS.Timeout | undefined
  /**
   * Raw bytes that followed the running command's line at once (`put_f`) and that nothing has
   * taken yet: the handler takes them, or they are discarded before the next command is read.
   */
  private following: number | undefined

  constructor(
    private readonly socket: Socket,
    id: number,
    private readonly options: SessionOptions,
  ) {
    this.client = { id, remote: remoteOf(socket), connectedAt: Date.now() }
    this.address = addressOf(socket)
    this.out = new SocketWriter(socket)
    if (!options.gate.grants.protected) options.proven()
    const address = this.address.replace(/^::ffff:(?=\d+\.)/, '')
    // Read at each use: a command sees the grant as the host has it when the command runs.
    const grant = (): Grant => this.grant() ?? OPEN_GRANT
    this.context = {
      store: options.store,
      authenticate: (code) => this.authenticate(code),
      get grant() {
        return grant()
      },
      get actor() {
        return { label: grant().label, address }
      },
      mayRun: (verb) => mayRun(verb, this.grant(), options.readOnly),
      log: (text) => this.log(text),
      write: (line) => this.out.line(line),
      receive: (size, sink) => this.receive(size, sink),
      transmit: (source, size, known) => this.transmit(source, size, known),
    }
    socket.setTimeout(options.idleTimeoutMs)
    lendReads(socket, (bytes) => this.onData(bytes))
    socket.on('end', () => this.onEnd())
    socket.on('timeout', () => this.onTimeout())
    // 'close' always follows; handling 'error' keeps a reset from becoming an uncaught exception.
    socket.on('error', (err: NodeJS.ErrnoException) => this.finish(`error ${err.code ?? err.name}`))
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.finish('closed by client')
        this.log(`disconnected (${this.state.kind === 'closed' ? this.state.why : ''})`)
        resolve()
      }),
    )
    this.done = this.closed.then(() => this.running)
    this.log('connected')
    // Accepted paused (nothing is read before a connection is admitted): waiting, input flows.
    socket.resume()
  }

  /** Lets the command in progress finish and be answered, then closes. */
  shutdown(): void {
    this.draining = true
    if (this.state.kind === 'waiting') this.close('server closing')
  }

  /** Closes at once, whatever is in progress. */
  destroy(): void {
    this.finish('server closed')
    this.socket.destroy()
  }

  /** Received bytes, lent for this call only (see lendReads): what is kept is copied. */
  private onData(chunk: Buffer): void {
    arrived(chunk.length)
    const state = this.state
    switch (state.kind) {
      case 'waiting':
        this.reader.push(Buffer.from(chunk))
        this.pump()
        return
      case 'running':
      case 'sending':
        this.reader.push(Buffer.from(chunk))
        return
      case 'receiving':
        this.feed(state, chunk)
        return
      case 'closed':
        return
      default:
        return unreachable(state)
    }
  }

  private onEnd(): void {
    this.inputEnded = true
    if (this.state.kind === 'waiting') this.pump()
    else if (this.state.kind === 'receiving') this.close('closed by client during an upload')
  }

  private onTimeout(): void {
    const state = this.state
    // A command busy on its own (e.g. deleting a large bucket) is not waiting on the client.
    if (state.kind === 'running' && !this.out.blocked) return
    this.finish('idle timeout')
    this.socket.destroy()
  }

  /**
   * Runs the next buffered command, if any; otherwise waits for more input. Blank lines are
   * skipped in a loop, never by recursion, and a long run of them yields to other connections
   * every BLANK_LINES_PER_TURN lines.
   */
  private pump(): void {
    if (this.state.kind !== 'waiting') return
    if (this.draining) return this.close('server closing')
    for (let skipped = 0; ; skipped++) {
      this.reader.skipBlankLines()
      const event = this.reader.next()
      if (!event) break
      clearTimeout(this.lineTimer)
      this.lineTimer = undefined
      const request = parseRequest(event)
      if (request.kind !== 'blank') {
        this.state = { kind: 'running' }
        this.socket.pause()
        const running = this.run(request)
          .catch((err: unknown) => this.fail(err))
          .finally(() => {
            if (this.running === running) this.running = undefined
          })
        this.running = running
        return
      }
      if (skipped === BLANK_LINES_PER_TURN) {
        this.state = { kind: 'running' }
        this.socket.pause()
        setImmediate(() => this.next())
        return
      }
    }
    if (this.inputEnded) this.close('closed by client')
    else {
      if (this.reader.midLine && !this.lineTimer)
        this.lineTimer = setTimeout(
          () => this.close('command line not finished in time'),
          this.options.lineTimeoutMs,
        )
      this.socket.resume()
    }
  }

  private async run(request: Exclude<Request, { kind: 'blank' }>): Promise<void> {
    let outcome: Outcome
    const spec: CommandSpec | undefined =
      request.kind === 'command' ? COMMANDS[request.verb] : undefined
    const withdrawn = this.grantKey !== undefined && this.grant() === undefined
    if (withdrawn) {
      this.grantKey = undefined
      this.log('access withdrawn by the host')
    }
    const grant = this.grant()
    this.label = this.options.gate.grants.protected ? (grant?.label ?? '') : ''
    const refused =
      request.kind === 'command' && grant
        ? refusal(request.verb, request.args, grant, this.options.readOnly)
        : undefined
    if (request.kind === 'command') this.following = request.bytes
    if (request.kind === 'bad') {
      outcome = { code: request.code ?? 400, detail: request.detail }
    } else if (!grant && !spec?.open) {
      outcome = {
        code: 1150,
        detail: withdrawn
          ? 'access code withdrawn by the host: auth <access code>'
          : 'access code required: auth <access code>',
      }
    } else if (refused) {
      outcome = { code: spec?.failure ?? 400, detail: refused }
    } else {
      try {
        outcome = await HANDLERS[request.verb](request.args as never, this.context)
      } catch (err) {
        if (err instanceof ConnectionLost || this.isClosed())
          return this.log(`${request.label} -> no answer, connection closed`)
        const failure = failureOf(request.verb, err)
        if (failure.internal) this.log(`${request.label} failed: ${failure.internal}`)
        outcome = failure
      }
    }
    // A reason is text for people: cut so that the status line always fits the line limit.
    const status = formatStatus(outcome.code, outcome.detail?.slice(0, MAX_DETAIL_CHARS))
    try {
      // A refused put_f's bytes are still on their way: the next command starts after them.
      const untaken = this.following ?? 0
      this.following = undefined
      if (untaken > 0) await this.take(untaken, DISCARD)
      await this.out.line(status)
      await this.out.flush()
    } catch {
      return this.log(`${request.label} -> no answer, connection closed`)
    }
    // A poll that found its answer is not news: the log keeps what people and changes did.
    if (!(spec?.quiet && outcome.code === spec.success))
      this.log(`${request.label} -> ${status}${outcome.note ? `, ${outcome.note}` : ''}`)
    if (outcome.close) return this.close('quit')
    if (request.kind === 'bad' && request.adrift)
      return this.close('raw bytes of unknown length followed a bad line')
    this.next()
  }

  /** A fault of the server itself: the session cannot know where it stands, so it ends. */
  private fail(err: unknown): void {
    this.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    this.finish('internal error')
    this.socket.destroy()
  }

  /** Back to reading commands, unless the connection closed meanwhile. */
  private next(): void {
    if (this.isClosed()) return
    this.state = { kind: 'waiting' }
    this.pump()
  }

  /**
   * An upload's bytes: after `-> ready`, or at once when they followed the line (`put_f`, whose
   * bytes are all of its size).
   */
  private async receive(size: number, sink: ByteSink): Promise<void> {
    if (this.following === undefined) {
      await this.out.line(formatReady(size))
      await this.out.flush()
    } else this.following = undefined
    await this.take(size, sink)
  }

  /** Hands exactly `size` raw bytes from the client to `sink`, those already buffered first. */
  private async take(size: number, sink: ByteSink): Promise<void> {
    if (size === 0) return
    if (this.state.kind !== 'running') throw new ConnectionLost()
    await new Promise<void>((resolve, reject) => {
      const state: Receiving = {
        kind: 'receiving',
        left: size,
        sink,
        blocked: false,
        settle: (err) => (err ? reject(err) : resolve()),
      }
      this.state = state
      // A pipelining client may have sent the first bytes together with the command line.
      const early = this.reader.takeRest()
      if (early.length > 0) this.feed(state, early)
      if (this.state !== state || state.blocked) return
      if (this.inputEnded) this.close('closed by client during an upload')
      else this.socket.resume()
    })
  }

  private feed(state: Receiving, chunk: Uint8Array): void {
    const take = Math.min(state.left, chunk.length)
    state.left -= take
    const writable = state.sink.write(chunk.subarray(0, take))
    if (state.left === 0) {
      // Whatever follows the upload's bytes is the next command.
      this.reader.push(Buffer.from(chunk.subarray(take)))
      this.state = { kind: 'running' }
      this.socket.pause()
      state.settle()
    } else if (!writable && !state.blocked) {
      state.blocked = true
      this.socket.pause()
      void state.sink.whenWritable().then(() => {
        state.blocked = false
        if (this.state === state) this.socket.resume()
      })
    }
  }

  private async transmit(
    source: AsyncIterable<Uint8Array>,
    size: number,
    known?: string | Hash,
  ): Promise<string> {
    await this.out.line(formatSize(size))
    await this.out.flush()
    if (this.state.kind !== 'running') throw new ConnectionLost()
    this.state = { kind: 'sending' }
    const hash = typeof known === 'object' ? known : createHash('sha256')
    const digest = typeof known === 'string' ? known : undefined
    let left = size
    try {
      for await (const chunk of source) {
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk
        if (digest === undefined) hash.update(part)
        left -= part.length
        await this.out.bytes(part)
        if (left === 0) break
      }
    } catch (err) {
      if (err instanceof ConnectionLost) throw err
      const cause = toStoreError(err, 'file')
      throw this.cut(cause instanceof StoreError ? cause.reason : 'internal error')
    }
    if (left > 0) throw this.cut('file shrank while being sent')
    if (this.state.kind !== 'sending') throw new ConnectionLost()
    this.state = { kind: 'running' }
    return digest ?? hash.digest('hex')
  }

  /** A download that cannot deliver its announced bytes: closing is the only honest signal left. */
  private cut(why: string): ConnectionLost {
    this.close(`download failed: ${why}`)
    return new ConnectionLost()
  }

  /** Closes after what was written has been sent. */
  private close(why: string): void {
    if (this.state.kind === 'closed') return
    this.finish(why)
    // Keep reading (and dropping) so the client's own close is noticed.
    this.socket.resume()
    this.socket.destroySoon()
  }

  private async authenticate(code: string): Promise<AccessCheck> {
    const check = await this.options.gate.check(this.address, code)
    if (check.ok) {
      this.grantKey = check.grant?.hash
      this.label = check.grant?.label ?? ''
      this.options.proven()
    } else this.log(`access refused: ${check.reason}`)
    return check
  }

  /** What the session may do now: undefined before a code was given on a host that wants one. */
  private grant(): Grant | undefined {
    const grants = this.options.gate.grants
    if (!grants.protected) return OPEN_GRANT
    return this.grantKey === undefined ? undefined : grants.find(this.grantKey)
  }

  /** Enters the closed state once; the first reason is the one logged. */
  private finish(why: string): void {
    const state = this.state
    if (state.kind === 'closed') return
    clearTimeout(this.lineTimer)
    this.state = { kind: 'closed', why }
    if (state.kind === 'receiving') state.settle(new ConnectionLost())
  }

  /** A method, not a field test, because the state changes while commands await. */
  private isClosed(): boolean {
    return this.state.kind === 'closed'
  }

  /** Every line names the client and, once a code was given, the grant's label. */
  private log(text: string): void {
    const label = this.label ? ` [${printable(this.label, 60)}]` : ''
    this.options.log(`${this.client.remote}${label} ${text}`)
  }
}

/** The remote IP address, the same for an IPv4 client whether or not it arrives IPv4-mapped. */
export function addressOf(socket: Socket): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '')
}

/** "ip:port" of the client, with brackets for IPv6 and without the IPv4-mapped prefix. */
export function remoteOf(socket: Socket): string {
  const address = addressOf(socket) || 'unknown'
  return hostPort(address, socket.remotePort ?? 0)
}

function unreachable(value: never): never {
  throw new Error(`unexpected state ${JSON.stringify(value)}`)
}
