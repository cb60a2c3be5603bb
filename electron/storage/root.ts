import fs from 'node:fs/promises'
import path from 'node:path'
import { RESERVED_NAME, type BucketEntry } from '../../shared/protocol/index.js'
import { DigestCache } from './digests.js'
import { reasonFor } from '../../shared/errno.js'
import { SetupError } from './errors.js'
import { isInside } from './paths.js'
import { noteChange } from './version.js'
import { Trash, type TrashOptions } from './trash.js'
import {
  DEFAULT_KEEP_PARTIALS_MS,
  DEFAULT_MAX_PARTIAL_BYTES,
  Partials,
  type KeepOptions,
} from './partials.js'

/** The shared folder: every bucket is a folder directly inside it. */
export interface Root {
  /** The folder as it was given, made absolute: what a person recognises. */
  readonly path: string
  /** Its real path (links resolved); every containment check is made against it. */
  readonly real: string
  /** `<real>/.bucketshare`, the server's own bookkeeping; no name can reach it. */
  readonly reserved: string
  /** Where uploads are written until they are complete. */
  readonly staging: string
  /** The file system (device) the staging folder is on. */
  readonly stagingDevice: number
  /**
   * Staging folders of buckets on other file systems (drives mounted in the shared folder), each
   * emptied of an earlier run's leftovers, but for kept uploads, when first used.
   */
  readonly bucketStaging: Map<string, Promise<void>>
  /**
   * What each folder of a bucket holds, by folder: its number of files and its sub-folders, valid
   * while the folder's mtime is unchanged.
   */
  readonly counts: Map<string, FolderCount | Changed>
  /** The latest bucket listing, shared by the `ls_b`s that arrive while it is fresh. */
  readonly listing: ListingCache
  /** The sha256 of large files sent or received whole, while they are unchanged. */
  readonly digests: DigestCache
  /** The last change to the tree of folders queued (see `serially`). */
  readonly tree: { tail: Promise<unknown> }
  /** Where deleted and replaced files go, when the host keeps a trash. */
  readonly trash: Trash | undefined
  /** Cut uploads kept in the staging folders for a later upload to continue. */
  readonly partials: Partials
}

export interface FolderCount {
  /** `listing.generation` when the count began: a change to the folder since makes it void. */
  generation: number
  mtimeMs: number
  countedAt: number
  /** Files directly in the folder. */
  files: number
  /** Its sub-folders, by name and path in the bucket. */
  folders: { name: string; relative: string }[]
}

/** Left in `counts` by a change to a folder: no count that began before `generation` may be kept. */
export interface Changed {
  generation: number
  changed: true
}

export interface ListingCache {
  /** Moved on when a change made through the server begins and when it ends. */
  generation: number
  /** The latest bucket listing; shared only while `generation` is unchanged. */
  latest?: {
    generation: number
    /** When the folder was read. */
    at: number
    /** The folder being read. */
    scan: Promise<BucketEntry[]>
  }
}

/**
 * Makes a change through the server to the folders `dirs` (and their parents up to the bucket):
 * listings and counts begun before it ends, which may or may not have seen it, are never used
 * once it is over (a cache is versioned, never patched by a guess of what it saw).
 */
export async function changing<T>(root: Root, dirs: string[], work: () => Promise<T>): Promise<T> {
  invalidate(root, dirs)
  try {
    return await work()
  } finally {
    invalidate(root, dirs)
    noteChange(root)
  }
}

function invalidate(root: Root, dirs: string[]): void {
  const generation = ++root.listing.generation
  for (const dir of dirs)
    for (let d = dir; isInside(root.real, d); d = path.dirname(d))
      root.counts.set(d, { generation, changed: true })
}

/** Whether a count that began at `generation` may be kept for `dir`: nothing changed it since. */
export function mayKeepCount(root: Root, dir: string, generation: number): boolean {
  const current = root.counts.get(dir)
  return current === undefined || current.generation <= generation
}

/**
 * Runs `work` once every change queued before it is done. Renames, folder removals and the final
 * step of uploads go one at a time, so what one checked (a name free, a folder there) still holds
 * when it acts: a rename never replaces a file an upload has just put there.
 */
export function serially<T>(root: Root, work: () => Promise<T>): Promise<T> {
  const run = root.tree.tail.then(work, work)
  root.tree.tail = run.catch(() => undefined)
  return run
}

/**
 * Checks that `dir` is a folder, and prepares its staging folder, emptied of the leftovers of an
 * earlier run but for the cut uploads kept to be continued. Fails with a message fit to show a
 * person.
 */
export async function openRoot(
  dir: string,
  options: { trash?: TrashOptions; keep?: Partial<KeepOptions> } = {},
): Promise<Root> {
  const keep = options.keep ?? {}
  const given = path.resolve(dir)
  const stats = await fs.stat(given).catch((err: NodeJS.ErrnoException) => {
    throw new SetupError(`Cannot share "${given}": ${reasonFor(err.code ?? '', 'folder')}`)
  })
  if (!stats.isDirectory()) throw new SetupError(`Cannot share "${given}": it is not a folder`)
  const real = await fs.realpath(given)
  const reserved = path.join(real, RESERVED_NAME)
  const staging = path.join(reserved, 'staging')
  if (await isNotFolder(reserved))
    throw new SetupError(
      `Cannot share "${given}": "${reserved}" is not a folder; move it away first`,
    )
  const partials = new Partials({
    keepMs: keep.keepMs ?? DEFAULT_KEEP_PARTIALS_MS,
    maxBytes: keep.maxBytes ?? DEFAULT_MAX_PARTIAL_BYTES,
  })
  let stagingDevice: number
  try {
    stagingDevice = await partials.load(staging)
  } catch (err) {
    const reason = reasonFor((err as NodeJS.ErrnoException).code ?? '', 'folder')
    throw new SetupError(`Cannot prepare "${staging}": ${reason}`)
  }
  const trashDir = path.join(reserved, 'trash')
  const trash =
    options.trash && options.trash.days > 0
      ? await Trash.open(trashDir, options.trash).catch((err: NodeJS.ErrnoException) => {
          throw new SetupError(
            `Cannot prepare "${trashDir}": ${reasonFor(err.code ?? '', 'folder')}`,
          )
        })
      : undefined
  return {
    path: given,
    real,
    reserved,
    staging,
    stagingDevice,
    bucketStaging: new Map(),
    counts: new Map(),
    listing: { generation: 0 },
    digests: new DigestCache(),
    tree: { tail: Promise.resolve() },
    trash,
    partials,
  }
}

/**
 * Whether something other than a real folder has the reserved name: a link there would make the
 * clean-up of its staging folder delete files elsewhere.
 */
export async function isNotFolder(reserved: string): Promise<boolean> {
  const existing = await fs.lstat(reserved).catch(() => undefined)
  return existing !== undefined && !existing.isDirectory()
}
