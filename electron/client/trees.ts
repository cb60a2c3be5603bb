import { setMaxListeners } from 'node:events'
import fs from 'node:fs/promises'
import path from 'node:path'
import {
  checkPath,
  isFolderEntry,
  PATH_SEPARATOR,
  ProtocolError,
  type ListEntry,
} from '../../shared/protocol/index.js'
import { TRANSFER_CONCURRENCY, type BucketClient } from './client.js'
import {
  fileSource,
  fileTarget,
  LocalFileError,
  localError,
  type DownloadTarget,
  type UploadSource,
} from './endpoints.js'
import { TransportError } from './errors.js'
import { LANE_DEPTH } from './pipeline.js'
import { ProgressMeter, type Progress } from './progress.js'
import type { TransferResult } from './transfers.js'

/** Listeners one file in flight adds to its tree's cancel signal, at most. */
const LISTENERS_PER_FILE = 4
/**
 * Files of a tree in flight at once: as many as the client's lanes carry, so that small files go
 * several at a time on each connection; large ones still wait for one of TRANSFER_CONCURRENCY.
 */
const TREE_WORKERS = TRANSFER_CONCURRENCY * LANE_DEPTH

/**
 * Whole folders moved file by file: a tree upload makes every empty folder and uploads every file
 * under one remote folder; a tree download lists a remote folder and recreates it. Each file moves
 * as any single transfer does (atomically, its sha256 verified), several at a time; the tree
 * reports one progress for all of them.
 */

/** A tree transfer's progress: bytes as for one file, and whole files done of all. */
export interface TreeProgress extends Progress {
  files: number
  filesTotal: number
}

/** How one file of a tree ended. */
export interface TreeFileOutcome {
  /** Its path in the bucket. */
  name: string
  size: number
  state: 'done' | 'failed'
  error?: string
  /** Found there already (same size and sha256): nothing moved. */
  alreadyThere?: true
  /** Continued from this byte, kept by a cut transfer. */
  resumedAt?: number
}

export interface TreeOptions {
  signal?: AbortSignal
  onProgress?: (progress: TreeProgress) => void
  /** Told each file as it ends, for a list of a tree's files. */
  onFile?: (file: TreeFileOutcome) => void
  /** Passed on to the client's `command` event. */
  origin?: string
  /**
   * Each file continues what a cut run of the tree left and is skipped when it is there already
   * (TransferOptions.resume; on by default), so running a cut tree again finishes it.
   */
  resume?: boolean
  /** A cancelled tree download keeps its files' partial bytes (a pause). */
  keepPartial?: boolean | (() => boolean)
  /** Told the local folder a tree download writes, once chosen, to run it again in place. */
  onTreeFolder?: (folder: string) => void
}

export interface TreeResult {
  /** The tree's folder in the bucket. */
  name: string
  files: number
  /** Empty folders made. */
  folders: number
  bytes: number
  /** Files found there already, and files continued from where a cut run left them. */
  skipped: number
  resumed: number
  /** For a download: the local folder written. */
  path?: string
}

/** One file of a tree to move: its path in the bucket and its size. */
interface TreeFile {
  remote: string
  size: number
}

/** A file of a tree to upload, from wherever its bytes come (a local file, a browser's). */
export interface TreeSourceFile {
  /** Its path below the tree's folder (`a/b.txt`). */
  path: string
  size: number
  source: UploadSource
}

/**
 * Where a downloaded tree goes. Paths are given as their parts below the tree's folder, already
 * checked against the name rules (nothing can reach outside it); `[]` is the tree's folder.
 */
export interface TreeSink {
  /** Makes a folder (an empty one of the tree, or the tree's own). */
  folder(parts: string[]): Promise<void>
  /** Where file number `n` of the tree goes (made ready: its folder exists). */
  file(parts: string[], n: number): Promise<DownloadTarget>
  /** What the result names as written, if anything (a local folder). */
  readonly path?: string
}

/**
 * Uploads the local folder `local` under the folder `name` of `bucket` (made, with its empty
 * folders). Links are not followed. Every path is checked against the name rules before anything
 * is sent, so a tree with an unsendable name fails whole, at once.
 */
export async function uploadTree(
  client: BucketClient,
  options: TreeOptions & { local: string; name: string; bucket: string },
): Promise<TreeResult> {
  const root = checked(options.name, 'folder')
  const files: TreeSourceFile[] = []
  const empty: string[] = []
  await walk(options.local, [], files, empty)
  return sendTree(client, { ...options, name: root, files, folders: empty })
}

/**
 * Uploads a tree given as its files (each with its source) and its empty folders, paths relative
 * to the folder `name` of `bucket`. Every path is checked before anything is sent.
 */
export async function sendTree(
  client: BucketClient,
  options: TreeOptions & {
    bucket: string
    name: string
    files: TreeSourceFile[]
    /** Empty folders, relative to the tree's folder (`''`: the tree's folder itself). */
    folders: string[]
  },
): Promise<TreeResult> {
  const { bucket } = options
  const root = checked(options.name, 'folder')
  const under = (relative: string, kind: 'file' | 'folder'): string =>
    relative === '' ? root : checked(`${root}${PATH_SEPARATOR}${relative}`, kind)
  const files = options.files.map((f) => ({ ...f, remote: under(f.path, 'file') }))
  const empty = options.folders.map((f) => under(f, 'folder'))
  // A tree with nothing in it is still a folder of the bucket.
  if (files.length === 0 && empty.length === 0) empty.push(root)
  for (const folder of empty) await client.createFolder(bucket, folder)
  const moved = await moveAll(files, options, (file, common) =>
    client.upload({ ...common, bucket, name: file.remote, source: file.source }),
  )
  return { name: root, files: files.length, folders: empty.length, ...moved }
}

/**
 * Downloads the folder `name` of `bucket` with everything in it. Into `local` when it is an
 * existing folder (as `<local>/<last part of name>`), else as `local` itself, whose parent must
 * exist; `exact`: as `local` itself in any case. Empty folders are made; each file is written
 * beside its place and renamed into it once its sha256 matched.
 */
export async function downloadTree(
  client: BucketClient,
  options: TreeOptions & { bucket: string; name: string; local: string; exact?: boolean },
): Promise<TreeResult> {
  const root = checked(options.name, 'folder')
  const into = options.exact
    ? options.local
    : await treeRoot(options.local, path.posix.basename(root))
  options.onTreeFolder?.(into)
  return receiveTree(client, { ...options, into: folderSink(into) })
}

/** A local folder as the place of a downloaded tree. */
function folderSink(into: string): TreeSink {
  const at = (parts: string[]): string => path.join(into, ...parts)
  return {
    path: into,
    folder: (parts) => makeFolder(at(parts)),
    async file(parts) {
      await makeFolder(path.dirname(at(parts)))
      return fileTarget(at(parts))
    },
  }
}

/**
 * Downloads the folder `name` of `bucket` with everything in it into `into`: its empty folders
 * first, then its files, several at a time.
 */
export async function receiveTree(
  client: BucketClient,
  options: TreeOptions & { bucket: string; name: string; into: TreeSink },
): Promise<TreeResult> {
  const { bucket, into } = options
  const root = checked(options.name, 'folder')
  const entries = await client.listFolder(bucket, root)
  const files: (TreeFile & { parts: string[]; n: number })[] = []
  let folders = 0
  await into.folder([])
  for (const entry of entries) {
    const parts = partsOf(root, entry)
    if (isFolderEntry(entry)) {
      folders++
      if (parts.length > 0) await into.folder(parts)
    } else files.push({ remote: entry.name, size: entry.size, parts, n: files.length })
  }
  const moved = await moveAll(files, options, async (file, common) =>
    client.download({
      ...common,
      bucket,
      name: file.remote,
      target: await into.file(file.parts, file.n),
      size: file.size,
    }),
  )
  return {
    name: root,
    files: files.length,
    folders,
    ...moved,
    ...(into.path === undefined ? {} : { path: into.path }),
  }
}

function checked(raw: string, kind: 'file' | 'folder'): string {
  const check = checkPath(raw, kind)
  if (!check.ok) throw new LocalFileError(`cannot use "${raw}": ${check.reason}`)
  return check.path
}

/** Collects the files and empty folders under `dir`, by their paths below the tree's folder. */
async function walk(
  dir: string,
  parts: string[],
  files: TreeSourceFile[],
  empty: string[],
): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw localError(err, `cannot read "${dir}"`, 'folder')
  })
  let any = false
  for (const entry of entries) {
    const local = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      any = true
      await walk(local, [...parts, entry.name], files, empty)
    } else if (entry.isFile()) {
      any = true
      const relative = [...parts, entry.name].join(PATH_SEPARATOR)
      checked(relative, 'file')
      const stats = await fs.stat(local).catch((err: unknown) => {
        throw localError(err, `cannot read "${local}"`)
      })
      files.push({ path: relative, size: stats.size, source: fileSource(local) })
    }
  }
  if (!any && parts.length > 0) empty.push(checked(parts.join(PATH_SEPARATOR), 'folder'))
}

/** Where a downloaded tree goes: inside an existing folder, or as a new one. */
async function treeRoot(local: string, name: string): Promise<string> {
  const stats = await fs.stat(local).catch(() => undefined)
  if (stats?.isDirectory()) return path.join(local, name)
  const parent = await fs.stat(path.dirname(local)).catch(() => undefined)
  if (!parent?.isDirectory()) throw new LocalFileError(`cannot write "${local}": no such folder`)
  return local
}

/**
 * The parts of a listed entry's path below `root`. The server's paths are checked again here: a
 * listing naming anything outside the folder asked for is refused, never written.
 */
function partsOf(root: string, entry: ListEntry): string[] {
  if (entry.name === root && isFolderEntry(entry)) return []
  const prefix = `${root}${PATH_SEPARATOR}`
  const rest = entry.name.startsWith(prefix) ? entry.name.slice(prefix.length) : undefined
  const check = rest === undefined ? undefined : checkPath(rest)
  if (!check?.ok || check.path !== rest)
    throw new TransportError(
      'protocol',
      `the server listed a path outside the folder: ${entry.name}`,
    )
  return check.parts
}

async function makeFolder(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw localError(err, `cannot make "${dir}"`, 'folder')
  })
}

type Common = Pick<TreeOptions, 'origin' | 'resume'> & {
  signal: AbortSignal
  onProgress: (progress: Progress) => void
  keepPartial: () => boolean
}

/**
 * Moves the files, as many at once as the client runs, with one progress for all. The first
 * failure stops the rest (as cancelling does) and is thrown, naming its file.
 */
async function moveAll<F extends TreeFile>(
  files: F[],
  options: TreeOptions,
  move: (file: F, common: Common) => Promise<TransferResult>,
): Promise<Pick<TreeResult, 'bytes' | 'skipped' | 'resumed'>> {
  const total = files.reduce((sum, f) => sum + f.size, 0)
  let done = 0
  let skipped = 0
  let resumed = 0
  const meter = new ProgressMeter(
    total,
    options.onProgress &&
      ((p) => options.onProgress!({ ...p, files: done, filesTotal: files.length })),
  )
  const stop = new AbortController()
  // Every file in flight listens to it (its connection, its bytes from a page): as many as the
  // workers allow, which is more than Node's default of 10 before it warns of a leak.
  setMaxListeners(TREE_WORKERS * LISTENERS_PER_FILE, stop.signal)
  const cancel = (): void => stop.abort()
  options.signal?.addEventListener('abort', cancel, { once: true })
  if (options.signal?.aborted) stop.abort()
  let failure: Error | undefined
  // Files cut because another failed keep their bytes, as the one that failed does.
  const keep = options.keepPartial
  const common = {
    signal: stop.signal,
    keepPartial: () =>
      failure !== undefined || (typeof keep === 'function' ? keep() : keep === true),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.resume === undefined ? {} : { resume: options.resume }),
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length && !stop.signal.aborted) {
      const file = files[next++]!
      let counted = 0
      const onProgress = (p: Progress): void => {
        meter.add(p.bytes - counted)
        counted = p.bytes
      }
      try {
        const result = await move(file, { ...common, onProgress })
        meter.add(result.size - counted)
        done++
        if (result.alreadyThere) skipped++
        if (result.resumedAt) resumed++
        options.onFile?.({
          name: file.remote,
          size: result.size,
          state: 'done',
          ...(result.alreadyThere ? { alreadyThere: true } : {}),
          ...(result.resumedAt ? { resumedAt: result.resumedAt } : {}),
        })
      } catch (err) {
        meter.add(-counted)
        const message = (err as Error).message
        options.onFile?.({ name: file.remote, size: file.size, state: 'failed', error: message })
        if (!stop.signal.aborted) {
          failure = err instanceof Error ? named(err, file.remote) : new Error(String(err))
          stop.abort()
        }
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(TREE_WORKERS, files.length) }, worker))
  } finally {
    options.signal?.removeEventListener('abort', cancel)
    meter.stop(failure === undefined && !stop.signal.aborted)
  }
  if (failure) throw failure
  if (stop.signal.aborted) throw new TransportError('cancelled', 'cancelled')
  return { bytes: total, skipped, resumed }
}

/** The error, saying which file of the tree it was about; a refusal keeps its code. */
function named(err: Error, file: string): Error {
  if (err instanceof ProtocolError) return new ProtocolError(err.code, `${file}: ${err.detail}`)
  err.message = `${file}: ${err.message}`
  return err
}
