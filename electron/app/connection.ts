import type { ConnectionState, RequestArgs } from '../../shared/ipc.js'
import {
  BucketClient,
  CertificateChangedError,
  CONSOLE_ORIGIN,
  type KnownHosts,
} from '../client/index.js'
import { AppError } from './errors.js'
import type { Emit } from './events.js'
import type { SettingsStore } from './settings.js'
import type { Transcript } from './transcript.js'

/** How long a polite `quit` may take before the connection is simply closed. */
const QUIT_TIMEOUT_MS = 1_000

/** The one connection both tabs talk over. */
export class ConnectionService {
  private client: BucketClient | undefined
  private current: ConnectionState = { status: 'disconnected' }
  /** Counts connection attempts, so a slow, superseded attempt cannot win. */
  private attempt = 0

  constructor(
    private readonly emit: Emit,
    private readonly settings: SettingsStore,
    private readonly knownHosts: KnownHosts,
    private readonly transcript: Transcript,
  ) {}

  state(): ConnectionState {
    return this.current
  }

  /** Connects (closing any previous connection); failures end in a disconnected state with the reason. */
  async connect(request: RequestArgs<'connection:connect'>): Promise<ConnectionState> {
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
      if (attempt !== this.attempt) {
        client.close()
        return this.current
      }
      this.client = client
      client.on('command', (record) => {
        // The console records its own lines, with local failures the client never saw.
        if (record.origin !== CONSOLE_ORIGIN) this.transcript.addRecord(record)
      })
      client.on('close', (err) => {
        if (this.client !== client) return
        this.client = undefined
        this.set({ status: 'disconnected', error: `Connection lost: ${err.message}` })
      })
      this.settings.rememberPeer(peer)
      const fingerprint = client.fingerprint ?? null
      if (fingerprint) this.knownHosts.pin(peer.host, peer.port, fingerprint)
      return this.set({
        status: 'connected',
        ...peer,
        fingerprint,
        firstContact: fingerprint !== null && fingerprint !== pinned,
      })
    } catch (err) {
      if (attempt !== this.attempt) return this.current
      const certificateChanged =
        err instanceof CertificateChangedError
          ? { ...peer, expected: err.expected, actual: err.actual }
          : undefined
      return this.set({
        status: 'disconnected',
        error: (err as Error).message,
        ...(certificateChanged ? { certificateChanged } : {}),
      })
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
    return state
  }
}
