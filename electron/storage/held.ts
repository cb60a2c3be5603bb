import fs from 'node:fs/promises'
import { withStoreErrors } from './errors.js'
import { hashPrefix } from './hashing.js'
import { requireBucket } from './files.js'
import { entryPath, reachParent, statIfInside } from './paths.js'
import type { Root } from './root.js'
import type { Held } from './store.js'

export async function heldFor(
  root: Root,
  bucket: string,
  file: string,
  size: number,
): Promise<Held> {
  const target = entryPath(root, bucket, file)
  await requireBucket(root, target.dir)
  const kept = await root.partials.find(target.path, size)
  // A path through a link or a missing folder names no file here.
  const reachable = await reachParent(root, target, 'fail').then(
    () => true,
    () => false,
  )
  const same = reachable ? await sameSizeDigest(root, target.path, size) : undefined
  return {
    ...(kept ? { partial: { bytes: kept.held, sha256: kept.sha256 } } : {}),
    ...(same ? { same } : {}),
  }
}

/** The sha256 of the file, when it is a file of `size` bytes: remembered, or read now. */
async function sameSizeDigest(root: Root, file: string, size: number): Promise<string | undefined> {
  const stats = await statIfInside(root, file)
  if (!stats?.isFile() || stats.size !== size) return undefined
  return withStoreErrors('file', async () => {
    const handle = await fs.open(file, 'r')
    try {
      const opened = await handle.stat({ bigint: true })
      if (!opened.isFile() || Number(opened.size) !== size) return undefined
      const known = root.digests.get(file, opened)
      if (known) return known
      const hash = await hashPrefix(handle, size).catch(() => undefined)
      if (!hash) return undefined
      const sha256 = hash.digest('hex')
      root.digests.set(file, opened, sha256)
      return sha256
    } finally {
      await handle.close()
    }
  })
}
