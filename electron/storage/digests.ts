import type { BigIntStats } from 'node:fs'

/** Smaller files are hashed as they are sent: it costs little, and they would crowd the cache. */
export const DIGEST_MIN_BYTES = 1024 * 1024

/** Whether a file of this size is worth a digest kept (and the stat that takes). */
export function worthRemembering(size: number | bigint): boolean {
  return size >= DIGEST_MIN_BYTES
}
/** About 150 bytes each: a few hundred KB at most. */
const MAX_ENTRIES = 4096

/**
 * The sha256 of files the server wrote or sent whole, so that sending an unchanged file again does
 * not hash it again: on a busy machine hashing on both ends costs downloads a good part of their
 * speed. An entry holds while the file keeps its identity, size and times; any write changes the
 * ctime, which programs cannot set. Were an entry ever stale, the client, which hashes what it
 * receives, would refuse the download: it can never make wrong bytes pass.
 */
export class DigestCache {
  /** By path, least recently used first. */
  private readonly entries = new Map<string, { version: string; sha256: string }>()

  get(file: string, stats: BigIntStats): string | undefined {
    const entry = this.entries.get(file)
    if (!entry) return undefined
    this.entries.delete(file)
    if (entry.version !== versionOf(stats)) return undefined
    this.entries.set(file, entry)
    return entry.sha256
  }

  set(file: string, stats: BigIntStats, sha256: string): void {
    if (!worthRemembering(stats.size) || coarse(stats)) return
    this.entries.delete(file)
    this.entries.set(file, { version: versionOf(stats), sha256 })
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
  }

  forget(file: string): void {
    this.entries.delete(file)
  }

  get size(): number {
    return this.entries.size
  }
}

/** Whether two stats of one open file show it unchanged between them. */
export function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return versionOf(a) === versionOf(b)
}

/**
 * Times in whole milliseconds come from a file system that keeps coarse ones (FAT and exFAT keep
 * 10 ms to 2 s, HFS+ 1 s), where a write soon after another may leave them unchanged. Fine ones
 * (ext4, APFS, NTFS) are whole milliseconds once in a million files, which then are hashed anyway.
 */
function coarse(s: BigIntStats): boolean {
  return s.mtimeNs % 1_000_000n === 0n
}

function versionOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`
}
