import { createHash, type Hash } from 'node:crypto'
import { PassThrough } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { StoreError } from '../errors.js'
import type { Upload } from '../store.js'
import { s3StoreError } from './errors.js'
import type { Sdk } from './sdk.js'

const MiB = 1024 * 1024
/** S3's limits: 10,000 parts of at least 5 MiB (but the last), 5 TiB an object, 5 GiB a copy. */
const MAX_PARTS = 10_000
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * MiB
const MAX_COPY_BYTES = 5 * 1024 * MiB
/** Parts of 8 MiB, larger only when the file would need more than 10,000 of them. */
export const partBytes = (size: number): number => Math.max(8 * MiB, Math.ceil(size / MAX_PARTS))
/** Up to this size an upload is held in memory and stored with one request. */
export const SMALL_UPLOAD_BYTES = MiB
/** A part streams while the one before it finishes: two requests at most per upload. */
const PARTS_IN_FLIGHT = 2

/** Where an upload goes, and what the store checks and records around its appearance. */
export interface UploadTarget {
  sdk: Sdk
  s3: S3Client
  bucket: string
  /** The object's final key. */
  key: string
  /** The file's path in its bucket, as complete() reports it. */
  name: string
  /** Where a large upload is assembled, invisible to listings, until it is complete. */
  stagingKey: string
  /** Checked just before the object appears (the bucket may have been deleted meanwhile). */
  beforeCommit(): Promise<void>
  /** Called once the object is stored. */
  committed(): void
}

/** `bucket/key` as CopySource wants it: each part of the key URL-encoded. */
export const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`

/**
 * An upload to the object store, in flat memory whatever its size. A small file is held and stored
 * with one PutObject. A larger one streams, as it arrives, into the parts of a multipart upload at a
 * staging key; once complete, it is copied to its key with its sha256 in the object's metadata
 * (known only at the end), so it appears whole and at once. After a failure the remaining bytes
 * are accepted and dropped, so that the connection stays in step.
 */
export class S3Upload implements Upload {
  private readonly hash: Hash = createHash('sha256')
  private received = 0
  private failure: unknown
  /** The object exists at its key. */
  private stored = false
  /** A small upload's bytes. */
  private readonly held: Uint8Array[] = []
  /** The parts sent or being sent, in order. */
  private readonly parts: Promise<{ PartNumber: number; ETag: string }>[] = []
  private readonly inFlight = new Set<Promise<unknown>>()
  /** The part being streamed: its body and the bytes it still takes. */
  private current: { body: PassThrough; left: number } | undefined
  /** Bytes given to parts so far. */
  private streamed = 0
  /** The staging object exists (its multipart upload was completed). */
  private assembled = false
  /** Stops the requests still sending parts once the upload has failed or is dropped. */
  private readonly stop = new AbortController()

  private constructor(
    private readonly target: UploadTarget,
    readonly size: number,
    private readonly uploadId: string | undefined,
  ) {}

  static async begin(target: UploadTarget, size: number): Promise<S3Upload> {
    if (size > MAX_OBJECT_BYTES) throw new StoreError('file too large for the object store')
    if (size <= SMALL_UPLOAD_BYTES) return new S3Upload(target, size, undefined)
    try {
      const { UploadId } = await target.s3.send(
        new target.sdk.CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.stagingKey,
        }),
      )
      return new S3Upload(target, size, UploadId)
    } catch (err) {
      throw s3StoreError(err, 'file')
    }
  }

  write(lent: Uint8Array): boolean {
    this.received += lent.length
    this.hash.update(lent)
    if (this.failure !== undefined) return true
    // Held and streamed to the store after this call returns: a copy of its own.
    const chunk = Buffer.from(lent)
    if (this.uploadId === undefined) {
      this.held.push(chunk)
      return true
    }
    let writable = true
    for (let rest = chunk; rest.length > 0;) {
      const part = (this.current ??= this.openPart())
      const piece = rest.subarray(0, part.left)
      rest = rest.subarray(piece.length)
      part.left -= piece.length
      writable = part.body.write(piece)
      if (part.left === 0) {
        part.body.end()
        this.current = undefined
      }
    }
    return writable && this.inFlight.size < PARTS_IN_FLIGHT
  }

  async whenWritable(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) return
      const body = this.current?.body
      if (body?.writableNeedDrain) await new Promise((r) => body.once('drain', r).once('close', r))
      else if (this.inFlight.size >= PARTS_IN_FLIGHT)
        await Promise.race([...this.inFlight].map((p) => p.catch(() => undefined)))
      else return
    }
  }

  private openPart(): { body: PassThrough; left: number } {
    const PartNumber = this.parts.length + 1
    const length = Math.min(partBytes(this.size), this.size - this.streamed)
    this.streamed += length
    const body = new PassThrough({ highWaterMark: MiB })
    const sent = this.target.s3
      .send(
        new this.target.sdk.UploadPartCommand({
          Bucket: this.target.bucket,
          Key: this.target.stagingKey,
          UploadId: this.uploadId,
          PartNumber,
          Body: body,
          ContentLength: length,
        }),
        { abortSignal: this.stop.signal },
      )
      .then(({ ETag }) => ({ PartNumber, ETag: ETag ?? '' }))
    // Failures are taken below; complete() awaits the parts only when none failed.
    sent.catch(() => undefined)
    const settled: Promise<void> = sent.then(
      () => void this.inFlight.delete(settled),
      (err: unknown) => {
        this.inFlight.delete(settled)
        this.fail(err)
      },
    )
    this.inFlight.add(settled)
    this.parts.push(sent)
    return { body, left: length }
  }

  private fail(err: unknown): void {
    this.failure ??= err
    this.stop.abort()
    this.current?.body.destroy()
    this.current = undefined
  }

  async complete(): Promise<{ sha256: string; name: string }> {
    try {
      if (this.failure !== undefined) throw this.failure
      if (this.received !== this.size) throw new StoreError('upload incomplete')
      const sha256 = this.hash.digest('hex')
      const { s3, bucket, key } = this.target
      if (this.uploadId === undefined) {
        await this.target.beforeCommit()
        await s3.send(
          new this.target.sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: Buffer.concat(this.held),
            ContentLength: this.size,
            Metadata: { sha256 },
          }),
        )
      } else {
        const parts = await Promise.all(this.parts)
        await s3.send(
          new this.target.sdk.CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: this.target.stagingKey,
            UploadId: this.uploadId,
            MultipartUpload: { Parts: parts },
          }),
        )
        this.assembled = true
        await this.target.beforeCommit()
        await this.copyWithDigest(sha256)
      }
      this.stored = true
      this.target.committed()
      return { sha256, name: this.target.name }
    } catch (err) {
      throw s3StoreError(err, 'file')
    } finally {
      await this.abort()
    }
  }

  /** The assembled object to its key, its sha256 in the metadata, in one copy or in parts. */
  private async copyWithDigest(sha256: string): Promise<void> {
    const { s3, bucket, key, stagingKey } = this.target
    const CopySource = copySource(bucket, stagingKey)
    if (this.size <= MAX_COPY_BYTES) {
      await s3.send(
        new this.target.sdk.CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource,
          MetadataDirective: 'REPLACE',
          Metadata: { sha256 },
        }),
      )
      return
    }
    const { UploadId } = await s3.send(
      new this.target.sdk.CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        Metadata: { sha256 },
      }),
    )
    try {
      const Parts: { PartNumber: number; ETag: string }[] = []
      const step = Math.max(MAX_COPY_BYTES / 5, Math.ceil(this.size / MAX_PARTS))
      for (let start = 0; start < this.size; start += step) {
        const PartNumber = Parts.length + 1
        const { CopyPartResult } = await s3.send(
          new this.target.sdk.UploadPartCopyCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber,
            CopySource,
            CopySourceRange: `bytes=${start}-${Math.min(start + step, this.size) - 1}`,
          }),
        )
        Parts.push({ PartNumber, ETag: CopyPartResult?.ETag ?? '' })
      }
      await s3.send(
        new this.target.sdk.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts },
        }),
      )
    } catch (err) {
      await s3
        .send(
          new this.target.sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }),
        )
        .catch(() => undefined)
      throw err
    }
  }

  /** Uploads to an object store are never continued: nothing kept. */
  readonly offset = 0

  get rest(): number {
    return this.size
  }

  /** A cut upload to an object store is dropped like an aborted one; nothing is kept. */
  async keep(): Promise<number> {
    await this.abort()
    return 0
  }

  /** Removes what this upload left in the staging area; a stored object stays. */
  async abort(): Promise<void> {
    this.fail(new StoreError('upload incomplete'))
    this.held.length = 0
    const { s3, bucket, stagingKey } = this.target
    if (this.uploadId === undefined) return
    // Requests still sending parts end first (fail() stopped them); their failure no longer matters.
    await Promise.all([...this.inFlight])
    if (this.assembled) {
      this.assembled = false
      await s3
        .send(new this.target.sdk.DeleteObjectCommand({ Bucket: bucket, Key: stagingKey }))
        .catch(() => undefined)
    } else if (!this.stored) {
      // Stores without AbortMultipartUpload (s3rver) drop abandoned parts themselves, or keep them
      // until the next start's clean-up (S3Store.open) or a lifecycle rule.
      await s3
        .send(
          new this.target.sdk.AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: stagingKey,
            UploadId: this.uploadId,
          }),
        )
        .catch(() => undefined)
    }
  }
}
