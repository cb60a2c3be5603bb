import fs from 'node:fs/promises'
import path from 'node:path'
import { isAddressable, statIfInside } from './paths.js'
import type { Root } from './root.js'

/**
 * Streams the names of the folders (`bucket`) or regular files (`file`) in `dir` that a client can
 * see: names a client can send back unchanged, and links only when they stay inside the shared
 * folder. Reads the folder with opendir, so a folder of any size costs constant memory.
 */
export async function* visibleNames(
  root: Root,
  dir: string,
  kind: 'bucket' | 'file',
): AsyncGenerator<string> {
  const wanted = kind === 'bucket' ? 'isDirectory' : 'isFile'
  for await (const entry of await fs.opendir(dir, { bufferSize: 256 })) {
    if (!isAddressable(entry.name, kind)) continue
    if (entry[wanted]()) {
      yield entry.name
    } else if (entry.isSymbolicLink()) {
      const target = await statIfInside(root, path.join(dir, entry.name))
      if (target?.[wanted]()) yield entry.name
    }
  }
}
