import fs from 'node:fs/promises'
import path from 'node:path'
import type { BucketEntry } from '../../shared/protocol/index.js'
import { withStoreErrors, StoreError, toStoreError } from './errors.js'
import { visibleEntries, visibleNames } from './entries.js'
import { bucketPath, isInside, statInside } from './paths.js'
import { changing, mayKeepCount, type Root } from './root.js'
import { removal, type Actor } from './trash.js'

export async function createBucket(root: Root, name: string): Promise<void> {
  const dir = bucketPath(root, name)
  await withStoreErrors('bucket', () =>
    changing(root, [dir], async () => {
      try {
        await fs.mkdir(dir)
      } catch (err) {
        // The only missing folder here is the shared folder itself.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoreError('no such folder')
        throw err
      }
    }),
  )
}

/**
 * Deletes a bucket and every file in it: into the trash, whole, when the host keeps one (and the
 * bucket is on its file system), for good otherwise. A bucket that is a link loses the link only.
 */
export async function deleteBucket(root: Root, name: string, by: Actor): Promise<void> {
  const dir = bucketPath(root, name)
  await withStoreErrors('bucket', async () => {
    const stats = await statInside(root, dir, 'bucket')
    if (!stats.isDirectory()) throw new StoreError('no such bucket')
    const record = removal({ kind: 'bucket', bucket: path.basename(dir), file: '' }, 'deleted', by)
    await changing(root, [dir], async () => {
      if (!(await root.trash?.keep(dir, record))) await fs.rm(dir, { recursive: true })
    })
    forgetCounts(root, dir)
  })
}

/**
 * A listing this recent is shared by every `ls_b` that asks: under load, listing the folder once per
 * request would queue the file system's threads behind it. Changes made through the server are
 * always seen at once; changes made behind its back appear within this time.
 */
const FRESH_MS = 100

/**
 * The buckets with their number of files. A bucket removed while the listing runs is left out; any
 * other failure is a StoreError.
 */
export function listBuckets(root: Root): Promise<BucketEntry[]> {
  const cache = root.listing
  const current = cache.latest
  if (current && current.generation === cache.generation && Date.now() - current.at < FRESH_MS)
    return current.scan
  const latest = { generation: cache.generation, at: Date.now(), scan: scanBuckets(root) }
  cache.latest = latest
  // A failed listing is not shared beyond the requests already waiting for it.
  latest.scan.catch(() => {
    if (cache.latest === latest) cache.latest = undefined
  })
  return latest.scan
}

async function scanBuckets(root: Root): Promise<BucketEntry[]> {
  const buckets: BucketEntry[] = []
  try {
    for await (const name of visibleNames(root, root.real, 'bucket')) {
      const files = await countFiles(root, path.join(root.real, name))
      if (files !== undefined) buckets.push({ name, files })
    }
  } catch (err) {
    throw toStoreError(err, 'folder')
  }
  return buckets
}

/**
 * A folder's mtime changes whenever a file or folder is added, removed or renamed in it, so what
 * was counted in it stays valid while the mtime does — except for a change made within the same
 * timestamp tick as the count, which leaves the mtime as it was. So a count made while the folder
 * was still changing is trusted only for SETTLED_MS, then made again; a count of a folder that had
 * settled is kept. Each folder of a bucket has its own entry, so a change deep in a tree recounts
 * that folder alone.
 */
const SETTLED_MS = 2_000

/** The files in a bucket's whole tree, as `ls_f` lists them; undefined when it has gone. */
async function countFiles(root: Root, dir: string, prefix = ''): Promise<number | undefined> {
  // A bucket may be a link inside the shared folder; a folder in it is never followed as one.
  const before = await (prefix === '' ? fs.stat(dir) : fs.lstat(dir)).catch(() => undefined)
  if (!before?.isDirectory()) return undefined
  const now = Date.now()
  const cached = root.counts.get(dir)
  let own = cached && !('changed' in cached) ? cached : undefined
  if (
    !own ||
    own.mtimeMs !== before.mtimeMs ||
    (own.countedAt - before.mtimeMs <= SETTLED_MS && now - own.countedAt >= SETTLED_MS)
  ) {
    const generation = root.listing.generation
    const counted = await countEntries(root, dir, prefix)
    if (counted === undefined) {
      forgetCounts(root, dir)
      return undefined
    }
    own = { generation, mtimeMs: before.mtimeMs, countedAt: now, ...counted }
    // A change made through the server while counting: right for this listing, not for later ones.
    if (mayKeepCount(root, dir, generation)) root.counts.set(dir, own)
  }
  let files = own.files
  for (const folder of own.folders)
    files += (await countFiles(root, path.join(dir, folder.name), folder.relative)) ?? 0
  return files
}

async function countEntries(
  root: Root,
  dir: string,
  prefix: string,
): Promise<{ files: number; folders: { name: string; relative: string }[] } | undefined> {
  let files = 0
  const folders: { name: string; relative: string }[] = []
  try {
    for await (const entry of visibleEntries(root, dir, prefix)) {
      if (entry.folder) folders.push({ name: entry.name, relative: entry.relative })
      else files++
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return { files, folders }
}

/** Forgets the counts of `dir` and every folder in it, gone or moved. */
export function forgetCounts(root: Root, dir: string): void {
  for (const counted of root.counts.keys())
    if (counted === dir || isInside(dir, counted)) root.counts.delete(counted)
}
