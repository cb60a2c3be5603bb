import type { WriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { errnoOf, reasonFor, type Subject } from '../../shared/errno.js'
import { blockReader, giveBack } from './file-blocks.js'

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
  /**
   * `open` may be called again for the same bytes from the start (a file, not a request body).
   * Only such a source is checked against what the server holds, to continue a cut upload or skip
   * an identical one: checking reads bytes that may then have to be sent after all.
   */
  readonly repeatable?: boolean
  /** Its size, known without opening it (a small file is sent whole, with its command). */
  size(): Promise<number>
}

/**
 * What the server said a download's file is, kept with its cut bytes: the same server, bucket and
 * name (`source`), the file's version (`-> version`) and whole size. A download continues only
 * when all three still hold (the server checks the version).
 */
export interface PartialIdentity {
  source: string
  version: string
  size: number
}

/** What a download target already has of a file, before the server is asked for it. */
export interface Holding {
  /** A file at the destination already: its size, and its sha256 read only when asked. */
  existing?: { size: number; sha256(): Promise<string> }
  /** The bytes kept from a cut download, and the file they were part of. */
  partial?: { bytes: number; identity: PartialIdentity }
}

/** What the server is about to send. */
export interface IncomingFile {
  name: string
  /** The whole file's size. */
  size: number
  /**
   * Given when the download may be continued if cut: the target keeps its bytes and this identity
   * on a cut (`discard(true)`) and reports them in `holding()` next time.
   */
  identity?: PartialIdentity
  /** Bytes the target kept from before (its `holding().partial`) that this download continues. */
  from?: number
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
  /**
   * What the target has of `name` already (resume, skip identical); a target without it always
   * takes a file whole. A partial it reports is reserved for this transfer until commit/discard.
   */
  holding?(name: string): Promise<Holding>
  open(file: IncomingFile, signal?: AbortSignal): Promise<void>
  /** After `open` with `from` > 0: the kept bytes, for the whole file's sha256; each chunk is valid until the next is asked for. */
  kept?(): AsyncIterable<Buffer>
  write(chunk: Buffer, release: () => void): void | Promise<void>
  commit(): Promise<string | undefined>
  /** `keep`: the download was cut and may be continued; keep its bytes and identity. */
  discard(keep?: boolean): Promise<void>
  /** Drops the bytes an earlier, cut download kept: the server no longer has their file. */
  forget?(): Promise<void>
}

/** Uploads a local file. */
export function fileSource(file: string): UploadSource {
  return {
    label: file,
    repeatable: true,
    size: async () => (await fs.stat(file)).size,
    async open() {
      const stats = await fs.stat(file).catch((err: unknown) => {
        throw localError(err, `cannot read "${file}"`)
      })
      if (!stats.isFile()) throw new LocalFileError(`cannot read "${file}": it is not a file`)
      const size = stats.size
      // Bytes appended while it is sent are not part of this upload.
      return { size, stream: blockReader(file, 0, size - 1) }
    },
  }
}

/** Uploads `size` bytes read from a stream, e.g. an HTTP request body. */
export function streamSource(size: number, stream: Readable, label = 'the upload'): UploadSource {
  return {
    label,
    size: () => Promise.resolve(size),
    open: () => Promise.resolve({ size, stream }),
  }
}

/**
 * Downloads to a local path: a folder (the file keeps its name; end it with a separator when it
 * must be one) or a file path. Bytes go to a temporary file beside it, renamed into place only once
 * the sha256 matched. A cut download keeps that file (`.<name>.bucketshare-part`) and a small record
 * of what the server said the file was (`….bucketshare-part.json`), to be continued next time.
 */
export function fileTarget(destination: string): DownloadTarget {
  let final: string | undefined
  /** The kept-bytes file reserved by holding(), if this download may use it. */
  let reserved: string | undefined
  let temp: string | undefined
  let kept = 0
  /** What the server said the file is, recorded with its kept bytes. */
  let identity: PartialIdentity | undefined
  let out: Outlet | undefined
  const release = (): void => {
    if (reserved) inUse.delete(reserved)
    reserved = undefined
  }
  /** Removes the record of the reserved kept-bytes file, and with `part` the file itself. */
  const dropKept = async (part: boolean): Promise<void> => {
    if (!reserved) return
    const files = part ? [reserved, record(reserved)] : [record(reserved)]
    await Promise.all(files.map((file) => fs.rm(file, { force: true }).catch(() => undefined)))
  }
  return {
    // A destination in a missing folder costs no transfer and no connection.
    check: async () => void (await resolvePath(destination, '')),
    async holding(name) {
      final = await resolvePath(destination, name)
      const existing = await fs.stat(final).catch(() => undefined)
      const holding: Holding = existing?.isFile()
        ? { existing: { size: existing.size, sha256: () => fileSha256(final!) } }
        : {}
      const part = partPath(final)
      const saved = await reserve(part)
      if (saved === false) return holding
      reserved = part
      const bytes = (await fs.stat(part).catch(() => undefined))?.size
      if (saved && bytes !== undefined && bytes <= saved.size)
        holding.partial = { bytes, identity: saved }
      return holding
    },
    async open({ name, identity: told, from = 0 }) {
      identity = told
      final ??= await resolvePath(destination, name)
      // Without a reserved kept-bytes file (none wanted, or another download has it), a random one.
      const resumable = identity !== undefined && reserved !== undefined
      temp = resumable
        ? reserved!
        : path.join(path.dirname(final), `.${randomBytes(6).toString('hex')}.bucketshare-part`)
      kept = resumable ? from : 0
      try {
        if (resumable)
          await fs.writeFile(record(temp), JSON.stringify({ ...identity, pid: process.pid }))
        const handle = await fs.open(temp, kept > 0 ? 'r+' : resumable ? 'w' : 'wx')
        // Anything after the kept bytes (a write the cut interrupted) is dropped.
        if (kept > 0) await handle.truncate(kept)
        // No fsync: a download is only renamed into place once whole and verified, and a copy can
        // be fetched again; syncing would halve the speed for little.
        out = new Outlet(handle.createWriteStream({ highWaterMark: BUFFER_BYTES, start: kept }))
      } catch (err) {
        if (!resumable) temp = undefined
        throw localError(err, `cannot write in "${path.dirname(final)}"`, 'folder')
      }
    },
    async *kept() {
      if (!temp || kept === 0) return
      for await (const chunk of blockReader(temp, 0, kept - 1)) {
        yield chunk as Buffer
        giveBack(chunk as Buffer)
      }
    },
    // The file stream is done with a chunk once its write callback runs.
    write: (chunk, release) => out!.write(chunk, release),
    async commit() {
      await out!.end()
      await fs.rename(temp!, final!).catch((err: unknown) => {
        throw localError(err, `cannot write "${final}"`)
      })
      // The destination is whole: bytes kept for it (by this download or an earlier one, cut)
      // are of no more use.
      await dropKept(temp !== reserved)
      temp = undefined
      release()
      return final
    },
    forget: () => dropKept(true),
    async discard(keep = false) {
      if (keep && temp && temp === reserved) {
        // What was written stays: the next attempt continues from the file's length. Without
        // this process's id, the record no longer says someone writes it.
        await out?.end().catch(() => undefined)
        await fs.writeFile(record(temp), JSON.stringify(identity)).catch(() => undefined)
      } else {
        out?.destroy()
        if (temp) await fs.rm(temp, { force: true }).catch(() => undefined)
        if (temp && temp === reserved)
          await fs.rm(record(temp), { force: true }).catch(() => undefined)
      }
      temp = undefined
      release()
    },
  }
}

/** Kept-bytes files this process is writing: one download at a time continues each. */
const inUse = new Set<string>()

/** Where the cut download of `final` keeps its bytes. */
function partPath(final: string): string {
  return path.join(path.dirname(final), `.${path.basename(final)}.bucketshare-part`)
}

/** The record of what a kept-bytes file is part of. */
function record(part: string): string {
  return `${part}.json`
}

/**
 * Reserves a kept-bytes file for this download: false when another download (here or in a running
 * process) writes it, else the identity recorded with it, if any.
 */
async function reserve(part: string): Promise<PartialIdentity | undefined | false> {
  if (inUse.has(part)) return false
  inUse.add(part)
  const text = await fs.readFile(record(part), 'utf8').catch(() => undefined)
  const saved = text === undefined ? undefined : parseRecord(text)
  if (saved?.pid !== undefined && saved.pid !== process.pid && alive(saved.pid)) {
    inUse.delete(part)
    return false
  }
  return saved?.identity
}

/** A record's identity, and the process writing its bytes (none once a cut kept them). */
function parseRecord(text: string): { identity: PartialIdentity; pid?: number } | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>
    const { source, version, size, pid } = value
    if (typeof source !== 'string' || typeof version !== 'string') return undefined
    if (!Number.isSafeInteger(size)) return undefined
    const writer = Number.isSafeInteger(pid) ? { pid: pid as number } : {}
    return { identity: { source, version, size: size as number }, ...writer }
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return errnoOf(err) === 'EPERM'
  }
}

/** The sha256 of a local file, read in large chunks. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  const { size } = await fs.stat(file)
  for await (const chunk of blockReader(file, 0, size - 1)) {
    hash.update(chunk as Buffer)
    giveBack(chunk as Buffer)
  }
  return hash.digest('hex')
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
