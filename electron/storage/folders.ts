import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { PATH_SEPARATOR } from '../../shared/protocol/index.js'
import { forgetCounts } from './buckets.js'
import { withStoreErrors, StoreError } from './errors.js'
import { deleteFile, requireBucket } from './files.js'
import { entryPath, reachFolder, reachParent, statInside, type Entry } from './paths.js'
import { changing, serially, type Root } from './root.js'
import { removal, type Actor } from './trash.js'
import { stagingFor } from './staging.js'

/**
 * Folders inside buckets: made, renamed or moved, and deleted with everything in them. Changes to
 * the tree go one at a time (`serially`) with the final step of uploads, so a check holds until
 * the change it guards is made.
 */

/** Makes a folder (and the folders above it) in a bucket; one that exists already is fine. */
export async function createFolder(root: Root, bucket: string, folder: string): Promise<void> {
  const target = entryPath(root, bucket, folder, 'folder')
  await requireBucket(root, target.dir)
  await withStoreErrors('folder', () =>
    changing(root, [target.path], async () => {
      await reachParent(root, target, 'create')
      await reachFolder(target.path, 'create')
    }),
  )
}

/**
 * Deletes a file, or a folder and everything in it: into the trash when the host keeps one. A
 * link loses the link only.
 */
export async function deleteEntry(
  root: Root,
  bucket: string,
  name: string,
  by: Actor,
): Promise<void> {
  const target = entryPath(root, bucket, name)
  const { dev } = await requireBucket(root, target.dir)
  await withStoreErrors('file', () => reachParent(root, target))
  const own = await withStoreErrors('file', () => fs.lstat(target.path))
  if (own.isDirectory()) await deleteFolder(root, target, dev, by)
  else await deleteFile(root, target, own, by)
}

/**
 * A folder leaves its bucket in one rename, into the trash or the staging folder (to be emptied
 * there): an upload finishing meanwhile lands either before (and goes with it) or after (in a new
 * folder), never in a half-deleted one. What a removal leaves is cleared when the server starts
 * next.
 */
async function deleteFolder(root: Root, target: Entry, device: number, by: Actor): Promise<void> {
  const staging = await stagingFor(root, target.dir, device)
  const removing = path.join(staging, `${randomUUID()}.removing`)
  const record = removal(
    { kind: 'file', bucket: target.bucket, file: target.relative },
    'deleted',
    by,
  )
  const moved = await withStoreErrors('folder', () =>
    changing(root, [target.path], () =>
      serially(root, async () => {
        if (!(await fs.lstat(target.path)).isDirectory()) throw new StoreError('no such file')
        if (await root.trash?.keep(target.path, record)) return false
        try {
          await fs.rename(target.path, removing)
          return true
        } catch (err) {
          // A drive mounted at the folder: it can only be emptied where it is.
          if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
          await fs.rm(target.path, { recursive: true })
          return false
        }
      }),
    ),
  )
  forgetCounts(root, target.path)
  if (moved) await fs.rm(removing, { recursive: true, force: true }).catch(() => undefined)
}

/**
 * Renames or moves a file or folder within a bucket in one rename on disk, making the folders
 * above its new path as needed. Never replaces anything: an existing `to` is refused.
 */
export async function renameEntry(
  root: Root,
  bucket: string,
  from: string,
  to: string,
): Promise<void> {
  const source = entryPath(root, bucket, from)
  const dest = entryPath(root, bucket, to)
  await requireBucket(root, source.dir)
  await withStoreErrors('file', () =>
    changing(root, [source.path, dest.path], () =>
      serially(root, async () => {
        await reachParent(root, source)
        const own = await fs.lstat(source.path)
        if (own.isSymbolicLink()) await statInside(root, source.path, 'file')
        const folder = own.isDirectory()
        if (
          folder &&
          `${dest.relative}${PATH_SEPARATOR}`.startsWith(`${source.relative}${PATH_SEPARATOR}`)
        )
          throw new StoreError('a folder cannot move into itself')
        await reachParent(root, dest, 'stop')
        const existing = await fs.lstat(dest.path).catch(() => undefined)
        // The same entry under another case, on a file system that ignores case, may be renamed.
        if (existing && !(existing.ino === own.ino && existing.dev === own.dev))
          throw new StoreError(`${existing.isDirectory() ? 'folder' : 'file'} already exists`)
        await reachParent(root, dest, 'create')
        await fs.rename(source.path, dest.path)
        if (folder) forgetCounts(root, source.path)
      }),
    ),
  )
}
