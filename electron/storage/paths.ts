import type { Stats } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { checkName, checkPath, type NameKind } from '../../shared/protocol/index.js'
import { StoreError, type Subject } from './errors.js'
import type { Root } from './root.js'

/**
 * From names sent by clients to paths inside the shared folder. A name is checked with the shared
 * rules (one portable path segment, NFC), a path inside a bucket part by part; the joined path is
 * checked again to stay inside the root. Links are followed only when their target stays inside
 * it too, and never between a bucket and a file in one of its folders.
 */

export function bucketPath(root: Root, bucket: string): string {
  return childPath(root.real, checkedName(bucket, 'bucket'))
}

/** A file or folder inside a bucket, named by a checked relative path. */
export interface Entry {
  /** The bucket's name (NFC). */
  bucket: string
  /** The bucket's folder. */
  dir: string
  /** The checked parts of the relative path (NFC). */
  parts: string[]
  /** The relative path, parts joined by `/`. */
  relative: string
  /** The entry's path on disk. */
  path: string
}

/** Where a relative path inside a bucket is on disk; a name rule broken is a StoreError. */
export function entryPath(
  root: Root,
  bucket: string,
  relative: string,
  kind: 'file' | 'folder' = 'file',
): Entry {
  const dir = bucketPath(root, bucket)
  const check = checkPath(relative, kind)
  if (!check.ok) throw new StoreError(check.reason)
  const full = check.parts.reduce(childPath, dir)
  return { bucket: path.basename(dir), dir, parts: check.parts, relative: check.path, path: full }
}

/**
 * How to treat a missing folder on the way to an entry: fail ("no such folder"), make it, or
 * stop looking (it will be made later; nothing beyond it can be in the way).
 */
export type Missing = 'fail' | 'create' | 'stop'

/**
 * Checks that every folder between the bucket and `entry` is a real folder, not a link: a link
 * planted in a bucket could lead anywhere, or round in a loop. Nothing is made before the whole
 * way is known to be free of links, as a missing folder has nothing below it.
 */
export async function reachParent(
  root: Root,
  entry: Entry,
  missing: Missing = 'fail',
): Promise<void> {
  let dir = entry.dir
  for (const part of entry.parts.slice(0, -1)) {
    dir = path.join(dir, part)
    if (!(await reachFolder(dir, missing))) return
  }
}

/** Checks or makes one folder on the way; false when it is missing and `missing` is 'stop'. */
export async function reachFolder(dir: string, missing: Missing): Promise<boolean> {
  for (;;) {
    const stats = await fs.lstat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
    if (stats?.isDirectory()) return true
    if (stats?.isSymbolicLink()) throw new StoreError('path goes through a link')
    if (stats) throw new StoreError('a file has the name of a folder in the path')
    if (missing === 'stop') return false
    if (missing === 'fail') throw new StoreError('no such folder')
    try {
      await fs.mkdir(dir)
      return true
    } catch (err) {
      // Made meanwhile by someone else: look again at what it is.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/** Whether a name found on disk is one a client can send back unchanged. */
export function isAddressable(name: string, kind: NameKind): boolean {
  const check = checkName(name, kind)
  return check.ok && check.name === name
}

function checkedName(raw: string, kind: NameKind): string {
  const check = checkName(raw, kind)
  if (!check.ok) throw new StoreError(check.reason)
  return check.name
}

function childPath(dir: string, name: string): string {
  const joined = path.join(dir, name)
  // checkName already refuses separators and dot names; this guards against a platform surprise.
  if (path.dirname(joined) !== dir) throw new StoreError('name is not a single path segment')
  return joined
}

/** Whether `p` lies strictly inside `dir` (both absolute). */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}

/** Whether a real path may be served: inside the shared folder and outside its bookkeeping. */
function mayServe(root: Root, real: string): boolean {
  return isInside(root.real, real) && real !== root.reserved && !isInside(root.reserved, real)
}

/**
 * What `p` is. A link is followed only when its target may be served; otherwise it is reported as
 * a failure about `subject`, so nothing outside the shared folder is ever read or written.
 */
export async function statInside(root: Root, p: string, subject: Subject): Promise<Stats> {
  const own = await fs.lstat(p)
  if (!own.isSymbolicLink()) return own
  const real = await fs.realpath(p)
  if (!mayServe(root, real)) throw new StoreError(`${subject} links outside the shared folder`)
  return fs.stat(real)
}

/** Like statInside, but undefined for anything missing, dangling or not servable. */
export async function statIfInside(root: Root, p: string): Promise<Stats | undefined> {
  try {
    return await statInside(root, p, 'file')
  } catch {
    return undefined
  }
}
