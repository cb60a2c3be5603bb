import fs from 'node:fs/promises'
import path from 'node:path'
import { PATH_SEPARATOR } from '../../shared/protocol/index.js'
import { StoreError } from './errors.js'
import type { Entry } from './paths.js'
import type { Root } from './root.js'
import { removal, type Actor } from './trash.js'

/** How a finished upload takes its place in the bucket. */
export interface Placement {
  /** Who uploads, for the trash's record of a replaced file. */
  by: Actor
  /**
   * Replace a file of the same name (the old one goes to the trash), or store the upload under a
   * free name beside it (`name (2).ext`), as a drop box does.
   */
  replace: boolean
}

/** Where the upload went. */
export interface Placed {
  /** The path it was stored under: the asked one unless it was taken and not to be replaced. */
  name: string
  path: string
  /** An existing file was replaced (and kept in the trash, when the host has one). */
  replaced: boolean
}

/** Names tried for a drop before giving up. */
const MAX_VARIANTS = 10_000

/**
 * Moves the complete file `temp` into the bucket under `target.path`, as `how` says; the folder
 * it goes into exists.
 */
export async function place(
  root: Root,
  temp: string,
  target: Entry,
  how: Placement,
): Promise<Placed> {
  if (!how.replace) return placeBeside(temp, target)
  const existing = await fs.lstat(target.path).catch(() => undefined)
  if (existing?.isDirectory()) throw new StoreError('a folder has that name')
  if (existing && root.trash) {
    // A second name for the old file first: the bucket never lacks the file, even for a moment.
    await root.trash.keep(
      target.path,
      removal({ kind: 'file', bucket: target.bucket, file: target.relative }, 'replaced', how.by),
      'link',
    )
  }
  await fs.rename(temp, target.path)
  return { name: target.relative, path: target.path, replaced: existing !== undefined }
}

/**
 * Stores `temp` under `name` or, when that is taken, the first free `name (n).ext`. A hard link
 * never replaces what exists, so two drops of the same name at once both keep their file.
 */
async function placeBeside(temp: string, target: Entry): Promise<Placed> {
  const dir = path.dirname(target.path)
  const parts = target.parts.slice(0, -1)
  const { name: stem, ext } = splitName(path.basename(target.path))
  for (let n = 1; n <= MAX_VARIANTS; n++) {
    const candidate = [...parts, n === 1 ? `${stem}${ext}` : `${stem} (${n})${ext}`].join(
      PATH_SEPARATOR,
    )
    const p = path.join(dir, path.basename(candidate))
    try {
      await fs.link(temp, p)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      // Without hard links (some file systems): a check then a rename, good enough for one host.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err
      if (
        await fs.lstat(p).then(
          () => true,
          () => false,
        )
      )
        continue
      await fs.rename(temp, p)
      return { name: candidate, path: p, replaced: false }
    }
    await fs.unlink(temp)
    return { name: candidate, path: p, replaced: false }
  }
  throw new StoreError('too many files of that name')
}

/** "report.final.pdf" → "report.final" + ".pdf"; a leading dot is part of the name. */
function splitName(name: string): { name: string; ext: string } {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? { name: name.slice(0, dot), ext: name.slice(dot) } : { name, ext: '' }
}
