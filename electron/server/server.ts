import { EventEmitter } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'
import type { ConnectedClient, LogLine } from '../../shared/hosting.js'
import { DEFAULT_PORT, hostPort } from '../../shared/address.js'
import { formatStatus } from '../../shared/protocol/index.js'
import {
  DEFAULT_TRASH,
  openFolderStore,
  SetupError,
  StoreError,
  type Store,
  type TrashBin,
} from '../storage/index.js'
import { isS3Address } from '../storage/s3/location.js'
import { S3Store, type S3Options } from '../storage/s3/store.js'
import { AccessGate } from './access.js'
import { connectionEnded, findTrim } from './allocator.js'
import { ConnectionBudget, type ConnectionLimits, type Slot } from './budget.js'
import { GrantTable, hashAll, newSalt, type GrantWithCode, type StoredGrant } from './grants.js'
import { addressOf, remoteOf, Session } from './session.js'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000
/** Connections at once, in total and from one address: enough for a household, not for a flood. */
export const DEFAULT_MAX_CONNECTIONS = 256
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32
/**
 * Connections at once that have not given the access code yet (or not finished their TLS
 * handshake), in total and from one address: a client's pool opens a few at once.
 */
export const DEFAULT_MAX_UNPROVEN = 64
export const DEFAULT_MAX_UNPROVEN_PER_ADDRESS = 16
/**
 * A refused connection is closed this long after it was accepted, whatever its peer does: time
 * enough to finish a TLS handshake and read the one refusal line.
 */
export const REFUSAL_MS = 2_000
/** Refusals in progress at once; beyond them a connection is closed at once, without a line. */
const MAX_REFUSING = 64
/** Time to finish typing a command line once it has started (generous for a person at `nc`). */
export const DEFAULT_LINE_TIMEOUT_MS = 60_000
const SOCKET_BUFFER_BYTES = 1024 * 1024
/** A TLS handshake must be over by then. */
const HANDSHAKE_TIMEOUT_MS = 10_000
/** How long close() lets commands in progress finish before cutting their connections. */
export const CLOSE_GRACE_MS = 2_000

export interface ServerOptions {
  /** The shared folder (every sub-folder is a bucket), or an object store's `s3://bucket/prefix`. */
  root: string
  /** How to reach the object store, when `root` is an `s3://` address. */
  s3?: S3Options
  /** 0 picks a free port. */
  port?: number
  host?: string
  /** A connection that makes the server wait this long (for a command or transfer bytes) is closed. */
  idleTimeoutMs?: number
  /**
   * When set, clients must give it (`auth <code>`) before any bucket or file command; it may do
   * everything (a `full` grant labelled "access code").
   */
  accessCode?: string
  /** Further access codes, each with its label, role and buckets. */
  grants?: readonly GrantWithCode[]
  /** Grants kept hashed (the app's settings), with the salt of their hashes. */
  storedGrants?: { salt: string; grants: readonly StoredGrant[] }
  /** Days deleted and replaced files are kept in the trash (default 30); 0: no trash. */
  trashDays?: number
  /** The trash is kept under this many bytes, oldest entries dropped first. */
  trashMaxBytes?: number
  /** Clients may list and download, nothing else. */
  readOnly?: boolean
  maxConnections?: number
  maxConnectionsPerAddress?: number
  /** Connections at once that have not given the access code or finished their TLS handshake. */
  maxUnproven?: number
  maxUnprovenPerAddress?: number
  lineTimeoutMs?: number
  /** Speak TLS with this identity (see identity.ts); plain TCP without it. */
  tls?: { key: string; cert: string }
  /** How long a cut upload's bytes are kept for a later upload to continue (default 24 h). */
  keepPartialsMs?: number
  /** Kept uploads take at most this many bytes together, the oldest dropped first (64 GiB). */
  maxPartialBytes?: number
}

/** The options a running server applies to each connection. */
interface Limits {
  idleTimeoutMs: number
  lineTimeoutMs: number
  connections: ConnectionLimits
  readOnly: boolean
  gate: AccessGate
}

export interface BucketServerEvents {
  /** One line per connection opened or closed and per command answered. */
  log: [LogLine]
  /** The connected clients, whenever one connects or disconnects. */
  clients: [ConnectedClient[]]
}

/** Why a TLS handshake failed, for the host's log. */
function handshakeFailure(err: NodeJS.ErrnoException): string {
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'gave no TLS handshake in time'
  if (err.code === 'ECONNRESET') return 'hung up during the TLS handshake'
  return 'did not start with a TLS handshake (plain text at an encrypted port? clients need TLS)'
}

/** A running bucket server. Create it with startServer(). */
export class BucketServer extends EventEmitter<BucketServerEvents> {
  private readonly listener: net.Server
  private readonly sessions = new Set<Session>()
  /** Sessions open, or closed with a command still running. */
  private readonly unfinished = new Set<Session>()
  private readonly sockets = new Set<net.Socket>()
  private readonly budget: ConnectionBudget
  /** Slots of the TCP connections accepted, by remote endpoint, until their TLS handshake is over. */
  private readonly handshaking = new Map<string, Slot>()
  /** TCP connections being refused, by remote endpoint. */
  private readonly refusing = new Map<string, { reason: string }>()
  private nextId = 1
  private closing: Promise<void> | undefined
  /** Whether connections use TLS. */
  readonly encrypted: boolean
  private boundPort = 0

  constructor(
    private readonly store: Store,
    readonly host: string,
    private readonly limits: Limits,
    identity?: { key: string; cert: string },
  ) {
    super()
    void findTrim()
    this.budget = new ConnectionBudget(limits.connections)
    // Large socket buffers: with Node's 16 KiB default, transfers move about half as fast.
    // Paused: nothing is read from a connection before it was admitted (refusals never are).
    const options = {
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: SOCKET_BUFFER_BYTES,
      pauseOnConnect: true,
    }
    this.encrypted = identity !== undefined
    this.listener = identity
      ? tls.createServer(
          {
            ...options,
            key: identity.key,
            cert: identity.cert,
            minVersion: 'TLSv1.3',
            handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          },
          (socket) => this.secured(socket),
        )
      : net.createServer(options)
    // A failed handshake (e.g. someone typing plain text at a TLS port) concerns that client only;
    // the host still learns of it, since that person sees only a closed connection.
    this.listener.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
      this.log(`${remoteOf(socket)} ${handshakeFailure(err)}; closed`)
      socket.destroy()
    })
    // Every TCP connection, handshake or not: counted from here, and ended by close().
    this.listener.on('connection', (socket: net.Socket) => this.accept(socket))
    // After listening, errors are about single connections (e.g. out of file descriptors).
    this.listener.on('error', (err: NodeJS.ErrnoException) => this.log(`server error ${err.code}`))
  }

  /** Where the buckets rest, as given: a folder (absolute) or an `s3://` address. */
  get root(): string {
    return this.store.location
  }

  /** The port listened on (the chosen one when started with port 0). */
  get port(): number {
    return this.boundPort
  }

  clients(): ConnectedClient[] {
    return [...this.sessions].map((s) => s.client)
  }

  /** Listens; fails with a message fit to show a person. */
  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void => reject(listenError(err, this.host, port))
      this.listener.once('error', fail)
      this.listener.listen(port, this.host, () => {
        this.listener.off('error', fail)
        resolve()
      })
    })
    this.boundPort = (this.listener.address() as net.AddressInfo).port
  }

  /**
   * Stops accepting connections, lets commands in progress finish and be answered (for at most
   * CLOSE_GRACE_MS), then closes every connection. Resolves once all are closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.listener.close(() => resolve()))
    const sessions = [...this.sessions]
    for (const session of sessions) session.shutdown()
    const cut = setTimeout(() => sessions.forEach((s) => s.destroy()), CLOSE_GRACE_MS)
    await Promise.all(sessions.map((s) => s.closed))
    clearTimeout(cut)
    // Commands still running on closed connections (a cut upload keeping what arrived) end
    // before the store closes, within the same grace.
    await settledWithin(
      [...this.unfinished].map((s) => s.done),
      CLOSE_GRACE_MS,
    )
    // What is left never became a session (e.g. a TLS handshake given up half way).
    for (const socket of this.sockets) socket.destroy()
    await stopped
    await this.store.close()
  }

  /** Whether clients must give an access code. */
  get protected(): boolean {
    return this.limits.gate.grants.protected
  }

  /** The access codes (hashed) and what each may do; replace() applies at clients' next command. */
  get grants(): GrantTable {
    return this.limits.gate.grants
  }

  /** The trash, when the host keeps one. */
  get trash(): TrashBin | undefined {
    return this.store.trash
  }

  /** Puts a trash entry back where it was (a clash is a StoreError, as for restore_f). */
  async restore(id: string): Promise<void> {
    const [record] = this.store.trash?.list((r) => r.id === id) ?? []
    if (!record) throw new StoreError('no such entry in the trash')
    if (record.kind === 'bucket') await this.store.restoreBucket(record.bucket)
    else await this.store.restoreFile(record.bucket, record.file)
  }

  get readOnly(): boolean {
    return this.limits.readOnly
  }

  /** A TCP connection, before any TLS handshake: it takes a slot, or is refused. */
  private accept(socket: net.Socket): void {
    this.sockets.add(socket)
    socket.once('close', () => {
      this.sockets.delete(socket)
      connectionEnded()
    })
    // Whatever happens to a connection, an error on it concerns that connection only.
    socket.on('error', () => undefined)
    const address = addressOf(socket)
    const key = endpointOf(socket)
    const slot = this.budget.admit(address)
    if (typeof slot === 'string') return this.refuse(socket, key, address, slot)
    socket.once('close', () => {
      slot.release()
      if (this.handshaking.get(key) === slot) this.handshaking.delete(key)
    })
    if (this.encrypted) this.handshaking.set(key, slot)
    else this.open(socket, slot)
  }

  /** A TLS connection whose handshake is over. */
  private secured(socket: tls.TLSSocket): void {
    const key = endpointOf(socket)
    const refusal = this.refusing.get(key)
    if (refusal) {
      socket.end(refusalLine(refusal.reason))
      // TLS cannot stop reading records and stay open: what comes is dropped as it comes.
      socket.resume()
      return
    }
    const slot = this.handshaking.get(key)
    this.handshaking.delete(key)
    // A client may hang up between its handshake and this handler.
    if (!slot || socket.destroyed) return void socket.destroy()
    this.open(socket, slot)
  }

  /**
   * Over a limit: the connection gets one status line (after its TLS handshake, if any), nothing
   * it sends is read, and it is destroyed REFUSAL_MS after it was accepted, whatever the peer does.
   */
  private refuse(socket: net.Socket, key: string, address: string, reason: string): void {
    if (this.refusing.size >= MAX_REFUSING) return void socket.destroy()
    const refusal = { reason }
    this.refusing.set(key, refusal)
    const deadline = setTimeout(() => socket.destroy(), REFUSAL_MS)
    socket.once('close', () => {
      clearTimeout(deadline)
      if (this.refusing.get(key) === refusal) this.refusing.delete(key)
    })
    this.log(`${address} refused: ${reason}`)
    // A TLS connection still reads its handshake; its line goes out once that is over (secured).
    if (!this.encrypted) socket.end(refusalLine(reason))
  }

  private open(socket: net.Socket, slot: Slot): void {
    const session = new Session(socket, this.nextId++, {
      store: this.store,
      idleTimeoutMs: this.limits.idleTimeoutMs,
      lineTimeoutMs: this.limits.lineTimeoutMs,
      readOnly: this.limits.readOnly,
      gate: this.limits.gate,
      proven: () => slot.prove(),
      log: (text) => this.log(text),
    })
    this.sessions.add(session)
    this.unfinished.add(session)
    void session.done.then(() => this.unfinished.delete(session))
    this.emit('clients', this.clients())
    void session.closed.then(() => {
      this.sessions.delete(session)
      this.emit('clients', this.clients())
    })
  }

  private log(text: string): void {
    this.emit('log', { time: Date.now(), text })
  }
}

/**
 * Starts a server sharing `options.root`. Rejects when the folder is missing or not a folder, or
 * when the address cannot be listened on.
 */
export async function startServer(options: ServerOptions): Promise<BucketServer> {
  const store = isS3Address(options.root)
    ? await S3Store.open(options.root, options.s3)
    : await openFolderStore(options.root, {
        trash: {
          days: options.trashDays ?? DEFAULT_TRASH.days,
          maxBytes: options.trashMaxBytes ?? DEFAULT_TRASH.maxBytes,
        },
        keep: {
          ...(options.keepPartialsMs === undefined ? {} : { keepMs: options.keepPartialsMs }),
          ...(options.maxPartialBytes === undefined ? {} : { maxBytes: options.maxPartialBytes }),
        },
      })
  const salt = options.storedGrants?.salt ?? newSalt()
  const typed: GrantWithCode[] = [
    ...(options.accessCode
      ? [{ code: options.accessCode, label: 'access code', role: 'full', buckets: 'all' } as const]
      : []),
    ...(options.grants ?? []),
  ]
  const grants = new GrantTable(salt, [
    ...(options.storedGrants?.grants ?? []),
    ...(await hashAll(typed, salt)),
  ])
  const server = new BucketServer(
    store,
    options.host ?? DEFAULT_HOST,
    {
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      lineTimeoutMs: options.lineTimeoutMs ?? DEFAULT_LINE_TIMEOUT_MS,
      connections: {
        total: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        perAddress: options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
        unproven: options.maxUnproven ?? DEFAULT_MAX_UNPROVEN,
        unprovenPerAddress: options.maxUnprovenPerAddress ?? DEFAULT_MAX_UNPROVEN_PER_ADDRESS,
      },
      readOnly: options.readOnly ?? false,
      gate: new AccessGate(grants),
    },
    options.tls,
  )
  try {
    await server.listen(options.port ?? DEFAULT_PORT)
  } catch (err) {
    await store.close()
    throw err
  }
  return server
}

/** The refusal of a connection over a limit. */
function refusalLine(reason: string): string {
  return `${formatStatus(1450, `${reason}; try again later`)}\n`
}

/** Tells a live TCP connection from every other one, through TLS wrapping. */
function endpointOf(socket: net.Socket): string {
  return `${socket.remoteAddress ?? ''} ${socket.remotePort ?? 0}`
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): SetupError {
  const where = hostPort(host, port)
  switch (err.code) {
    case 'EADDRINUSE':
      return new SetupError(`Cannot listen on ${where}: the port is already in use`)
    case 'EACCES':
    case 'EPERM':
      return new SetupError(`Cannot listen on ${where}: permission denied (try a port above 1023)`)
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new SetupError(`Cannot listen on ${where}: ${host} is not an address of this computer`)
    default:
      return new SetupError(`Cannot listen on ${where}: ${err.code ?? err.message}`)
  }
}

/** Waits until every promise has settled, or `ms` have passed. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  await Promise.race([Promise.allSettled(promises), late])
  clearTimeout(timer)
}
