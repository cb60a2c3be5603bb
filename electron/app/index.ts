import type { Envelope, EventName, Events, TransferInfo } from '../../shared/ipc.js'
import type { Handover } from './browser-bytes.js'
import { dispatch } from './dispatch.js'
import { AppEvents } from './events.js'
import { createHandlers, type Handlers } from './handlers.js'
import { createServices, type Services, type ServicesOptions } from './services.js'

/**
 * Everything the app does, without Electron: the transports (Electron IPC, the browser bridge)
 * only carry `invoke` calls in and events out.
 */
export class AppCore {
  private readonly services: Services
  private readonly events = new AppEvents()
  private readonly handlers: Handlers

  constructor(options: ServicesOptions) {
    this.events.setMaxListeners(100)
    this.services = createServices(options, (event, payload) =>
      this.events.emit(event, ...([payload] as never)),
    )
    this.handlers = createHandlers(this.services)
  }

  /** Runs a request from the renderer; never throws. */
  invoke(request: unknown, args: unknown): Promise<Envelope<unknown>> {
    return dispatch(this.handlers, request, args)
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const typed = listener as (...args: unknown[]) => void
    this.events.on(event, typed as never)
    return () => this.events.off(event, typed as never)
  }

  /**
   * Browser mode: gives transfer `id` (its file number `file`, for a tree) the page's request
   * carrying its bytes. Resolves with the transfer's final row, or null once a tree's file is done
   * with while the tree goes on; undefined when no transfer waits for this request (any more).
   */
  handOver(
    id: string,
    handover: Handover,
    file?: number,
  ): Promise<TransferInfo | null> | undefined {
    const settled = this.services.transfers.attempt(id)
    const handed = settled && this.services.browserBytes?.hand(id, handover, file)
    if (!settled || !handed) return undefined
    const end = settled.then((end) => end.info)
    // A tree's file is done with its own bytes, while the tree goes on.
    return file === undefined ? end : Promise.race([end, handed.then(() => null)])
  }

  /**
   * Browser mode: the page wrote file `file` of tree download `id` into its chosen folder (`ok`),
   * or could not; false when no such file waits for it.
   */
  wrote(id: string, file: number, ok: boolean): boolean {
    return this.services.browserBytes?.wrote(id, file, ok) ?? false
  }

  /**
   * Browser mode: the page dropped the request carrying transfer `id`'s bytes (the person
   * cancelled the browser's download): a cancel, unless the app stopped the transfer itself.
   */
  dropped(id: string): void {
    this.services.transfers.dropped(id)
  }

  /** Stops transfers (kept in the queue for the next start), says goodbye to the peer and stops hosting. */
  async shutdown(): Promise<void> {
    await this.services.transfers.suspend()
    await this.services.connection.disconnect()
    await this.services.host.stop()
    await this.services.discovery.stop()
  }
}

export { bridgeErrorOf } from './errors.js'
export type { ServicesOptions } from './services.js'
export type { KeepAwake } from './awake.js'
export type { Handover } from './browser-bytes.js'
