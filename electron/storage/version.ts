import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { visibleNames } from './entries.js'
import { toStoreError } from './errors.js'
import type { Root } from './root.js'

/**
 * The version of a shared folder that `changes` reports: it differs from an earlier one once a
 * bucket or a file was created, deleted or replaced. Two parts: a count of the changes made through
 * this server (exact, however fast they come), and a stamp of the folder's and the buckets'
 * modification times, which also catches changes made on disk behind the server's back.
 */

/** A stamp this recent is shared by every `changes` that asks: many polling clients cost one scan. */
const STAMP_FRESH_MS = 250

interface VersionState {
  /** Changes made through the server since it started. */
  count: number
  stamp?: { at: number; value: Promise<string> }
}

const states = new WeakMap<Root, VersionState>()

function stateOf(root: Root): VersionState {
  let state = states.get(root)
  if (!state) states.set(root, (state = { count: 0 }))
  return state
}

/** Records a change made through the server. */
export function noteChange(root: Root): void {
  stateOf(root).count++
}

/** `<changes made through the server>.<stamp of the folder>`: compare it whole, never parse it. */
export async function folderVersion(root: Root): Promise<string> {
  const state = stateOf(root)
  const count = state.count
  const now = Date.now()
  if (!state.stamp || now - state.stamp.at >= STAMP_FRESH_MS) {
    const value = folderStamp(root).catch((err: unknown) => {
      throw toStoreError(err, 'folder')
    })
    const stamp = { at: now, value }
    state.stamp = stamp
    // A failed scan is not shared beyond the requests already waiting for it.
    value.catch(() => {
      if (state.stamp === stamp) state.stamp = undefined
    })
  }
  return `${count}.${await state.stamp.value}`
}

/**
 * A folder's mtime changes when an entry is added, removed or renamed in it: the shared folder's
 * for buckets, each bucket's for its files. Changing a file's bytes in place is not seen here.
 */
async function folderStamp(root: Root): Promise<string> {
  const hash = createHash('sha256')
  hash.update(String((await fs.stat(root.real)).mtimeMs))
  for await (const name of visibleNames(root, root.real, 'bucket')) {
    const stats = await fs.stat(path.join(root.real, name)).catch(() => undefined)
    hash.update(`\0${name}\0${stats?.mtimeMs ?? 'gone'}`)
  }
  return hash.digest('hex').slice(0, 16)
}
