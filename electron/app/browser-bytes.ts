import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { Events } from '../../shared/ipc.js'
import {
  LocalFileError,
  streamTarget,
  TransportError,
  type DownloadTarget,
  type IncomingFile,
  type TreeSink,
  type UploadSource,
} from '../client/index.js'
import type { Emit } from './events.js'

/** How long a started browser transfer waits for the page to send or fetch its bytes. */
export const BYTES_WAIT_MS = 30_000

/** What the page's HTTP request hands over: a body to upload, or a response to download into. */
export type Handover =
  | { direction: 'upload'; size: number; body: Readable }
  | { direction: 'download'; start: (file: IncomingFile) => Writable }

/** A file of a tree transfer: its number in the tree and its path below the tree's folder. */
export interface TreeFileRef {
  file: number
  path: string
}

/** The key of the bytes of a transfer, or of one file of a tree transfer. */
const keyOf = (id: string, file?: number): string => (file === undefined ? id : `${id}#${file}`)

/**
 * Browser mode: a transfer's bytes travel over an HTTP request of their own, made by the page only
 * when the transfer has its connection (the `transfer:send` event), and taken once by its id (and
 * file number, for a tree's file). A refused or cancelled transfer therefore never waits on a
 * browser that is still sending, and a request repeated by the browser finds nothing to take.
 */
export class BrowserBytes {
  private readonly waiting = new Map<string, (handover: Handover) => void>()
  /** Tree files sent into the page's folder, waiting for the page to say it wrote them. */
  private readonly writing = new Map<string, (ok: boolean) => void>()

  constructor(private readonly emit: Emit) {}

  /** The bytes of `id` (or of its file `ref`), `size` of them, from the page's upload request. */
  source(id: string, name: string, size: number, ref?: TreeFileRef): UploadSource {
    return {
      label: name,
      size: () => Promise.resolve(size),
      open: async (signal) => {
        const handover = await this.ask({ id, ...ref }, signal)
        if (handover.direction !== 'upload' || handover.size !== size)
          throw new LocalFileError(`the browser sent something else than "${name}"`)
        return { size, stream: handover.body }
      },
    }
  }

  /** The page's download request for `id` (or its file `ref`), answered once the size is known. */
  target(id: string, ref?: TreeFileRef): DownloadTarget {
    let inner: DownloadTarget | undefined
    return {
      open: async (file, signal) => {
        const handover = await this.ask({ id, ...ref }, signal)
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

  /**
   * A tree downloaded into the page's chosen folder: the page makes each folder when told, and
   * fetches each file into its place.
   */
  sink(id: string): TreeSink {
    return {
      folder: (parts) => {
        this.emit('transfer:send', { id, folder: parts.join('/') })
        return Promise.resolve()
      },
      file: (parts, file) => {
        const path = parts.join('/')
        const target = this.target(id, { file, path })
        let signal: AbortSignal | undefined
        return Promise.resolve({
          ...target,
          open: (incoming, given) => {
            signal = given
            return target.open(incoming, given)
          },
          // Done once the page has the file in its folder, not once its bytes were sent.
          commit: async () => {
            await this.confirmed(keyOf(id, file), path, () => target.commit(), signal)
            return undefined
          },
        })
      },
    }
  }

  /** The page says whether it wrote file `file` of tree `id`; false when nothing waits for that. */
  wrote(id: string, file: number, ok: boolean): boolean {
    const key = keyOf(id, file)
    const settle = this.writing.get(key)
    this.writing.delete(key)
    settle?.(ok)
    return settle !== undefined
  }

  /**
   * Runs `send` (the file's last bytes go out), then waits for the page to say it wrote the file:
   * at most BYTES_WAIT_MS once they went out, or until `signal` cancels.
   */
  private async confirmed(
    key: string,
    path: string,
    send: () => Promise<unknown>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Listened for before the last bytes go: the page can only answer after them.
    const said = new Promise<boolean | Error>((resolve) => this.writing.set(key, resolve))
    let timer: NodeJS.Timeout | undefined
    let cancelled = (): void => undefined
    const cancel = new Promise<Error>((resolve) => {
      cancelled = () => resolve(new TransportError('cancelled', 'cancelled'))
      if (signal?.aborted) cancelled()
      signal?.addEventListener('abort', cancelled, { once: true })
    })
    try {
      await send()
      const late = new Promise<Error>((resolve) => {
        timer = setTimeout(
          () => resolve(new LocalFileError(`the browser did not say it wrote "${path}"`)),
          BYTES_WAIT_MS,
        )
      })
      const outcome = await Promise.race([said, cancel, late])
      if (outcome instanceof Error) throw outcome
      if (!outcome) throw new LocalFileError(`the browser could not write "${path}"`)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', cancelled)
      this.writing.delete(key)
    }
  }

  /**
   * Hands the page's request to transfer `id` (its file `file`, for a tree); undefined when no
   * transfer waits for it (any more). Resolves once the request's bytes are done with: the body
   * read to its end, or the response closed.
   */
  hand(id: string, handover: Handover, file?: number): Promise<void> | undefined {
    const key = keyOf(id, file)
    const take = this.waiting.get(key)
    if (!take) return undefined
    this.waiting.delete(key)
    let done: Promise<void>
    if (handover.direction === 'upload') done = finished(handover.body).catch(() => undefined)
    else {
      const { start } = handover
      let closed: () => void = () => undefined
      done = new Promise<void>((resolve) => (closed = resolve))
      handover = {
        direction: 'download',
        start: (incoming) => start(incoming).once('close', () => closed()),
      }
    }
    take(handover)
    return done
  }

  private ask(send: Events['transfer:send'], signal: AbortSignal | undefined): Promise<Handover> {
    const key = keyOf(send.id, send.file)
    return new Promise((resolve, reject) => {
      const stop = (err: Error): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancel)
        this.waiting.delete(key)
        reject(err)
      }
      const cancel = (): void => stop(new TransportError('cancelled', 'cancelled'))
      const timer = setTimeout(
        () => stop(new LocalFileError('the browser did not send the file (was the page closed?)')),
        BYTES_WAIT_MS,
      )
      if (signal?.aborted) return cancel()
      signal?.addEventListener('abort', cancel, { once: true })
      this.waiting.set(key, (handover) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancel)
        resolve(handover)
      })
      this.emit('transfer:send', send)
    })
  }
}
