import { createHash, randomUUID, type Hash } from 'node:crypto'
import { once } from 'node:events'
import type { WriteStream } from 'node:fs'
import fs, { type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { worthRemembering } from './digests.js'
import { withStoreErrors, ResumeRefused, StoreError, toStoreError } from './errors.js'
import { hashPrefix } from './hashing.js'
import { BLOCK_BYTES, Blocks } from '../blocks.js'
import { requireBucket } from './files.js'
import { entryPath, reachParent, type Entry } from './paths.js'
import { place, type Placement } from './placing.js'
import { RESERVED_NAME } from '../../shared/protocol/index.js'
import { recordPath, writeRecord, type PartialRecord } from './partials.js'
import { changing, isNotFolder, serially, type Root } from './root.js'
import type { Upload } from './store.js'

/** Large writes keep the disk busy with few system calls. */
const WRITE_BUFFER_BYTES = 1024 * 1024
/** The longest received bytes wait in memory before they are written. */
const SEND_AFTER_MS = 20
/** Received bytes waiting to be written before the client is asked to wait. */
const WRITE_AHEAD_BYTES = 2 * BLOCK_BYTES

/** Memory received bytes are copied into, written as it fills. */
interface Block {
  memory: Buffer
  /** Bytes copied in. */
  filled: number
  /** Bytes of those handed to the file. */
  sent: number
  /** Writes of its bytes not yet done. */
  writing: number
}
/**
 * At most this many received bytes are not yet durable while an upload runs: what a crash can
 * make a client send twice. A sync starts every half of it (each a point a cut upload can be
 * continued from after a crash, and leaving the fsync owed before `700 FUTBS` little to write, so
 * disk and network work at the same time, not in turn), and a disk slower than the network holds
 * the bytes back rather than fall further behind.
 */
export const SYNC_EVERY_BYTES = 8 * 1024 * 1024
const SYNC_START_BYTES = SYNC_EVERY_BYTES / 2

/** What a client says it had sent of an upload the server kept (see `resume_f`). */
export interface HeldBytes {
  bytes: number
  sha256: string
}

/**
 * Starts an upload of `size` bytes to `bucket/file`: checks the names, the bucket and the free
 * space, and opens a staging file, or with `held` the kept staging file of a cut upload, which it
 * continues after checking that its bytes are the ones the client names. Nothing is visible in the
 * bucket until `complete()`.
 */
export async function beginUpload(
  root: Root,
  bucket: string,
  file: string,
  size: number,
  how: Placement,
  held?: HeldBytes,
): Promise<StagedUpload> {
  const target = entryPath(root, bucket, file)
  const { dev } = await requireBucket(root, target.dir)
  // Folders missing on the way are made when the upload completes, so a failed one leaves none.
  await withStoreErrors('file', () => reachParent(root, target, 'stop'))
  if (how.replace) await refuseFolder(target.path)
  const staging = await stagingFor(root, target.dir, dev)
  const partials = root.partials
  if (held && held.bytes > size) throw new ResumeRefused('more bytes held than the file has')
  if (!held || held.bytes === 0) {
    await partials.forget(target.path, size)
    await checkSpace(root, staging, size)
    const temp = path.join(staging, `${randomUUID()}.part`)
    const handle = await createStagingFile(staging, temp)
    return new StagedUpload(root, target, how, size, temp, handle, 0, createHash('sha256'))
  }
  const kept = await partials.claim(target.path, size)
  if (kept === 'busy') throw new ResumeRefused('another upload is continuing this file')
  if (!kept || kept.held !== held.bytes || kept.sha256 !== held.sha256) {
    if (kept) await partials.keep(kept)
    partials.release(target.path, size)
    throw new ResumeRefused('the server does not hold those bytes; start from 0')
  }
  let handle: FileHandle | undefined
  try {
    await checkSpace(root, staging, size - kept.held)
    handle = await withStoreErrors('file', () => fs.open(kept.file, 'r+'))
    const hash = await hashPrefix(handle, kept.held)
    if (hash.copy().digest('hex') !== kept.sha256)
      throw new ResumeRefused('the held bytes were damaged; start from 0')
    // Bytes written after the last durable point may be there or not: they are sent again.
    await handle.truncate(kept.held)
    return new StagedUpload(root, target, how, size, kept.file, handle, kept.held, hash)
  } catch (err) {
    await handle?.close()
    // Damaged bytes go; after any other failure (e.g. disk full) they stay for a later try.
    if (err instanceof ResumeRefused)
      await Promise.all([kept.file, recordPath(kept.file)].map((p) => fs.rm(p, { force: true })))
    else await partials.keep(kept)
    partials.release(target.path, size)
    throw err
  }
}

/** Refuses an upload that would not fit, unless dropping kept uploads makes room for it. */
async function checkSpace(root: Root, staging: string, needed: number): Promise<void> {
  const space = await fs.statfs(staging).catch(() => undefined)
  if (!space) return
  if ((await root.partials.makeRoom(needed, space.bavail * space.bsize)) < needed)
    throw new StoreError('disk full')
}

/**
 * An upload being written to the staging folder. Bytes are hashed (sha256) as they are written.
 * After a write failure the remaining bytes are still accepted and dropped, so the caller can read
 * the whole upload off the connection before it reports the failure. Every SYNC_EVERY_BYTES the
 * bytes so far are synced and recorded beside the file, so that a cut upload can be continued.
 */
export class StagedUpload implements Upload {
  /** Bytes handed to write() so far, after the `offset` bytes it continued from. */
  private received = 0
  /** The first write failure; later bytes are dropped. */
  private failure: unknown
  /** Set once complete(), keep() or abort() has started; the file is then no longer ours to write. */
  private settled = false
  /** Bytes written since the last sync to disk was started. */
  private unsynced = 0
  /** The sync to disk in progress, if any. */
  private syncing: Promise<void> | undefined
  /** The block received bytes are copied into, and the blocks used again after it. */
  private block: Block | undefined
  private readonly blocks = new Blocks()
  /** Sends what the block holds, should it not fill soon. */
  private sendTimer: NodeJS.Timeout | undefined
  /** Bytes handed to the file and not yet written. */
  private unwritten = 0
  /** Wakes whenWritable() when a write is done. */
  private wake: (() => void) | undefined
  private readonly stream: WriteStream

  constructor(
    private readonly root: Root,
    private readonly target: Entry,
    private readonly how: Placement,
    readonly size: number,
    private readonly temp: string,
    private readonly handle: FileHandle,
    /** Bytes already in the file, kept from a cut upload this one continues. */
    readonly offset: number,
    /** The sha256 of those bytes, going on. */
    private readonly hash: Hash,
  ) {
    // The file stays open after the last write: it is synced, renamed, then stat'ed through it.
    this.stream = handle.createWriteStream({
      highWaterMark: WRITE_BUFFER_BYTES,
      autoClose: false,
      start: offset,
    })
    this.stream.on('error', (err) => (this.failure ??= err))
  }

  /** Bytes still to come. */
  get rest(): number {
    return this.size - this.offset
  }

  /**
   * Takes the next bytes, lent: they are copied into a block, which is written once full, or
   * SEND_AFTER_MS after it took its first unwritten byte with what it holds by then (so what
   * arrived goes to the disk even when no more comes). False: wait for whenWritable().
   */
  write(chunk: Uint8Array): boolean {
    if (this.failure !== undefined) {
      this.received += chunk.length
      return true
    }
    for (let rest = chunk; rest.length > 0;) {
      const block = (this.block ??= {
        memory: this.blocks.take(
          Math.min(BLOCK_BYTES, Math.max(rest.length, this.rest - this.received)),
        ),
        filled: 0,
        sent: 0,
        writing: 0,
      })
      const piece = rest.subarray(0, block.memory.length - block.filled)
      block.memory.set(piece, block.filled)
      // Hashed as copied: whenever a block is sent, the hash covers exactly the bytes sent.
      this.hash.update(piece)
      block.filled += piece.length
      this.received += piece.length
      rest = rest.subarray(piece.length)
      if (block.filled === block.memory.length) {
        this.block = undefined
        this.send(block)
      }
    }
    this.sendTimer ??= this.block
      ? setTimeout(() => {
          this.sendTimer = undefined
          if (this.block && !this.settled) this.send(this.block)
        }, SEND_AFTER_MS).unref()
      : undefined
    return this.writable()
  }

  /**
   * Writes what the block holds and was not written yet. Every SYNC_START_BYTES a sync starts
   * once the write is done.
   */
  private send(block: Block): void {
    const bytes = block.memory.subarray(block.sent, block.filled)
    if (bytes.length === 0) return
    block.sent = block.filled
    block.writing++
    this.unwritten += bytes.length
    let synced: ((err?: Error | null) => void) | undefined
    const written = (err?: Error | null): void => {
      this.unwritten -= bytes.length
      // The block is reused once written in full, or given up (see discard()).
      if (--block.writing === 0 && block !== this.block) this.blocks.give(block.memory)
      synced?.(err)
      this.wake?.()
    }
    this.unsynced += bytes.length
    if (this.unsynced >= SYNC_START_BYTES && !this.syncing) {
      this.unsynced = 0
      const held = this.offset + this.received
      const sha256 = this.hash.copy().digest('hex')
      const flushed = new Promise<void>((resolve, reject) => {
        synced = (err) => (err ? reject(err) : resolve())
      })
      this.syncing = flushed
        .then(() => this.makeDurable(held, sha256))
        .catch((err: unknown) => void (this.failure ??= err))
        .finally(() => (this.syncing = undefined))
    }
    this.stream.write(bytes, written)
  }

  /**
   * Whether more bytes may come now: not while WRITE_AHEAD_BYTES wait to be written, nor once
   * half the bound was written since the sync in progress started.
   */
  private writable(): boolean {
    if (this.failure !== undefined) return true
    if (this.syncing && this.unsynced >= SYNC_START_BYTES) return false
    return this.unwritten < WRITE_AHEAD_BYTES
  }

  /** Resolves once more bytes may be written (at once, unless the disk is behind). */
  async whenWritable(): Promise<void> {
    while (!this.writable()) {
      const written = new Promise<void>((resolve) => (this.wake = resolve))
      await (this.syncing && this.unsynced >= SYNC_START_BYTES ? this.syncing : written)
    }
    this.wake = undefined
  }

  /**
   * Checks the size, writes everything to disk (fsync) and moves the file into its bucket in one
   * rename (see place(): replacing a file of that name, or beside it). Returns the sha256 of the
   * bytes, in hex, and the name the file took. On failure the staging file is removed and a
   * StoreError says why.
   */
  async complete(): Promise<{ sha256: string; name: string }> {
    this.settled = true
    try {
      if (this.failure !== undefined) throw this.failure
      if (this.offset + this.received !== this.size) throw new StoreError('upload incomplete')
      // The file must stay open until a sync in progress is over.
      await this.syncing
      if (this.failure !== undefined) throw this.failure
      this.stream.end()
      await finished(this.stream)
      if (this.offset + this.stream.bytesWritten !== this.size)
        throw new StoreError('upload incomplete')
      await this.handle.sync()
      // Whole now: nothing to continue, whatever happens next.
      await fs.rm(recordPath(this.temp), { force: true })
      // The bucket may have been deleted while the bytes were arriving, its folders moved.
      await requireBucket(this.root, this.target.dir)
      const placed = await changing(this.root, [path.dirname(this.target.path)], () =>
        serially(this.root, async () => {
          await reachParent(this.root, this.target, 'create')
          return place(this.root, this.temp, this.target, this.how)
        }),
      )
      await syncFolder(path.dirname(this.target.path))
      const sha256 = this.hash.digest('hex')
      if (worthRemembering(this.size)) {
        // Through the open file: another upload of the name may already have replaced it. The
        // upload is done whatever happens here; the digest is only worth keeping.
        const stats = await this.handle.stat({ bigint: true }).catch(() => undefined)
        if (stats) this.root.digests.set(placed.path, stats, sha256)
      }
      await this.closeFile()
      return { sha256, name: placed.name }
    } catch (err) {
      await this.discard()
      throw toStoreError(err, 'file')
    } finally {
      this.root.partials.release(this.target.path, this.size)
    }
  }

  /**
   * The connection was cut: syncs what arrived and keeps it for an upload that continues it.
   * Returns the bytes held (0 when nothing could be kept). Does nothing after complete().
   */
  async keep(): Promise<number> {
    if (this.settled) return 0
    this.settled = true
    try {
      if (this.block && this.failure === undefined) this.send(this.block)
      await this.syncing
      if (this.failure !== undefined || this.offset + this.received === 0) {
        await this.discard()
        return 0
      }
      this.stream.end()
      await finished(this.stream)
      await this.handle.datasync()
      const held = this.offset + this.received
      const kept = { ...this.record(held, this.hash.digest('hex')), file: this.temp }
      await writeRecord(this.temp, kept)
      await this.closeFile()
      await this.root.partials.keep(kept)
      return held
    } catch {
      await this.discard()
      return 0
    } finally {
      this.root.partials.release(this.target.path, this.size)
    }
  }

  /** Gives up: closes and removes the staging file. Does nothing after complete() or keep(). */
  async abort(): Promise<void> {
    if (this.settled) return
    this.settled = true
    await this.discard()
    this.root.partials.release(this.target.path, this.size)
  }

  /** Makes the first `held` bytes a point a restarted server can continue from. */
  private async makeDurable(held: number, sha256: string): Promise<void> {
    await this.handle.datasync()
    if (!this.settled) await writeRecord(this.temp, this.record(held, sha256))
  }

  private record(held: number, sha256: string): PartialRecord {
    return { target: this.target.path, size: this.size, held, sha256, updated: Date.now() }
  }

  private async closeFile(): Promise<void> {
    if (this.stream.closed) return
    const closed = once(this.stream, 'close').catch(() => undefined)
    this.stream.destroy()
    await closed
  }

  private async discard(): Promise<void> {
    const block = this.block
    this.block = undefined
    if (block && block.writing === 0) this.blocks.give(block.memory)
    await this.syncing
    await this.closeFile()
    // Best effort: whatever remains is removed when the server starts next.
    await Promise.all(
      [this.temp, recordPath(this.temp)].map((p) => fs.rm(p, { force: true }).catch(() => {})),
    )
  }
}

/**
 * Where an upload into the bucket `dir` is written until complete: the shared folder's staging
 * folder, unless the bucket is on another file system (a drive mounted in the shared folder),
 * which a rename cannot reach; then a staging folder of its own under the same reserved name.
 */
export async function stagingFor(root: Root, dir: string, device: number): Promise<string> {
  if (device === root.stagingDevice) return root.staging
  const reserved = path.join(dir, RESERVED_NAME)
  const staging = path.join(reserved, 'staging')
  if (await isNotFolder(reserved))
    throw new StoreError(`"${RESERVED_NAME}" in the bucket is not a folder`)
  let ready = root.bucketStaging.get(staging)
  if (!ready) {
    ready = withStoreErrors('folder', () => root.partials.load(staging)).then(() => undefined)
    root.bucketStaging.set(staging, ready)
    ready.catch(() => root.bucketStaging.delete(staging))
  }
  await ready
  // The bucket may have been deleted and made again since.
  await withStoreErrors('folder', () => fs.mkdir(staging, { recursive: true }))
  return staging
}

/**
 * Opens a new staging file. Should the staging folder have gone while the server runs (its
 * bookkeeping folder removed, or the whole shared folder made anew), it is made again; when that
 * cannot be, the reason says so.
 */
async function createStagingFile(staging: string, temp: string): Promise<FileHandle> {
  try {
    return await fs.open(temp, 'wx')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw toStoreError(err, 'file')
  }
  const reserved = path.dirname(staging)
  // A link in its place would have staging files written, and later emptied, elsewhere.
  if (await isNotFolder(reserved)) throw new StoreError(`"${RESERVED_NAME}" is not a folder`)
  await withStoreErrors('folder', async () => {
    for (const dir of [reserved, staging])
      await fs.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err
      })
  })
  return withStoreErrors('file', () => fs.open(temp, 'wx'))
}

/** Fails when a folder has the name (a file or a link there is replaced). */
async function refuseFolder(p: string): Promise<void> {
  const existing = await fs.lstat(p).catch(() => undefined)
  if (existing?.isDirectory()) throw new StoreError('a folder has that name')
}

/** Makes a new or replaced entry of a folder durable, as the file's own fsync does not. */
async function syncFolder(dir: string): Promise<void> {
  // Windows cannot open a folder for syncing; its file system journals the rename itself.
  if (process.platform === 'win32') return
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
