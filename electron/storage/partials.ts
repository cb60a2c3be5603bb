import fs from 'node:fs/promises'
import path from 'node:path'

/** A cut upload's bytes are kept this long after its last byte arrived … */
export const DEFAULT_KEEP_PARTIALS_MS = 24 * 60 * 60 * 1000
/** … and kept uploads take at most this much disk together (the oldest go first). */
export const DEFAULT_MAX_PARTIAL_BYTES = 64 * 1024 ** 3

export interface KeepOptions {
  keepMs: number
  maxBytes: number
}

/**
 * What the server holds of an upload, written beside its staging file (`<id>.part` and `<id>.json`)
 * each time its bytes were made durable, so that a restarted server can continue it.
 */
export interface PartialRecord {
  /** The file the upload is for. */
  target: string
  /** The size the upload announced. */
  size: number
  /** Bytes on disk (synced) from the start of the file. */
  held: number
  /** sha256 of those bytes, hex. */
  sha256: string
  /** When they were last added to, ms since the epoch. */
  updated: number
}

/** A kept upload: its record and where its bytes are. */
export interface KeptUpload extends PartialRecord {
  /** The staging file, `<id>.part`. */
  file: string
}

export function recordPath(file: string): string {
  return file.replace(/\.part$/, '.json')
}

/** Writes the record in one rename, so a crash leaves the old record or the new, never half. */
export async function writeRecord(file: string, record: PartialRecord): Promise<void> {
  const json = recordPath(file)
  await fs.writeFile(`${json}.new`, JSON.stringify(record))
  await fs.rename(`${json}.new`, json)
}

function keyOf(target: string, size: number): string {
  return `${size}:${target}`
}

/**
 * The cut uploads the server keeps for a later upload of the same file to continue: at most one per
 * file and size, none older than `keepMs`, `maxBytes` together. An upload continuing one claims it,
 * so that two clients never write the same staging file.
 */
export class Partials {
  /** Kept uploads by file and size, least recently kept first. */
  private readonly kept = new Map<string, KeptUpload>()
  /** Files and sizes an upload is continuing right now. */
  private readonly busy = new Set<string>()

  constructor(readonly options: KeepOptions) {}

  /**
   * Empties a staging folder of everything but the kept uploads (creating it), which it takes in;
   * returns the folder's device.
   */
  async load(staging: string): Promise<number> {
    await fs.mkdir(staging, { recursive: true })
    const names = await fs.readdir(staging)
    const records: KeptUpload[] = []
    for (const name of names) {
      if (!name.endsWith('.json')) continue
      const file = path.join(staging, name.replace(/\.json$/, '.part'))
      const record = await readRecord(path.join(staging, name))
      const stats = await fs.stat(file).catch(() => undefined)
      if (record && stats && stats.size >= record.held) records.push({ ...record, file })
    }
    const keep = new Set(records.flatMap((r) => [r.file, recordPath(r.file)]))
    await Promise.all(
      names
        .map((name) => path.join(staging, name))
        .filter((p) => !keep.has(p))
        .map((p) => fs.rm(p, { recursive: true, force: true })),
    )
    records.sort((a, b) => a.updated - b.updated)
    for (const record of records) await this.keep(record)
    return (await fs.stat(staging)).dev
  }

  /** The kept upload of `target` with `size` bytes, unless expired or being continued. */
  async find(target: string, size: number): Promise<KeptUpload | undefined> {
    await this.expire()
    return this.kept.get(keyOf(target, size))
  }

  /**
   * Takes the kept upload for continuing: 'busy' when another upload continues it already. Call
   * release() once done, whichever way.
   */
  async claim(target: string, size: number): Promise<KeptUpload | 'busy' | undefined> {
    const key = keyOf(target, size)
    if (this.busy.has(key)) return 'busy'
    const partial = await this.find(target, size)
    if (partial) {
      this.kept.delete(key)
      this.busy.add(key)
    }
    return partial
  }

  release(target: string, size: number): void {
    this.busy.delete(keyOf(target, size))
  }

  /** Keeps a cut upload, replacing an older one of the same file and size. */
  async keep(partial: KeptUpload): Promise<void> {
    const key = keyOf(partial.target, partial.size)
    const older = this.kept.get(key)
    this.kept.delete(key)
    if (older && older.file !== partial.file) await remove(older)
    this.kept.set(key, partial)
    await this.expire()
  }

  /** A new upload of that file and size replaces its kept one, if it is not being continued. */
  async forget(target: string, size: number): Promise<void> {
    const key = keyOf(target, size)
    const partial = this.kept.get(key)
    if (!partial) return
    this.kept.delete(key)
    await remove(partial)
  }

  /**
   * Drops kept uploads, oldest first, until `needed` bytes are free beside `free`; returns the
   * bytes free then. Kept bytes count as free space an upload may take.
   */
  async makeRoom(needed: number, free: number): Promise<number> {
    for (const [key, partial] of this.kept) {
      if (free >= needed) break
      this.kept.delete(key)
      await remove(partial)
      free += partial.held
    }
    return free
  }

  /** Bytes the kept uploads hold together. */
  get bytes(): number {
    let total = 0
    for (const p of this.kept.values()) total += p.held
    return total
  }

  get count(): number {
    return this.kept.size
  }

  /** Drops expired uploads, then the oldest while over the size bound. */
  private async expire(): Promise<void> {
    const oldest = Date.now() - this.options.keepMs
    let total = this.bytes
    for (const [key, partial] of this.kept) {
      if (partial.updated >= oldest && total <= this.options.maxBytes) break
      this.kept.delete(key)
      total -= partial.held
      await remove(partial)
    }
  }
}

async function remove(partial: KeptUpload): Promise<void> {
  await Promise.all(
    [partial.file, recordPath(partial.file)].map((p) => fs.rm(p, { force: true }).catch(() => {})),
  )
}

async function readRecord(json: string): Promise<PartialRecord | undefined> {
  try {
    const r = JSON.parse(await fs.readFile(json, 'utf8')) as KeptUpload
    const whole = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0
    const valid =
      typeof r.target === 'string' &&
      whole(r.size) &&
      whole(r.held) &&
      r.held <= r.size &&
      typeof r.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(r.sha256) &&
      whole(r.updated)
    return valid
      ? { target: r.target, size: r.size, held: r.held, sha256: r.sha256, updated: r.updated }
      : undefined
  } catch {
    return undefined
  }
}
