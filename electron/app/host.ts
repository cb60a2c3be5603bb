import { STOPPED_HOST, type HostStatus, type RequestArgs } from '../../shared/ipc.js'
import {
  generateAccessCode,
  loadOrCreateIdentity,
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
    return {
      ...STOPPED_HOST,
      ...this.last,
      running: server !== undefined,
      addresses: server ? reachableAddresses(server.host, server.port) : [],
      clients: server?.clients() ?? [],
      ...(this.error ? { error: this.error } : {}),
    }
  }

  async start(options: RequestArgs<'host:start'>): Promise<HostStatus> {
    await this.stop()
    const host = options.exposure === 'network' ? '0.0.0.0' : '127.0.0.1'
    const requireCode = options.requireCode ?? options.exposure === 'network'
    const accessCode = requireCode
      ? (options.accessCode ?? this.settings.get().accessCode ?? generateAccessCode())
      : null
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
      this.settings.rememberHost({
        lastFolder: server.root,
        lastPort: options.port,
        exposure: options.exposure,
        encrypted: options.encrypted,
        requireCode,
        // Kept when not required, so turning the requirement back on brings the same code.
        accessCode: accessCode ?? this.settings.get().accessCode,
        readOnly: options.readOnly,
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
