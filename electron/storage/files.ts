import type { Stats } from 'node:fs'
import fs, { type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { FileEntry } from '../../shared/protocol/index.js'
import { sameVersion, worthRemembering } from './digests.js'
import { about, StoreError, toStoreError } from './errors.js'
import { visibleNames } from './entries.js'
import { bucketPath, filePath, statIfInside, statInside } from './paths.js'
import { countChange } from './buckets.js'
import { changed, type Root } from './root.js'
import type { BucketFile, Download } from './store.js'

/**
 * Streams the files of one bucket with their size and modification time. Fails before the first
 * entry when the bucket does not exist; a file removed while the listing runs is left out.
 */
export async function* listFiles(root: Root, bucket: string): AsyncGenerator<FileEntry> {
  const dir = bucketPath(root, bucket)
  try {
    if (!(await statInside(root, dir, 'bucket')).isDirectory())
      throw new StoreError('no such bucket')
    yield* filesIn(root, dir)
  } catch (err) {
    throw toStoreError(err, 'bucket')
  }
}

/** Streams the files of every bucket, bucket by bucket. */
export async function* listAllFiles(root: Root): AsyncGenerator<BucketFile> {
  try {
    for await (const bucket of visibleNames(root, root.real, 'bucket')) {
      let empty = true
      try {
        for await (const file of filesIn(root, path.join(root.real, bucket))) {
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

async function* filesIn(root: Root, dir: string): AsyncGenerator<FileEntry> {
  let batch: string[] = []
  const flush = async (): Promise<FileEntry[]> => {
    const names = batch
    batch = []
    const stats = await Promise.all(names.map((name) => statIfInside(root, path.join(dir, name))))
    return names.flatMap((name, i) => {
      const s = stats[i]
      return s?.isFile() ? [{ name, size: s.size, modified: s.mtimeMs }] : []
    })
  }
  for await (const name of visibleNames(root, dir, 'file')) {
    batch.push(name)
    if (batch.length === STAT_BATCH) yield* await flush()
  }
  yield* await flush()
}

/** Deletes one file. A file that is a link loses the link only. */
export async function deleteFile(root: Root, bucket: string, file: string): Promise<void> {
  const target = filePath(root, bucket, file)
  await requireBucket(root, target.dir)
  await about('file', async () => {
    if (!(await statInside(root, target.path, 'file')).isFile())
      throw new StoreError('no such file')
    await fs.unlink(target.path)
    changed(root, countChange(path.basename(target.dir), -1), false)
  })
}

/** Large reads keep the network busy with few system calls. */
const READ_BUFFER_BYTES = 1024 * 1024

export async function openForDownload(root: Root, bucket: string, file: string): Promise<Download> {
  const target = filePath(root, bucket, file)
  await requireBucket(root, target.dir)
  return about('file', async () => {
    await statInside(root, target.path, 'file')
    const handle = await fs.open(target.path, 'r')
    try {
      // Stats of what was opened, so a swap after the check above cannot change the answer.
      const stats = await handle.stat({ bigint: true })
      if (!stats.isFile()) throw new StoreError('no such file')
      const sha256 = root.digests.get(target.path, stats)
      return {
        ...fileChunks(handle, Number(stats.size)),
        ...(sha256 ? { sha256 } : {}),
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
 * Reads exactly `size` bytes (fewer if the file shrank), a file growing meanwhile notwithstanding,
 * into two buffers that take turns: sending a file of any size allocates nothing per chunk.
 */
function fileChunks(handle: FileHandle, size: number): Omit<Download, 'sent'> {
  const buffers = [0, 1].map(() => Buffer.allocUnsafe(Math.min(READ_BUFFER_BYTES, size)))
  let pending: Promise<{ bytesRead: number }> | undefined
  let closing: Promise<void> | undefined
  const read = (turn: number, offset: number): Promise<{ bytesRead: number }> =>
    handle.read(buffers[turn]!, 0, Math.min(READ_BUFFER_BYTES, size - offset), offset)
  return {
    size,
    chunks: {
      async *[Symbol.asyncIterator]() {
        let offset = 0
        let turn = 0
        pending = size > 0 ? read(0, 0) : undefined
        while (pending) {
          const { bytesRead } = await pending
          if (bytesRead === 0) return
          const chunk = buffers[turn]!.subarray(0, bytesRead)
          offset += bytesRead
          turn ^= 1
          // The other buffer was handed out before the previous chunk: asking for this one means
          // the consumer is done with it.
          pending = offset < size ? read(turn, offset) : undefined
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
  return about('bucket', async () => {
    const stats = await statInside(root, dir, 'bucket')
    if (!stats.isDirectory()) throw new StoreError('no such bucket')
    return stats
  })
}
