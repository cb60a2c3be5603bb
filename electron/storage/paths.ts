import type { Stats } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { checkName } from '../../shared/protocol/index.js'
import { StoreError, type Subject } from './errors.js'
import type { Root } from './root.js'

/**
 * From names sent by clients to paths inside the shared folder. A name is checked with the shared
 * rules (one portable path segment, NFC); the joined path is checked again to stay inside the root,
 * and links are followed only when their target stays inside it too.
 */

export function bucketPath(root: Root, bucket: string): string {
  return childPath(root.real, checkedName(bucket, 'bucket'))
}

export function filePath(root: Root, bucket: string, file: string): { dir: string; path: string } {
  const dir = bucketPath(root, bucket)
  return { dir, path: childPath(dir, checkedName(file, 'file')) }
}

/** Whether a name found on disk is one a client can send back unchanged. */
export function isAddressable(name: string, kind: 'bucket' | 'file'): boolean {
  const check = checkName(name, kind)
  return check.ok && check.name === name
}

function checkedName(raw: string, kind: 'bucket' | 'file'): string {
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
