import type { Readable, Writable } from 'node:stream'
import {
  LocalFileError,
  streamTarget,
  TransportError,
  type DownloadTarget,
  type IncomingFile,
  type UploadSource,
} from '../client/index.js'
import type { Emit } from './events.js'

/** How long a started browser transfer waits for the page to send or fetch its bytes. */
export const BYTES_WAIT_MS = 30_000

/** What the page's HTTP request hands over: a body to upload, or a response to download into. */
export type Handover =
  | { direction: 'upload'; size: number; body: Readable }
  | { direction: 'download'; start: (file: IncomingFile) => Writable }

/**
 * Browser mode: a transfer's bytes travel over an HTTP request of their own, made by the page only
 * when the transfer has its connection (the `transfer:send` event), and taken once by its id. A
 * refused or cancelled transfer therefore never waits on a browser that is still sending, and a
 * request repeated by the browser finds nothing to take.
 */
export class BrowserBytes {
  private readonly waiting = new Map<string, (handover: Handover) => void>()

  constructor(private readonly emit: Emit) {}

  /** The bytes of `id`, `size` of them, from the page's upload request. */
  source(id: string, name: string, size: number): UploadSource {
    return {
      label: name,
      open: async (signal) => {
        const handover = await this.ask(id, signal)
        if (handover.direction !== 'upload' || handover.size !== size)
          throw new LocalFileError(`the browser sent something else than "${name}"`)
        return { size, stream: handover.body }
      },
    }
  }

  /** The page's download request for `id`, answered once the size is known. */
  target(id: string): DownloadTarget {
    let inner: DownloadTarget | undefined
    return {
      open: async (file, signal) => {
        const handover = await this.ask(id, signal)
        if (handover.direction !== 'download')
          throw new LocalFileError(`the browser did not ask for "${file.name}"`)
        inner = streamTarget(handover.start)
        await inner.open(file)
      },
      write: (chunk, release) => inner!.write(chunk, release),
      commit: () => inner!.commit(),
      discard: () => inner?.discard() ?? Promise.resolve(),
    }
  }

  /** Hands the page's request to transfer `id`; false when no transfer waits for it (any more). */
  hand(id: string, handover: Handover): boolean {
    const take = this.waiting.get(id)
    if (!take) return false
    this.waiting.delete(id)
    take(handover)
    return true
  }

  private ask(id: string, signal: AbortSignal | undefined): Promise<Handover> {
    return new Promise((resolve, reject) => {
      const stop = (err: Error): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancel)
        this.waiting.delete(id)
        reject(err)
      }
      const cancel = (): void => stop(new TransportError('cancelled', 'cancelled'))
      const timer = setTimeout(
        () => stop(new LocalFileError('the browser did not send the file (was the page closed?)')),
        BYTES_WAIT_MS,
      )
      if (signal?.aborted) return cancel()
      signal?.addEventListener('abort', cancel, { once: true })
      this.waiting.set(id, (handover) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancel)
        resolve(handover)
      })
      this.emit('transfer:send', { id })
    })
  }
}
