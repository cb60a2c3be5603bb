import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
// The small build of zod: the headless server loads this module at start (see docs/performance.md).
import * as z from 'zod/mini'

/** Who removed something, as the trash records it. */
export interface Actor {
  /** Label of the access code ("anyone" on a host that asks for none). */
  label: string
  /** The client's IP address. */
  address: string
}

const count = z.int().check(z.nonnegative())

export const TrashRecord = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-z-]+$/)),
  /** A file, or a whole bucket. */
  kind: z.enum(['file', 'bucket']),
  bucket: z.string(),
  /** The file's name, empty for a bucket. */
  file: z.string(),
  /** Deleted, or replaced by an upload of the same name. */
  cause: z.enum(['deleted', 'replaced']),
  /** Bytes (of every file, for a bucket). */
  size: count,
  /** Files in a bucket; 1 for a file. */
  files: count,
  /** Milliseconds since the epoch. */
  deletedAt: z.number(),
  by: z.string(),
  from: z.string(),
})
export type TrashRecord = z.infer<typeof TrashRecord>

/** What a caller says of a removal; the trash measures the rest (size, files, time). */
export type Removal = Omit<TrashRecord, 'id' | 'size' | 'files' | 'deletedAt'>

/** The record of `what` removed by `by`, for `cause`. */
export function removal(
  what: Pick<TrashRecord, 'kind' | 'bucket' | 'file'>,
  cause: TrashRecord['cause'],
  by: Actor,
): Removal {
  return { ...what, cause, by: by.label, from: by.address }
}

export interface TrashOptions {
  /** Entries older than this are dropped; 0 turns the trash off. */
  days: number
  /** The trash is kept under this many bytes, the oldest entries dropped first. */
  maxBytes: number
}

export const DEFAULT_TRASH: TrashOptions = { days: 30, maxBytes: 10 * 1024 ** 3 }

const DAY_MS = 86_400_000
/** Expired entries are dropped at least this often while the host runs. */
const PRUNE_EVERY_MS = 3_600_000
const RECORD = 'entry.json'
const ITEM = 'item'

/**
 * The host's trash: what delete_f, delete_b and replacing uploads remove is moved (renamed, so it
 * costs no copy) into `<reserved>/trash/<id>/item`, beside a record of what it was, who removed it
 * and when. It survives restarts; entries expire after `days` and the oldest go first beyond
 * `maxBytes`. Changes are made one at a time.
 */
export class Trash {
  private readonly records = new Map<string, TrashRecord>()
  private queue: Promise<unknown> = Promise.resolve()
  private readonly timer: NodeJS.Timeout
  /** Told after an entry came or went (the host's app shows the trash). */
  private readonly listeners = new Set<() => void>()

  private constructor(
    /** `<reserved>/trash`. */
    readonly dir: string,
    readonly options: TrashOptions,
    /** The file system the trash is on: only what is on it can be moved in. */
    readonly device: number,
  ) {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref()
  }

  /**
   * Opens the trash in `dir` (made at the first entry, inside an existing folder), reading its
   * records and dropping broken or old ones.
   */
  static async open(dir: string, options: TrashOptions): Promise<Trash> {
    const trash = new Trash(dir, options, (await fs.stat(path.dirname(dir))).dev)
    const ids = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return []
      throw err
    })
    for (const id of ids) {
      const record = await readRecord(path.join(dir, id))
      if (record?.id === id) trash.records.set(id, record)
      else await fs.rm(path.join(dir, id), { recursive: true, force: true })
    }
    await trash.prune()
    return trash
  }

  close(): void {
    clearInterval(this.timer)
    this.listeners.clear()
  }

  /** Calls `listener` after each change of the entries; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private tellListeners(): void {
    for (const listener of this.listeners) listener()
  }

  /** Entries, newest first; only those `keep` accepts. */
  list(keep: (record: TrashRecord) => boolean = () => true): TrashRecord[] {
    const now = Date.now()
    return [...this.records.values()]
      .filter((r) => !this.expired(r, now) && keep(r))
      .sort((a, b) => b.deletedAt - a.deletedAt || (a.id < b.id ? 1 : -1))
  }

  /** The newest entry that `match` accepts. */
  latest(match: (record: TrashRecord) => boolean): TrashRecord | undefined {
    return this.list(match)[0]
  }

  /** Where an entry's file or bucket folder is. */
  itemPath(record: TrashRecord): string {
    return path.join(this.dir, record.id, ITEM)
  }

  /**
   * Moves `target` into the trash with its record. `link` keeps a second name for the file instead
   * of moving it (for an upload about to replace it in one rename). False when it cannot be kept
   * (another file system): nothing was changed then.
   */
  keep(target: string, about: Removal, how: 'move' | 'link' = 'move'): Promise<boolean> {
    return this.serial(async () => {
      const stats = await fs.lstat(target)
      if (stats.dev !== this.device) return false
      const id = newId()
      const entry = path.join(this.dir, id)
      const item = path.join(entry, ITEM)
      await fs.mkdir(entry, { recursive: true })
      try {
        if (how === 'link') await fs.link(target, item).catch(() => fs.rename(target, item))
        else await fs.rename(target, item)
      } catch (err) {
        await fs.rm(entry, { recursive: true, force: true })
        if ((err as NodeJS.ErrnoException).code === 'EXDEV') return false
        throw err
      }
      const { size, files } = stats.isDirectory()
        ? await measure(item)
        : { size: stats.size, files: 1 }
      const record: TrashRecord = { ...about, id, size, files, deletedAt: Date.now() }
      await writeRecord(entry, record)
      this.records.set(id, record)
      this.tellListeners()
      await this.dropOldest()
      return true
    })
  }

  /**
   * Moves an entry's item back to `target`, which must not exist (checked just before; a clash is
   * the caller's to report), and forgets the entry.
   */
  takeOut(record: TrashRecord, target: string): Promise<void> {
    return this.serial(async () => {
      if (!this.records.has(record.id)) throw new Error('entry already gone')
      await fs.rename(this.itemPath(record), target)
      this.records.delete(record.id)
      this.tellListeners()
      await fs.rm(path.join(this.dir, record.id), { recursive: true, force: true })
    })
  }

  /** Drops entries for good: the given ones, or every one. */
  empty(ids?: readonly string[]): Promise<number> {
    return this.serial(async () => {
      const gone = ids ?? [...this.records.keys()]
      let dropped = 0
      for (const id of gone) if (await this.drop(id)) dropped++
      return dropped
    })
  }

  /** Drops expired entries, then the oldest ones beyond the size bound. */
  prune(): Promise<void> {
    return this.serial(() => this.dropOldest())
  }

  private expired(record: TrashRecord, now: number): boolean {
    return now - record.deletedAt >= this.options.days * DAY_MS
  }

  private async dropOldest(): Promise<void> {
    const now = Date.now()
    const oldestFirst = [...this.records.values()].sort((a, b) => a.deletedAt - b.deletedAt)
    let total = oldestFirst.reduce((sum, r) => sum + r.size, 0)
    for (const record of oldestFirst) {
      if (!this.expired(record, now) && total <= this.options.maxBytes) continue
      total -= record.size
      await this.drop(record.id)
    }
  }

  private async drop(id: string): Promise<boolean> {
    if (!this.records.delete(id)) return false
    this.tellListeners()
    await fs.rm(path.join(this.dir, id), { recursive: true, force: true })
    return true
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work)
    this.queue = run.catch(() => undefined)
    return run
  }
}

/** Sortable by time, unique among entries made in the same millisecond. */
function newId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`
}

async function readRecord(entry: string): Promise<TrashRecord | undefined> {
  try {
    await fs.lstat(path.join(entry, ITEM))
    const parsed = TrashRecord.safeParse(
      JSON.parse(await fs.readFile(path.join(entry, RECORD), 'utf8')),
    )
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** Written beside the item once it is in: an entry without a record is a crash's leftover. */
async function writeRecord(entry: string, record: TrashRecord): Promise<void> {
  const temp = path.join(entry, `${RECORD}.tmp`)
  await fs.writeFile(temp, JSON.stringify(record))
  await fs.rename(temp, path.join(entry, RECORD))
}

/** Bytes and files under a folder (links counted as themselves, not followed). */
async function measure(dir: string): Promise<{ size: number; files: number }> {
  let size = 0
  let files = 0
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue
    files++
    size += (await fs.lstat(path.join(entry.parentPath, entry.name))).size
  }
  return { size, files }
}
