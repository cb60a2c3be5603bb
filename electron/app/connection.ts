import { hostPort } from '../../shared/address.js'
import { shortFingerprint } from '../../shared/fingerprint.js'
import { describeError } from '../../shared/format.js'
import { parseInvite } from '../../shared/invite.js'
import type { ConnectionState, RequestArgs } from '../../shared/ipc.js'
import { verbOf } from '../../shared/protocol/index.js'
import {
  BucketClient,
  CertificateChangedError,
  CONSOLE_ORIGIN,
  ProtocolError,
  TransportError,
  type KnownHosts,
} from '../client/index.js'
import { AppError, bridgeErrorOf } from './errors.js'
import type { Emit } from './events.js'
import type { QueuedPeer } from './queue-file.js'
import type { SettingsStore } from './settings.js'
import type { Transcript } from './transcript.js'

/** How long a polite `quit` may take before the connection is simply closed. */
const QUIT_TIMEOUT_MS = 1_000
/** A BucketShare server answers `init` at once; something that stays silent is not one. */
const GREETING_TIMEOUT_MS = 5_000

/** The one connection both tabs talk over. */
export class ConnectionService {
  private client: BucketClient | undefined
  private current: ConnectionState = { status: 'disconnected' }
  /** Counts connection attempts, so a slow, superseded attempt cannot win. */
  private attempt = 0
  /** The access code last given to a peer (host:port), in memory only: for `reconnect`. */
  private code: { peer: string; code: string } | undefined
  private readonly watchers = new Set<(state: ConnectionState) => void>()

  constructor(
    private readonly emit: Emit,
    private readonly settings: SettingsStore,
    private readonly knownHosts: KnownHosts,
    private readonly transcript: Transcript,
  ) {}

  state(): ConnectionState {
    return this.current
  }

  /** Tells `listener` every change of state (the transfer queue waits on its peer); returns an unwatch. */
  watch(listener: (state: ConnectionState) => void): () => void {
    this.watchers.add(listener)
    return () => void this.watchers.delete(listener)
  }

  /**
   * Connects again to a peer connected to before: only with the certificate it had then, and with
   * the access code given to it in this run, if any.
   */
  reconnect(peer: QueuedPeer): Promise<ConnectionState> {
    const key = `${peer.host}:${peer.port}`
    return this.connect({
      host: peer.host,
      port: peer.port,
      encrypted: peer.fingerprint !== null,
      ...(peer.fingerprint ? { trustFingerprint: peer.fingerprint } : {}),
      ...(this.code?.peer === key ? { accessCode: this.code.code } : {}),
    })
  }

  /**
   * Connects with an invite link: only the certificate it names is accepted (in the handshake,
   * before any command), it is pinned without a first-contact question, and its code is given.
   */
  async connectInvite(link: string): Promise<ConnectionState> {
    const parsed = parseInvite(link)
    if (!parsed.ok) {
      await this.disconnect()
      return this.set({ status: 'disconnected', error: parsed.error })
    }
    const { host, port, fingerprint, accessCode } = parsed.invite
    return this.connect(
      { host, port, encrypted: true, trustFingerprint: fingerprint, accessCode },
      true,
    )
  }

  /** Connects (closing any previous connection); failures end in a disconnected state with the reason. */
  async connect(
    request: RequestArgs<'connection:connect'>,
    /** The fingerprint comes from an invite: it is the peer's, no question asked. */
    invited = false,
  ): Promise<ConnectionState> {
    const peer = { host: request.host, port: request.port }
    await this.disconnect()
    const attempt = ++this.attempt
    this.set({ status: 'connecting', ...peer })
    // Trust on first use: a peer's certificate is pinned the first time and must match afterwards.
    const pinned = request.encrypted ? this.knownHosts.get(peer.host, peer.port) : undefined
    const expected = request.trustFingerprint ?? pinned
    try {
      const client = await BucketClient.connect({
        ...peer,
        ...(request.accessCode ? { accessCode: request.accessCode } : {}),
        ...(request.encrypted ? { tls: expected ? { fingerprint: expected } : {} } : {}),
      })
      const needsCode = await greet(client).catch((err: unknown) => {
        client.close()
        throw err
      })
      if (attempt !== this.attempt) {
        client.close()
        return this.current
      }
      this.client = client
      if (request.accessCode)
        this.code = { peer: `${peer.host}:${peer.port}`, code: request.accessCode }
      client.on('command', (record) => {
        // The console records its own lines, with local failures the client never saw.
        if (record.origin !== CONSOLE_ORIGIN) this.transcript.addRecord(record)
        // However the code was given (the prompt or a line typed in the Console), it is in now.
        if (record.response?.status.ok && verbOf(record.line) === 'auth') this.unlock(client)
      })
      client.on('close', (err) => {
        if (this.client !== client) return
        this.client = undefined
        this.set({
          status: 'disconnected',
          error: `Connection lost: ${describeError(bridgeErrorOf(err))}`,
        })
      })
      const fingerprint = client.fingerprint ?? null
      // Known by its certificate: a peer seen before at another address is the same peer.
      const seenBefore = fingerprint ? this.knownHosts.whereSeen(fingerprint) : undefined
      if (fingerprint) this.knownHosts.pin(peer.host, peer.port, fingerprint)
      // Only a peer that spoke the protocol is remembered, with its certificate.
      this.settings.rememberPeer({
        ...peer,
        ...(fingerprint ? { fingerprint } : {}),
        ...(request.name ? { name: request.name } : {}),
      })
      return this.set({
        status: 'connected',
        ...peer,
        fingerprint,
        firstContact: fingerprint !== null && fingerprint !== pinned && !seenBefore && !invited,
        needsCode,
      })
    } catch (err) {
      if (attempt !== this.attempt) return this.current
      if (invited && err instanceof CertificateChangedError)
        return this.set({
          status: 'disconnected',
          error:
            `${peer.host}:${peer.port} presented another certificate than the invite names ` +
            `(${shortFingerprint(err.actual)}); not connecting: it may be another computer ` +
            'pretending to be the host. Ask the host for a new invite.',
        })
      const certificateChanged =
        err instanceof CertificateChangedError
          ? { ...peer, expected: err.expected, actual: err.actual }
          : undefined
      return this.set({
        status: 'disconnected',
        error: describeError(bridgeErrorOf(err)),
        ...(certificateChanged ? { certificateChanged } : {}),
      })
    }
  }

  /** Gives the access code the host asked for; a wrong one fails with 1150 and changes nothing. */
  async authenticate(code: string): Promise<ConnectionState> {
    const client = this.require()
    await client.auth(code)
    this.code = { peer: `${client.host}:${client.port}`, code }
    this.unlock(client)
    return this.current
  }

  private unlock(client: BucketClient): void {
    const current = this.current
    if (this.client === client && current.status === 'connected' && current.needsCode)
      this.set({ ...current, needsCode: false })
  }

  /** The peer's folder version, or null when the peer does not know `changes`. */
  async changes(): Promise<string | null> {
    try {
      return await this.require().changes()
    } catch (err) {
      if (err instanceof ProtocolError && err.code === 400) return null
      throw err
    }
  }

  async disconnect(): Promise<ConnectionState> {
    this.attempt++
    const client = this.client
    this.client = undefined
    if (client) {
      const timer = setTimeout(() => client.close(), QUIT_TIMEOUT_MS)
      await client.quit().catch(() => undefined)
      clearTimeout(timer)
    }
    if (this.current.status !== 'disconnected' || this.current.error)
      this.set({ status: 'disconnected' })
    return this.current
  }

  /** The client, or a clear error when there is none. */
  require(): BucketClient {
    if (!this.client)
      throw new AppError('NOT_CONNECTED', 'Not connected: connect to a server first')
    return this.client
  }

  get connected(): BucketClient | undefined {
    return this.client
  }

  private set(state: ConnectionState): ConnectionState {
    this.current = state
    this.emit('connection:state', state)
    for (const listener of this.watchers) listener(state)
    return state
  }
}

/**
 * Makes sure the peer speaks the bucket protocol (`init`), and learns whether it wants an access
 * code that was not given (`changes` answered 1150). Anything else, such as a web server, fails
 * with a sentence that says so.
 */
async function greet(client: BucketClient): Promise<boolean> {
  const where = hostPort(client.host, client.port)
  const notOurs = (): AppError =>
    new AppError('TRANSPORT', `${where} is not a BucketShare server: it did not answer init`)
  let timer: NodeJS.Timeout | undefined
  const silent = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(notOurs()), GREETING_TIMEOUT_MS)
  })
  try {
    const greeting = await Promise.race([client.init(), silent])
    if (!greeting.startsWith('BucketShare protocol')) throw notOurs()
  } catch (err) {
    if (err instanceof TransportError && err.reason === 'protocol')
      throw new AppError(
        'TRANSPORT',
        `${where} is not a BucketShare server: it answered in another protocol (a web server?)`,
      )
    if (err instanceof ProtocolError) throw notOurs()
    throw err
  } finally {
    clearTimeout(timer)
  }
  try {
    await client.changes()
    return false
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 1150) return true
    // A server older than `changes` answers 400; it lets in whoever gave the code at connect.
    if (err instanceof ProtocolError) return false
    throw err
  }
}
