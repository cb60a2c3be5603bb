import { isFolderEntry, type ListEntry } from '../../shared/protocol/index.js'

/**
 * A bucket's listing is flat (every file by its path, empty folders alone); the file browser shows
 * one folder of it at a time. Each step here is one pass over the listing, so 100,000 files cost
 * a few milliseconds per folder opened.
 */

/** What a drag of rows carries: their paths, for a drop on a folder row or the breadcrumb. */
export const DRAG_TYPE = 'application/x-bucketshare-paths'

/** One row of the browser: a file, or a folder with the size and count of everything in it. */
export interface Row {
  /** The path in the bucket: what commands take, and the row's key. */
  name: string
  /** What the row shows: the last part of the path. */
  label: string
  folder: boolean
  size: number
  modified: number
  /** Files in it (1 for a file). */
  files: number
}

/** The rows of `folder` ('' for the bucket itself): its sub-folders and its files. */
export function rowsOf(entries: readonly ListEntry[], folder: string): Row[] {
  const prefix = folder === '' ? '' : `${folder}/`
  const folders = new Map<string, Row>()
  const files: Row[] = []
  for (const entry of entries) {
    if (!entry.name.startsWith(prefix) || entry.name === folder) continue
    const rest = entry.name.slice(prefix.length)
    const slash = rest.indexOf('/')
    if (slash < 0 && !isFolderEntry(entry)) {
      files.push({ ...entry, label: rest, folder: false, files: 1 })
      continue
    }
    const label = slash < 0 ? rest : rest.slice(0, slash)
    let row = folders.get(label)
    if (!row) {
      row = { name: prefix + label, label, folder: true, size: 0, modified: 0, files: 0 }
      folders.set(label, row)
    }
    if (!isFolderEntry(entry)) {
      row.size += entry.size
      row.modified = Math.max(row.modified, entry.modified)
      row.files++
    }
  }
  return [...folders.values(), ...files]
}

/** Whether `folder` is in the listing (the bucket itself always is). */
export function hasFolder(entries: readonly ListEntry[], folder: string): boolean {
  if (folder === '') return true
  const prefix = `${folder}/`
  return entries.some((e) => e.name.startsWith(prefix) || (isFolderEntry(e) && e.name === folder))
}

/** The folders from the bucket down to `folder`: `a/b` → ['', 'a', 'a/b']. */
export function crumbs(folder: string): { name: string; label: string }[] {
  if (folder === '') return [{ name: '', label: '' }]
  const parts = folder.split('/')
  return [
    { name: '', label: '' },
    ...parts.map((label, i) => ({ name: parts.slice(0, i + 1).join('/'), label })),
  ]
}

/** The folder above `folder`. */
export function parentOf(folder: string): string {
  const slash = folder.lastIndexOf('/')
  return slash < 0 ? '' : folder.slice(0, slash)
}

/** `name` moved into `folder` under its last part. */
export function movedInto(name: string, folder: string): string {
  const label = name.slice(name.lastIndexOf('/') + 1)
  return folder === '' ? label : `${folder}/${label}`
}
