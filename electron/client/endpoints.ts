import { createReadStream, type WriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { errnoOf, reasonFor, type Subject } from '../../shared/errno.js'

/**
 * Where an upload's bytes come from and where a download's go: a local file, or a stream of the
 * caller's (an HTTP request body or response in browser mode).
 */

/** Large reads and writes keep the network and the disk busy with few system calls. */
const BUFFER_BYTES = 1024 * 1024

/** A local file problem, worded for a person; the connection is not at fault. */
export class LocalFileError extends Error {
  override readonly name = 'LocalFileError'
}

/** `what` failed, with the reason of a file-system error (`cannot read "x": no such file`). */
export function localError(err: unknown, what: string, subject: Subject = 'file'): LocalFileError {
  return new LocalFileError(`${what}: ${reasonFor(errnoOf(err) ?? '', subject)}`)
}

/** The bytes of an upload, of a size known before the command is sent. */
export interface UploadSource {
  /** Names the source in messages: a path, or the file's name. */
  readonly label: string
  /** `signal` is the transfer's cancel, for a source that waits for its bytes. */
  open(signal?: AbortSignal): Promise<{ size: number; stream: Readable }>
}

/** What the server is about to send. */
export interface IncomingFile {
  name: string
  size: number
}

/**
 * Where a download goes. `open` is told the file before its first byte; `write` takes each chunk
 * (the chunk stays valid until `release` is called, and a returned promise holds the connection
 * until the target can take more); `commit` runs once every byte arrived and the sha256 matched,
 * and returns the local path written, if any; `discard` undoes everything after any failure,
 * whether or not `open` ran. `signal` is the transfer's cancel, for a target that waits.
 */
export interface DownloadTarget {
  /** Fails (LocalFileError) before the server is asked when the target cannot take any file. */
  check?(): Promise<void>
  open(file: IncomingFile, signal?: AbortSignal): Promise<void>
  write(chunk: Buffer, release: () => void): void | Promise<void>
  commit(): Promise<string | undefined>
  discard(): Promise<void>
}

/** Uploads a local file. */
export function fileSource(file: string): UploadSource {
  return {
    label: file,
    async open() {
      const stats = await fs.stat(file).catch((err: unknown) => {
        throw localError(err, `cannot read "${file}"`)
      })
      if (!stats.isFile()) throw new LocalFileError(`cannot read "${file}": it is not a file`)
      const size = stats.size
      const stream = createReadStream(file, {
        highWaterMark: BUFFER_BYTES,
        // Bytes appended while it is sent are not part of this upload.
        ...(size > 0 ? { end: size - 1 } : {}),
      })
      return { size, stream }
    },
  }
}

/** Uploads `size` bytes read from a stream, e.g. an HTTP request body. */
export function streamSource(size: number, stream: Readable, label = 'the upload'): UploadSource {
  return { label, open: () => Promise.resolve({ size, stream }) }
}

/**
 * Downloads to a local path: a folder (the file keeps its name; end it with a separator when it
 * must be one) or a file path. Bytes go to a
 * temporary file beside it, renamed into place only once the sha256 matched.
 */
export function fileTarget(destination: string): DownloadTarget {
  let temp: string | undefined
  let final: string | undefined
  let out: Outlet | undefined
  return {
    // A destination in a missing folder costs no transfer and no connection.
    check: async () => void (await resolvePath(destination, '')),
    async open({ name }) {
      final = await resolvePath(destination, name)
      temp = path.join(path.dirname(final), `.${randomBytes(6).toString('hex')}.bucketshare-part`)
      const handle = await fs.open(temp, 'wx').catch((err: unknown) => {
        temp = undefined
        throw localError(err, `cannot write in "${path.dirname(final!)}"`, 'folder')
      })
      // No fsync: a download is only renamed into place once whole and verified, and a copy can
      // be fetched again; syncing would halve the speed for little.
      out = new Outlet(handle.createWriteStream({ highWaterMark: BUFFER_BYTES }))
    },
    // The file stream is done with a chunk once its write callback runs.
    write: (chunk, release) => out!.write(chunk, release),
    async commit() {
      await out!.end()
      await fs.rename(temp!, final!).catch((err: unknown) => {
        throw localError(err, `cannot write "${final}"`)
      })
      temp = undefined
      return final
    },
    async discard() {
      out?.destroy()
      if (temp) await fs.rm(temp, { force: true }).catch(() => undefined)
      temp = undefined
    },
  }
}

/** Downloads into a stream that `start` makes once the file's size is known (an HTTP response). */
export function streamTarget(start: (file: IncomingFile) => Writable): DownloadTarget {
  let out: Outlet | undefined
  return {
    open(file) {
      out = new Outlet(start(file))
      return Promise.resolve()
    },
    write(chunk, release) {
      // The caller's stream may keep a chunk longer than the connection lends it: it gets a copy.
      const copy = Buffer.from(chunk)
      release()
      return out!.write(copy)
    },
    async commit() {
      await out!.end()
      return undefined
    },
    discard() {
      out?.destroy()
      return Promise.resolve()
    },
  }
}

/**
 * A folder keeps the file's name; anything else is the file path to write. A destination ending
 * in a separator names a folder, which must exist (never a file named like it).
 */
async function resolvePath(destination: string, name: string): Promise<string> {
  const stats = await fs.stat(destination).catch(() => undefined)
  if (stats?.isDirectory()) return path.join(destination, name)
  if (/[\\/]$/.test(destination))
    throw new LocalFileError(`cannot write into "${path.resolve(destination)}": no such folder`)
  const parent = await fs.stat(path.dirname(destination)).catch(() => undefined)
  if (!parent?.isDirectory())
    throw new LocalFileError(`cannot write "${destination}": no such folder`)
  return destination
}

/** A writable stream with backpressure as promises, and its first error kept as a LocalFileError. */
class Outlet {
  private failure: LocalFileError | undefined
  /** Wakes a writer waiting for `drain` when the stream fails instead. */
  private wake: (() => void) | undefined

  constructor(private readonly out: Writable | WriteStream) {
    out.on('error', (err: Error) => {
      this.failure ??= localError(err, 'writing the download failed')
      this.wake?.()
    })
  }

  write(chunk: Buffer, done?: () => void): void | Promise<void> {
    if (this.failure) throw this.failure
    if (this.out.write(chunk, done)) return
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.out.off('drain', settle)
        this.wake = undefined
        if (this.failure) reject(this.failure)
        else resolve()
      }
      this.wake = settle
      this.out.on('drain', settle)
    })
  }

  async end(): Promise<void> {
    if (this.failure) throw this.failure
    this.out.end()
    await finished(this.out).catch((err: unknown) => {
      throw this.failure ?? localError(err, 'writing the download failed')
    })
  }

  destroy(): void {
    this.out.destroy()
  }
}
