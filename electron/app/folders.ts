import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FolderListing } from '../../shared/ipc.js'
import { reasonFor } from '../../shared/errno.js'
import { AppError } from './errors.js'

/** Sub-folders listed at most, so that a huge folder cannot flood the page. */
export const MAX_FOLDERS = 5_000

/**
 * The folder browser of browser mode, where the page cannot open a native dialog: lists the
 * sub-folders of one folder of this computer, as the user running the app may read them. Only an
 * absolute path is taken; it is resolved to its real path (no `..`, no links left), and only folder
 * names come back, never file contents. Hidden folders (a leading dot) are left out.
 */
export async function listFolder(dir: string | undefined): Promise<FolderListing> {
  const given = dir ?? os.homedir()
  if (!path.isAbsolute(given) || given.includes('\0'))
    throw new AppError('INVALID_ARGUMENT', 'Give a full path, such as /home/me/Shared')
  let real: string
  try {
    real = await fs.realpath(path.resolve(given))
    if (!(await fs.stat(real)).isDirectory())
      throw new AppError('INVALID_ARGUMENT', `${given} is not a folder`)
  } catch (err) {
    if (err instanceof AppError) throw err
    const code = (err as NodeJS.ErrnoException).code ?? ''
    throw new AppError('INVALID_ARGUMENT', `Cannot open ${given}: ${reasonFor(code, 'folder')}`)
  }
  const folders: string[] = []
  try {
    for (const entry of await fs.readdir(real, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const isFolder =
        entry.isDirectory() ||
        (entry.isSymbolicLink() &&
          (await fs.stat(path.join(real, entry.name)).catch(() => undefined))?.isDirectory())
      if (isFolder) folders.push(entry.name)
      if (folders.length >= MAX_FOLDERS) break
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    throw new AppError('INVALID_ARGUMENT', `Cannot open ${given}: ${reasonFor(code, 'folder')}`)
  }
  const parent = path.dirname(real)
  return {
    path: real,
    parent: parent === real ? null : parent,
    folders: folders.sort((a, b) => a.localeCompare(b)),
  }
}
