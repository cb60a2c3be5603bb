import type { Stats } from 'node:fs'
import fs, { type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { FileEntry, ListEntry } from '../../shared/protocol/index.js'
import { sameVersion, worthRemembering } from './digests.js'
import { withStoreErrors, ResumeRefused, StoreError, toStoreError } from './errors.js'
import { visibleEntries, visibleNames, type VisibleEntry } from './entries.js'
import {
  bucketPath,
  entryPath,
  reachParent,
  statIfInside,
  statInside,
  type Entry,
} from './paths.js'
import { changing, type Root } from './root.js'
import { removal, type Actor } from './trash.js'
import type { BucketFile, Download } from './store.js'
import { hashPrefix } from './hashing.js'

/**
 * Streams the files of one bucket's whole tree, each named by its path in the bucket, and each
 * empty folder; with `folder`, the tree of that folder only (itself listed when empty). Fails
 * before the first entry when the bucket or folder does not exist; a file or folder removed while
 * the listing runs is left out. Memory stays flat: one open folder per level of depth.
 */
export async function* listFiles(
  root: Root,
  bucket: string,
  folder?: string,
): AsyncGenerator<ListEntry> {
  const dir = bucketPath(root, bucket)
  await requireBucket(root, dir)
  if (folder === undefined) {
    try {
      yield* treeIn(root, dir, '')
    } catch (err) {
      throw toStoreError(err, 'bucket')
    }
    return
  }
  const entry = entryPath(root, bucket, folder, 'folder')
  try {
    await reachParent(root, entry)
    const own = await fs.lstat(entry.path)
    if (own.isSymbolicLink()) throw new StoreError('path goes through a link')
    if (!own.isDirectory()) throw new StoreError('no such folder')
    yield* subtree(root, entry.path, entry.relative)
  } catch (err) {
    throw toStoreError(err, 'folder')
  }
}

/** Streams the files and empty folders of every bucket, bucket by bucket. */
export async function* listAllFiles(root: Root): AsyncGenerator<BucketFile> {
  try {
    for await (const bucket of visibleNames(root, root.real, 'bucket')) {
      let empty = true
      try {
        for await (const file of treeIn(root, path.join(root.real, bucket), '')) {
          empty = false
          yield { bucket, file }
        }
      } catch (err) {
        // Deleted while listing: leave it out.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw err
      }
      if (empty) yield { bucket }
    }
  } catch (err) {
    throw toStoreError(err, 'folder')
  }
}

/** Files are stat'ed this many at a time: the thread pool works on several while lines go out. */
const STAT_BATCH = 64

/** Streams what is under `dir` (at `prefix` in its bucket); returns whether anything was listed. */
async function* treeIn(
  root: Root,
  dir: string,
  prefix: string,
): AsyncGenerator<ListEntry, boolean> {
  let listed = false
  let batch: VisibleEntry[] = []
  const flush = async (): Promise<FileEntry[]> => {
    const files = batch
    batch = []
    const stats = await Promise.all(files.map((f) => statIfInside(root, path.join(dir, f.name))))
    return files.flatMap((f, i) => {
      const s = stats[i]
      return s?.isFile() ? [{ name: f.relative, size: s.size, modified: s.mtimeMs }] : []
    })
  }
  for await (const entry of visibleEntries(root, dir, prefix)) {
    if (entry.folder) {
      if (yield* subtree(root, path.join(dir, entry.name), entry.relative)) listed = true
      continue
    }
    batch.push(entry)
    if (batch.length < STAT_BATCH) continue
    for (const file of await flush()) {
      listed = true
      yield file
    }
  }
  for (const file of await flush()) {
    listed = true
    yield file
  }
  return listed
}

/** Streams a folder's tree, or the folder itself when nothing is under it; false once it is gone. */
async function* subtree(
  root: Root,
  dir: string,
  relative: string,
): AsyncGenerator<ListEntry, boolean> {
  try {
    if (!(yield* treeIn(root, dir, relative))) yield { name: relative, folder: true }
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return false
    throw err
  }
}

/**
 * Deletes one file (`own` is what lstat found at its path): into the trash when the host keeps one
 * (and the file is on its file system), for good otherwise. A link loses the link only.
 */
export async function deleteFile(root: Root, target: Entry, own: Stats, by: Actor): Promise<void> {
  await withStoreErrors('file', async () => {
    // A link may be removed wherever it leads inside the shared folder, even to a folder.
    const file = own.isSymbolicLink()
      ? (await statInside(root, target.path, 'file')).isFile()
      : own.isFile()
    if (!file && !own.isSymbolicLink()) throw new StoreError('no such file')
    const record = removal(
      { kind: 'file', bucket: target.bucket, file: target.relative },
      'deleted',
      by,
    )
    await changing(root, [path.dirname(target.path)], async () => {
      if (!(await root.trash?.keep(target.path, record))) await fs.unlink(target.path)
    })
  })
}

/** Large reads keep the network busy with few system calls. */
const READ_BUFFER_BYTES = 1024 * 1024

const OPEN_FOR_READING = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0)

/** Only regular files are read: a folder is "no such file", a pipe, socket or device refused. */
function refuseSpecial(stats: { isFile(): boolean; isDirectory(): boolean }): void {
  if (stats.isFile()) return
  throw new StoreError(stats.isDirectory() ? 'no such file' : 'not a regular file')
}

export async function openForDownload(
  root: Root,
  bucket: string,
  file: string,
  from = 0,
): Promise<Download> {
  const target = entryPath(root, bucket, file)
  await requireBucket(root, target.dir)
  return withStoreErrors('file', async () => {
    await reachParent(root, target)
    refuseSpecial(await statInside(root, target.path, 'file'))
    // Non-blocking: should a named pipe take the file's place after the check, opening it cannot
    // wait for a writer and hold one of the few threads every file operation of the server shares.
    const handle = await fs.open(target.path, OPEN_FOR_READING)
    try {
      // Stats of what was opened, so a swap after the check above cannot change the answer.
      const stats = await handle.stat({ bigint: true })
      refuseSpecial(stats)
      const sha256 = root.digests.get(target.path, stats)
      const total = Number(stats.size)
      if (from > total) throw new ResumeRefused('the file is shorter than that; start from 0')
      return {
        ...fileChunks(handle, total, from),
        total,
        version: `${stats.size}.${stats.mtimeNs}.${stats.ino}`,
        ...(sha256 ? { sha256 } : {}),
        prefix: () => hashPrefix(handle, from),
        async sent(digest: string) {
          if (!worthRemembering(stats.size)) return
          const now = await handle.stat({ bigint: true }).catch(() => undefined)
          if (now && sameVersion(stats, now)) root.digests.set(target.path, now, digest)
          else root.digests.forget(target.path)
        },
      }
    } catch (err) {
      await handle.close()
      throw err
    }
  })
}

/**
 * Reads the bytes from `from` to exactly `total` (fewer if the file shrank), a file growing
 * meanwhile notwithstanding.
 */
function fileChunks(
  handle: FileHandle,
  total: number,
  from: number,
): Pick<Download, 'size' | 'chunks' | 'close'> {
  const size = total - from
  const buffers = [0, 1].map(() => Buffer.allocUnsafe(Math.min(READ_BUFFER_BYTES, size)))
  let pending: Promise<{ bytesRead: number }> | undefined
  let closing: Promise<void> | undefined
  const read = (turn: number, offset: number): Promise<{ bytesRead: number }> =>
    handle.read(buffers[turn]!, 0, Math.min(READ_BUFFER_BYTES, total - offset), offset)
  return {
    size,
    chunks: {
      async *[Symbol.asyncIterator]() {
        let offset = from
        let turn = 0
        pending = size > 0 ? read(0, from) : undefined
        while (pending) {
          const { bytesRead } = await pending
          if (bytesRead === 0) return
          const chunk = buffers[turn]!.subarray(0, bytesRead)
          offset += bytesRead
          turn ^= 1
          // The other buffer was handed out before the previous chunk: asking for this one means
          // the consumer is done with it.
          pending = offset < total ? read(turn, offset) : undefined
          yield chunk
        }
      },
    },
    close() {
      closing ??= (async () => {
        // A read still in flight must end before the file is closed under it.
        await pending?.catch(() => undefined)
        await handle.close()
      })()
      return closing
    },
  }
}

/** Fails with "no such bucket" unless `dir` is a servable folder; returns its stats. */
export async function requireBucket(root: Root, dir: string): Promise<Stats> {
  return withStoreErrors('bucket', async () => {
    const stats = await statInside(root, dir, 'bucket')
    if (!stats.isDirectory()) throw new StoreError('no such bucket')
    return stats
  })
}
