import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { TransferInfo } from '../../shared/ipc.js'
import {
  downloadTree,
  fileSource,
  uploadTree,
  fileTarget,
  streamSource,
  streamTarget,
  type IncomingFile,
  type Progress,
  type TreeProgress,
} from '../client/index.js'
import type { ConnectionService } from './connection.js'
import type { Emit } from './events.js'

/** Moves a file or a tree; ends with the bytes moved and, for one file, their sha256. */
type Work = (
  signal: AbortSignal,
  onProgress: (progress: Progress | TreeProgress) => void,
) => Promise<{ size: number; sha256?: string }>

/** Transfers started from the GUI (or the browser routes): their progress, outcome and cancel. */
export class TransfersService {
  private readonly running = new Map<string, AbortController>()

  constructor(
    private readonly emit: Emit,
    private readonly connection: ConnectionService,
  ) {}

  /**
   * Starts one upload per local path, named `names[i]` or as the file; returns them as they start.
   * A folder is uploaded whole, as one transfer of its tree.
   */
  async upload(bucket: string, paths: string[], names: string[] = []): Promise<TransferInfo[]> {
    const client = this.connection.require()
    const folders = await Promise.all(
      paths.map((p) =>
        fs.stat(p).then(
          (s) => s.isDirectory(),
          () => false,
        ),
      ),
    )
    return paths.map((source, i) => {
      const name = names[i] ?? path.basename(source)
      return this.start('upload', bucket, name, 0, (signal, onProgress) =>
        folders[i]
          ? uploadTree(client, { bucket, name, local: source, signal, onProgress }).then(
              (tree) => ({ size: tree.bytes }),
            )
          : client.upload({ bucket, name, source: fileSource(source), signal, onProgress }),
      ).info
    })
  }

  /** Starts one download per file or folder (named in `folders`), into `dir`. */
  download(bucket: string, names: string[], dir: string, folders: string[] = []): TransferInfo[] {
    const client = this.connection.require()
    const trees = new Set(folders)
    return names.map(
      (name) =>
        this.start('download', bucket, name, 0, (signal, onProgress) =>
          trees.has(name)
            ? downloadTree(client, { bucket, name, local: dir, signal, onProgress }).then(
                (tree) => ({ size: tree.bytes }),
              )
            : client.download({ bucket, name, target: fileTarget(dir), signal, onProgress }),
        ).info,
    )
  }

  /** An upload whose bytes come from a stream of known size (a browser's request body). */
  uploadStream(
    bucket: string,
    name: string,
    size: number,
    stream: Readable,
  ): Promise<TransferInfo> {
    const client = this.connection.require()
    return this.start('upload', bucket, name, size, (signal, onProgress) =>
      client.upload({ bucket, name, source: streamSource(size, stream, name), signal, onProgress }),
    ).done
  }

  /** A download into a stream that learns the size first (a browser's response). */
  downloadStream(
    bucket: string,
    name: string,
    start: (file: IncomingFile) => Writable,
    signal?: AbortSignal,
  ): Promise<TransferInfo> {
    const client = this.connection.require()
    const transfer = this.start('download', bucket, name, 0, (own, onProgress) =>
      client.download({ bucket, name, target: streamTarget(start), signal: own, onProgress }),
    )
    signal?.addEventListener('abort', () => this.cancel(transfer.info.id), { once: true })
    return transfer.done
  }

  /** A transfer run by a Console-tab line: shown and cancellable like the others. */
  follow(
    direction: TransferInfo['direction'],
    bucket: string,
    name: string,
    work: Work,
  ): Promise<TransferInfo> {
    return this.start(direction, bucket, name, 0, work).done
  }

  cancel(id: string): void {
    this.running.get(id)?.abort()
  }

  private start(
    direction: TransferInfo['direction'],
    bucket: string,
    name: string,
    total: number,
    work: Work,
  ): { info: TransferInfo; done: Promise<TransferInfo> } {
    const info: TransferInfo = {
      id: randomUUID(),
      direction,
      bucket,
      name,
      bytes: 0,
      total,
      rate: 0,
      state: 'running',
    }
    const controller = new AbortController()
    this.running.set(info.id, controller)
    this.emit('transfer:update', info)
    let files: Pick<TransferInfo, 'files' | 'filesTotal'> = {}
    const done = work(controller.signal, (p) => {
      if ('files' in p) files = { files: p.files, filesTotal: p.filesTotal }
      this.emit('transfer:update', {
        ...info,
        ...files,
        bytes: p.bytes,
        total: p.total,
        rate: p.rate,
      })
    }).then(
      (result): TransferInfo => ({
        ...info,
        ...files,
        bytes: result.size,
        total: result.size,
        state: 'done',
        ...(result.sha256 ? { sha256: result.sha256 } : {}),
      }),
      (err: unknown): TransferInfo =>
        controller.signal.aborted
          ? { ...info, state: 'cancelled' }
          : { ...info, state: 'failed', error: (err as Error).message },
    )
    void done.then((final) => {
      this.running.delete(info.id)
      this.emit('transfer:update', final)
    })
    return { info, done }
  }

  /** Cancels everything, as the app quits. */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }
}
