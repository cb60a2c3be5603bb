import type { Dirent } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { MAX_PATH_BYTES, MAX_PATH_DEPTH, PATH_SEPARATOR } from '../../shared/protocol/index.js'
import { isAddressable, statIfInside } from './paths.js'
import type { Root } from './root.js'

const strict = new TextDecoder('utf-8', { fatal: true })

/**
 * The entries of a folder with their names, read as bytes: a name that is not valid UTF-8 is left
 * out, as no client could send it back (Node would decode it with U+FFFD in place of its bad
 * bytes, a name that opens nothing). Listings and counts all read folders through here, so they
 * always agree on what a folder holds.
 */
async function* namedEntries(dir: string): AsyncGenerator<{ name: string; entry: Dirent }> {
  // Node reads names as bytes with this encoding, though its types for opendir() omit it.
  const options = { bufferSize: 256, encoding: 'buffer' as BufferEncoding }
  for await (const entry of await fs.opendir(dir, options)) {
    let name: string
    try {
      name = strict.decode(entry.name as unknown as Uint8Array)
    } catch {
      continue
    }
    yield { name, entry }
  }
}

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
  for await (const { name, entry } of namedEntries(dir)) {
    if (!isAddressable(name, kind)) continue
    if (entry[wanted]()) {
      yield name
    } else if (entry.isSymbolicLink()) {
      const target = await statIfInside(root, path.join(dir, name))
      if (target?.[wanted]()) yield name
    }
  }
}

/** What a client can see in a folder of a bucket: a file, or a folder it can look into. */
export interface VisibleEntry {
  name: string
  /** The path relative to the bucket, parts joined by `/`. */
  relative: string
  folder: boolean
}

const encoder = new TextEncoder()

/**
 * Streams the files and sub-folders of `dir`, a folder of a bucket at `prefix` (its relative path,
 * empty for the bucket itself): only names a client can send back as a path within the limits.
 * Sub-folders that are links are left out, as paths never go through links; file links are listed
 * when they stay inside the shared folder. Constant memory, as visibleNames.
 */
export async function* visibleEntries(
  root: Root,
  dir: string,
  prefix: string,
): AsyncGenerator<VisibleEntry> {
  const depth = prefix === '' ? 0 : prefix.split(PATH_SEPARATOR).length
  if (depth >= MAX_PATH_DEPTH) return
  const head = prefix === '' ? '' : `${prefix}${PATH_SEPARATOR}`
  const headBytes = encoder.encode(head).length
  for await (const { name, entry } of namedEntries(dir)) {
    if (!isAddressable(name, 'file')) continue
    if (headBytes + encoder.encode(name).length > MAX_PATH_BYTES) continue
    const relative = head + name
    if (entry.isDirectory()) yield { name, relative, folder: true }
    else if (entry.isFile()) yield { name, relative, folder: false }
    else if (entry.isSymbolicLink()) {
      const target = await statIfInside(root, path.join(dir, name))
      if (target?.isFile()) yield { name, relative, folder: false }
    }
  }
}
