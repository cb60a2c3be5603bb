import { STOPPED_HOST, type HostStatus, type RequestArgs } from '../../shared/ipc.js'
import { Announcer, discoveryOff, hostInvite } from '../discovery/index.js'
import {
  generateAccessCode,
  loadOrCreateIdentity,
  PROTOCOL_VERSION,
  reachableAddresses,
  startServer,
  type BucketServer,
} from '../server/index.js'
import { AppError } from './errors.js'
import type { Emit } from './events.js'
import type { SettingsStore } from './settings.js'

/** Hosting a folder: at most one server, started and stopped from the app. */
export class HostService {
  private server: BucketServer | undefined
  /** Announces the host nearby while it listens on the network. */
  private announcer: Announcer | undefined
  /** The settings of the last start, shown while running and after a stop or a failure. */
  private last: Partial<HostStatus> = {}
  private error: string | undefined

  constructor(
    private readonly emit: Emit,
    private readonly settings: SettingsStore,
    /** Where the TLS certificate is kept (the app's data folder). */
    private readonly dataDir: string,
  ) {}

  status(): HostStatus {
    const server = this.server
    const fingerprint = this.last.fingerprint ?? null
    return {
      ...STOPPED_HOST,
      displayName: this.settings.get().displayName,
      ...this.last,
      running: server !== undefined,
      addresses: server ? reachableAddresses(server.host, server.port) : [],
      clients: server?.clients() ?? [],
      announced: this.announcer !== undefined,
      invite:
        server && fingerprint
          ? hostInvite({
              host: server.host,
              port: server.port,
              fingerprint,
              accessCode: this.last.accessCode ?? null,
            })
          : null,
      ...(this.error ? { error: this.error } : {}),
    }
  }

  /** The port this app hosts on, while it does. */
  get port(): number | null {
    return this.server?.port ?? null
  }

  async start(options: RequestArgs<'host:start'>): Promise<HostStatus> {
    await this.stop()
    const host = options.exposure === 'network' ? '0.0.0.0' : '127.0.0.1'
    const requireCode = options.requireCode ?? options.exposure === 'network'
    const accessCode = requireCode
      ? (options.accessCode ?? this.settings.get().accessCode ?? generateAccessCode())
      : null
    const displayName = options.displayName ?? this.settings.get().displayName
    try {
      const identity = options.encrypted ? await loadOrCreateIdentity(this.dataDir) : undefined
      this.last = {
        root: options.root,
        port: options.port,
        exposure: options.exposure,
        encrypted: options.encrypted,
        fingerprint: identity?.fingerprint ?? null,
        accessCode,
        readOnly: options.readOnly,
        displayName,
      }
      const server = await startServer({
        root: options.root,
        port: options.port,
        host,
        readOnly: options.readOnly,
        ...(accessCode ? { accessCode } : {}),
        ...(identity ? { tls: identity } : {}),
      })
      server.on('log', (line) => this.emit('host:log', line))
      server.on('clients', () => this.publish())
      this.server = server
      this.last.root = server.root
      this.error = undefined
      // Only a host on the network is announced: nobody nearby could reach a loopback one.
      if (options.exposure === 'network' && !discoveryOff()) {
        this.announcer = new Announcer({
          displayName,
          port: server.port,
          fingerprint: identity?.fingerprint ?? null,
          codeRequired: accessCode !== null,
          protocolVersion: PROTOCOL_VERSION,
        })
        this.announcer.start()
      }
      this.settings.rememberHost({
        lastFolder: server.root,
        lastPort: options.port,
        exposure: options.exposure,
        encrypted: options.encrypted,
        requireCode,
        // Kept when not required, so turning the requirement back on brings the same code.
        accessCode: accessCode ?? this.settings.get().accessCode,
        readOnly: options.readOnly,
        displayName,
      })
    } catch (err) {
      this.error = (err as Error).message
      this.publish()
      throw new AppError('INVALID_ARGUMENT', this.error)
    }
    return this.publish()
  }

  async stop(): Promise<HostStatus> {
    const server = this.server
    // The goodbye goes first, so browsers drop this host at once.
    const announcer = this.announcer
    this.announcer = undefined
    await announcer?.stop()
    if (server) {
      this.server = undefined
      await server.close()
    }
    return this.publish()
  }

  private publish(): HostStatus {
    const status = this.status()
    this.emit('host:status', status)
    return status
  }
}
