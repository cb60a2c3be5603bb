import fs from 'node:fs/promises'
import path from 'node:path'
import type { BucketEntry } from '../../shared/protocol/index.js'
import { about, StoreError, toStoreError } from './errors.js'
import { visibleNames } from './entries.js'
import { bucketPath, statInside } from './paths.js'
import type { Root } from './root.js'

export async function createBucket(root: Root, name: string): Promise<void> {
  const dir = bucketPath(root, name)
  await about('bucket', () => fs.mkdir(dir))
}

/** Deletes a bucket and every file in it. A bucket that is a link loses the link only. */
export async function deleteBucket(root: Root, name: string): Promise<void> {
  const dir = bucketPath(root, name)
  await about('bucket', async () => {
    const stats = await statInside(root, dir, 'bucket')
    if (!stats.isDirectory()) throw new StoreError('no such bucket')
    await fs.rm(dir, { recursive: true })
  })
}

/**
 * Streams the buckets with their number of files. A bucket removed while the listing runs is left
 * out; any other failure ends the listing with a StoreError.
 */
export async function* listBuckets(root: Root): AsyncGenerator<BucketEntry> {
  try {
    for await (const name of visibleNames(root, root.real, 'bucket')) {
      const files = await countFiles(root, path.join(root.real, name))
      if (files !== undefined) yield { name, files }
    }
  } catch (err) {
    throw toStoreError(err, 'folder')
  }
}

async function countFiles(root: Root, dir: string): Promise<number | undefined> {
  let files = 0
  const names = visibleNames(root, dir, 'file')
  try {
    while (!(await names.next()).done) files++
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return files
}
