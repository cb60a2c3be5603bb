import fs from 'node:fs/promises'
import path from 'node:path'
import { withStoreErrors, StoreError } from './errors.js'
import { requireBucket } from './files.js'
import { bucketPath, entryPath, reachParent } from './paths.js'
import { changing, serially, type Root } from './root.js'
import type { Trash, TrashRecord } from './trash.js'

function trashOf(root: Root): Trash {
  if (!root.trash) throw new StoreError('the host keeps no trash')
  return root.trash
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  )
}

/**
 * Puts back the latest deleted or replaced version of `bucket/file` (a file, or a folder with all
 * it held), byte for byte under its path, making the folders above it again if they are gone.
 * Something of that name in the bucket is never replaced: that clash is a StoreError.
 */
export async function restoreFile(root: Root, bucket: string, file: string): Promise<TrashRecord> {
  const trash = trashOf(root)
  const target = entryPath(root, bucket, file)
  const record = trash.latest(
    (r) => r.kind === 'file' && r.bucket === target.bucket && r.file === target.relative,
  )
  if (!record) throw new StoreError('no such file in the trash')
  await requireBucket(root, target.dir)
  await withStoreErrors('file', () =>
    changing(root, [path.dirname(target.path), target.path], () =>
      serially(root, async () => {
        await reachParent(root, target, 'create')
        if (await exists(target.path))
          throw new StoreError('a file of that name is in the bucket; delete or rename it first')
        await trash.takeOut(record, target.path)
      }),
    ),
  )
  return record
}

/** Puts back the latest deleted bucket of that name, whole. An existing bucket is a clash. */
export async function restoreBucket(root: Root, bucket: string): Promise<TrashRecord> {
  const trash = trashOf(root)
  const dir = bucketPath(root, bucket)
  const name = path.basename(dir)
  const record = trash.latest((r) => r.kind === 'bucket' && r.bucket === name)
  if (!record) throw new StoreError('no such bucket in the trash')
  await withStoreErrors('bucket', () =>
    changing(root, [dir], async () => {
      if (await exists(dir))
        throw new StoreError('a bucket of that name exists; delete or rename it first')
      await trash.takeOut(record, dir)
    }),
  )
  return record
}
