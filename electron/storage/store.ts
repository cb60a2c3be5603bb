import type { Hash } from 'node:crypto'
import type { HeldBytes } from './staging.js'
import type { BucketEntry, ListEntry } from '../../shared/protocol/index.js'
import type { Placement } from './placing.js'
import type { Actor, TrashRecord } from './trash.js'

/**
 * Where the buckets rest: the protocol, sessions and commands speak only to this. Two kinds exist:
 * a folder on this computer (folder.ts) and an S3-compatible object store (s3/store.ts). Every
 * failure a client may see is a StoreError with a short reason.
 */
export interface Store {
  /** As a person recognises it: a folder's path, or `s3://bucket/prefix`. */
  readonly location: string
  /** The buckets with their number of files. */
  listBuckets(): Promise<BucketEntry[]>
  createBucket(name: string): Promise<void>
  /** Deletes a bucket and every file in it (into the trash, when the store keeps one). */
  deleteBucket(name: string, by: Actor): Promise<void>
  /**
   * Streams the files of one bucket's tree, named by their paths, and its empty folders; with
   * `folder`, of that folder's tree only. Fails before the first entry when the bucket or folder
   * does not exist.
   */
  listFiles(bucket: string, folder?: string): AsyncIterable<ListEntry>
  /** Streams every bucket's files and empty folders, bucket by bucket; an empty bucket appears alone. */
  listAllFiles(): AsyncIterable<BucketFile>
  /** Deletes a file, or a folder and everything in it (into the trash, when the store keeps one). */
  deleteFile(bucket: string, file: string, by: Actor): Promise<void>
  /** Makes a folder and the folders above it in a bucket; one that exists is fine. */
  createFolder(bucket: string, folder: string): Promise<void>
  /** Renames or moves a file or folder within a bucket, at once; never replaces anything. */
  rename(bucket: string, from: string, to: string): Promise<void>
  /** What was deleted or replaced, kept for a while; undefined when deletes are final. */
  readonly trash: TrashBin | undefined
  /** Puts back the latest version of a file from the trash; a file of its name is a clash. */
  restoreFile(bucket: string, file: string): Promise<TrashRecord>
  /** Puts back a deleted bucket whole; a bucket of its name is a clash. */
  restoreBucket(bucket: string): Promise<TrashRecord>
  /** From byte `from` on (0 when not given); refused with ResumeRefused past the end. */
  openForDownload(bucket: string, file: string, from?: number): Promise<Download>
  /**
   * Checks names, bucket and room, then takes `size` bytes, or with `held` the bytes after those
   * of a kept cut upload (refused with ResumeRefused unless they are the ones it keeps); nothing
   * is visible until complete. `how` says whether it may replace a file of that name.
   */
  beginUpload(
    bucket: string,
    file: string,
    size: number,
    how: Placement,
    held?: HeldBytes,
  ): Promise<Upload>
  /** What the store holds of a file of `size` bytes: a kept cut upload, the same file. */
  held(bucket: string, file: string, size: number): Promise<Held>
  /** Differs from an earlier answer once a bucket or file was created, deleted or replaced. */
  version(): Promise<string>
  /** Lets go of what the store holds open (connections, timers). */
  close(): Promise<void>
}

/** One bucket and one of its files or empty folders, or an empty bucket alone (so every bucket appears). */
export interface BucketFile {
  bucket: string
  file?: ListEntry
}

/**
 * A file to send from a byte on: its size, read once when it was opened, and exactly the bytes
 * from there to that size.
 */
export interface Download {
  /** Bytes to send: the file's size less the first byte asked for. */
  size: number
  /** The file's size. */
  total: number
  /** Changes whenever the file is written or replaced (size, modification time, inode). */
  version: string
  /**
   * The sha256 of the bytes before the first one sent, going on: for a whole-file digest computed
   * as the rest is sent, when none is known. Reads those bytes.
   */
  prefix(): Promise<Hash>
  /** The content's sha256, when the store knows it without reading the bytes. */
  sha256?: string
  /** The bytes; each chunk is valid until the next one is asked for. */
  chunks: AsyncIterable<Uint8Array>
  /** Tells the store the sha256 of the bytes sent whole, to remember. Call it before close(). */
  sent(sha256: string): Promise<void>
  /** Lets go of the file; call it however the sending ended. */
  close(): Promise<void>
}

/** An upload in progress: bytes in, hashed on the way; nothing appears before complete(). */
export interface Upload {
  readonly size: number
  /** Bytes kept from a cut upload this one continues. */
  readonly offset: number
  /** Bytes still to come: size less offset. */
  readonly rest: number
  /**
   * Takes the next bytes, lent for this call only (the server reads every connection into one
   * buffer): what is kept is copied. False means: wait for whenWritable() before giving more.
   */
  write(chunk: Uint8Array): boolean
  whenWritable(): Promise<void>
  /**
   * Makes the file appear whole and durable; returns the sha256 of its bytes in hex and the name
   * it took (another one than asked when it may not replace a file of that name).
   */
  complete(): Promise<{ sha256: string; name: string }>
  /** Drops what was stored unless complete() succeeded; safe to call whatever happened. */
  abort(): Promise<void>
  /**
   * The connection was cut: makes what arrived durable and keeps it for an upload that continues
   * it. Returns the bytes kept (0 when none). Does nothing after complete().
   */
  keep(): Promise<number>
}

/** What the store holds of a file of some size: what a client asks before it uploads. */
export interface Held {
  /** A cut upload of that size kept for continuing: its bytes on disk and their sha256. */
  partial?: { bytes: number; sha256: string }
  /** The sha256 of the file in the bucket, when it has that very size. */
  same?: string
}

/** The trash as the server and the host's app see it. */
export interface TrashBin {
  /** Entries, newest first; only those `keep` accepts. */
  list(keep?: (record: TrashRecord) => boolean): TrashRecord[]
  /** Drops entries for good (the given ones, or all); returns how many went. */
  empty(ids?: readonly string[]): Promise<number>
  /** Calls `listener` after entries came or went; returns the function that stops it. */
  onChange(listener: () => void): () => void
}
