import { randomUUID } from 'node:crypto'
import type { TransferInfo, TransferItem } from '../../shared/ipc.js'
import { isFileResult, runTransfer, type AnyResult, type AnyTransfer } from '../client/index.js'
import type { ConnectionService } from './connection.js'
import { bridgeErrorOf } from './errors.js'
import type { Emit } from './events.js'

/** Files of a tree listed with its transfer: enough to see what moved, never 100,000 over IPC. */
const MAX_ITEMS = 200

/** How a transfer ended: its final row, and the client's result or the error behind a failure. */
export type Settled = { info: TransferInfo } & ({ result: AnyResult } | { error: unknown })

export interface StartOptions {
  /** Chosen by the caller when the id must be known before the transfer starts (browser mode). */
  id?: string
  /** Passed on to the client's `command` event (e.g. the console's own origin). */
  origin?: string
  /** Told the exact command line once it is sent. */
  onCommand?: (line: string) => void
}

/**
 * Every transfer of the app, whatever starts it (the GUI with local paths, the browser with bytes
 * over HTTP, a Console-tab line): one `start`, one set of `transfer:update` events, one cancel, and
 * the client's concurrency for all.
 */
export class TransfersService {
  private readonly running = new Map<
    string,
    { controller: AbortController; settled: Promise<Settled> }
  >()

  constructor(
    private readonly emit: Emit,
    private readonly connection: ConnectionService,
  ) {}

  /** Starts a transfer and returns its row at once; `settled` tells how it ended. */
  start(
    spec: AnyTransfer,
    options: StartOptions = {},
  ): { info: TransferInfo; settled: Promise<Settled> } {
    const client = this.connection.require()
    const info: TransferInfo = {
      id: options.id ?? randomUUID(),
      direction: spec.direction,
      bucket: spec.bucket,
      name: spec.name,
      bytes: 0,
      total: 0,
      rate: 0,
      state: 'running',
    }
    const controller = new AbortController()
    this.emit('transfer:update', info)
    // A tree's progress also counts whole files, and lists the latest of them as they end.
    let files: Pick<TransferInfo, 'files' | 'filesTotal'> = {}
    let items: TransferItem[] = []
    const tree = (): Pick<TransferInfo, 'items'> => (items.length > 0 ? { items } : {})
    const settled = runTransfer(client, spec, {
      signal: controller.signal,
      onFile: (item) => {
        items = [...items, item]
        if (items.length <= MAX_ITEMS) return
        const dropped = items.findIndex((i) => i.state === 'done')
        items = items.filter((_, n) => n !== (dropped < 0 ? 0 : dropped))
      },
      onProgress: (p) => {
        if ('files' in p) files = { files: p.files, filesTotal: p.filesTotal }
        this.emit('transfer:update', {
          ...info,
          ...files,
          ...tree(),
          bytes: p.bytes,
          total: p.total,
          rate: p.rate,
        })
      },
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.onCommand ? { onCommand: options.onCommand } : {}),
    })
      .then(
        (result): Settled => {
          const size = isFileResult(result) ? result.size : result.bytes
          const sha256 = isFileResult(result) ? { sha256: result.sha256 } : {}
          return {
            info: {
              ...info,
              ...files,
              ...tree(),
              bytes: size,
              total: size,
              state: 'done',
              ...sha256,
            },
            result,
          }
        },
        (error: unknown): Settled => ({
          info: controller.signal.aborted
            ? { ...info, ...files, ...tree(), state: 'cancelled' }
            : {
                ...info,
                ...files,
                ...tree(),
                state: 'failed',
                error: bridgeErrorOf(error).message,
              },
          error,
        }),
      )
      .then((end) => {
        this.running.delete(info.id)
        this.emit('transfer:update', end.info)
        return end
      })
    this.running.set(info.id, { controller, settled })
    return { info, settled }
  }

  /** How a running transfer ends; undefined when there is none with that id. */
  settled(id: string): Promise<Settled> | undefined {
    return this.running.get(id)?.settled
  }

  cancel(id: string): void {
    this.running.get(id)?.controller.abort()
  }

  /** Cancels everything, as the app quits. */
  cancelAll(): void {
    for (const { controller } of this.running.values()) controller.abort()
  }
}
