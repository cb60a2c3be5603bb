import type { HostOptions, HostStatus } from '../../shared/ipc.js'
import { reachableAddresses, startServer, type BucketServer } from '../server/index.js'
import { AppError } from './errors.js'
import type { Emit } from './events.js'
import type { SettingsStore } from './settings.js'

/** Hosting a folder: at most one server, started and stopped from the app. */
export class HostService {
  private server: BucketServer | undefined
  private last: Pick<HostStatus, 'root' | 'port' | 'exposure'> = {
    root: null,
    port: null,
    exposure: 'loopback',
  }
  private error: string | undefined

  constructor(
    private readonly emit: Emit,
    private readonly settings: SettingsStore,
  ) {}

  status(): HostStatus {
    const server = this.server
    return {
      running: server !== undefined,
      ...this.last,
      addresses: server ? reachableAddresses(server.host, server.port) : [],
      clients: server?.clients() ?? [],
      ...(this.error ? { error: this.error } : {}),
    }
  }

  async start(options: HostOptions): Promise<HostStatus> {
    await this.stop()
    const host = options.exposure === 'network' ? '0.0.0.0' : '127.0.0.1'
    this.last = { root: options.root, port: options.port, exposure: options.exposure }
    try {
      const server = await startServer({ root: options.root, port: options.port, host })
      server.on('log', (line) => this.emit('host:log', line))
      server.on('clients', () => this.publish())
      this.server = server
      this.last.root = server.root
      this.error = undefined
      this.settings.rememberHost(server.root, options.port, options.exposure)
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
