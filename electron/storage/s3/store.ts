import { createHash, randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { S3Client, _Object } from '@aws-sdk/client-s3'
import {
  checkName,
  checkPath,
  PATH_SEPARATOR,
  RESERVED_NAME,
  type BucketEntry,
  type ListEntry,
} from '../../../shared/protocol/index.js'
import { ResumeRefused, SetupError, StoreError } from '../errors.js'
import { isAddressable } from '../paths.js'
import type { Placement } from '../placing.js'
import type { TrashRecord } from '../trash.js'
import type { HeldBytes } from '../staging.js'
import type { BucketFile, Download, Held, Store, Upload } from '../store.js'
import { withS3StoreErrors, s3StoreError } from './errors.js'
import { loadSdk, type Sdk } from './sdk.js'
import { formatS3Address, parseS3Address, type S3Location } from './location.js'
import { copySource, S3Upload } from './upload.js'

/** How to reach the object store. */
export interface S3Options {
  /** E.g. `http://127.0.0.1:3900` for a self-hosted store; AWS's own endpoint when absent. */
  endpoint?: string
  /** AWS_REGION (or the profile's) when absent, else us-east-1. */
  region?: string
  /** `endpoint/bucket/key` addressing, which most self-hosted stores want. */
  pathStyle?: boolean
  /** Keys the app kept for this store; the SDK's standard chain (the environment) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

/** A page of a listing: ListObjects (version 1) with markers works on every S3 implementation. */
const PAGE = 1000
/** How long a reading of the buckets made behind the server's back is shared by `changes`. */
const STAMP_FRESH_MS = 2_000

function checked(raw: string, kind: 'bucket'): string {
  const check = checkName(raw, kind)
  if (!check.ok) throw new StoreError(check.reason)
  return check.name
}

/** A path inside a bucket (`a/b/c.txt`), checked with the shared rules. */
function checkedPath(raw: string, kind: 'file' | 'folder' = 'file'): string {
  const check = checkPath(raw, kind)
  if (!check.ok) throw new StoreError(check.reason)
  return check.path
}

/** Whether a key found in the store names a path a client can send back unchanged. */
function isAddressablePath(relative: string): boolean {
  const check = checkPath(relative)
  return check.ok && check.path === relative
}

/**
 * Buckets on an S3-compatible object store: one S3 bucket holds them all, each BucketShare bucket
 * the keys under `<prefix><name>/`, kept even when empty by a marker object of that key. The server's
 * own bookkeeping (uploads being assembled) lives under `<prefix>.bucketshare/`, which no name
 * can reach. See docs/storage.md for how it differs from a folder.
 */
export class S3Store implements Store {
  /** Changes made through this server; with the stamp, the version `changes` reports. */
  private count = 0
  private stamp: { at: number; value: Promise<string> } | undefined

  private constructor(
    private readonly sdk: Sdk,
    private readonly s3: S3Client,
    private readonly where: S3Location,
  ) {}

  /**
   * Connects and checks that the S3 bucket is there and answers; aborts uploads a crash left half
   * done. Fails with one line fit to show a person.
   */
  static async open(address: string, options: S3Options = {}): Promise<S3Store> {
    const where = parseS3Address(address)
    // The SDK warns on Node.js 20, which we support and test: the warning would reach every log.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
    const sdk = await loadSdk()
    const s3 = new sdk.S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region:
        options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: options.pathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Self-hosted stores do not all take the checksums AWS added in 2025; ours is SHA-256 anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      maxAttempts: 3,
    })
    const store = new S3Store(sdk, s3, where)
    try {
      await s3.send(new sdk.HeadBucketCommand({ Bucket: where.bucket }))
    } catch (err) {
      s3.destroy()
      throw new SetupError(
        `Cannot share "${address}": ${startFailure(err, where.bucket, options.endpoint)}`,
      )
    }
    await store.abortLeftovers()
    return store
  }

  get location(): string {
    return formatS3Address(this.where)
  }

  private bucketKey(name: string): string {
    return `${this.where.prefix}${name}/`
  }

  private get stagingPrefix(): string {
    return `${this.where.prefix}${RESERVED_NAME}/staging/`
  }

  /** Every object under `prefix`, page by page; with a delimiter, the sub-prefixes too. */
  private async *keys(
    prefix: string,
    delimiter?: string,
  ): AsyncGenerator<{ object?: _Object; commonPrefix?: string }> {
    let Marker: string | undefined
    for (;;) {
      const page = await this.s3.send(
        new this.sdk.ListObjectsCommand({
          Bucket: this.where.bucket,
          Prefix: prefix,
          MaxKeys: PAGE,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(Marker ? { Marker } : {}),
        }),
      )
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) yield { commonPrefix: p.Prefix }
      for (const object of page.Contents ?? []) yield { object }
      if (!page.IsTruncated) return
      // NextMarker comes only with a delimiter; otherwise the last key is the marker.
      const last = [page.Contents?.at(-1)?.Key, page.CommonPrefixes?.at(-1)?.Prefix]
        .filter((k): k is string => k !== undefined)
        .sort()
        .at(-1)
      Marker = page.NextMarker ?? last
      if (!Marker) return
    }
  }

  /** The names of the buckets, in key order. */
  private async *bucketNames(): AsyncGenerator<string> {
    for await (const { commonPrefix } of this.keys(this.where.prefix, '/')) {
      if (!commonPrefix) continue
      const name = commonPrefix.slice(this.where.prefix.length, -1)
      if (name !== RESERVED_NAME && isAddressable(name, 'bucket')) yield name
    }
  }

  /**
   * A bucket's tree (or one folder's), streamed in key order: every file by its path in the bucket,
   * and every empty folder, kept by a marker object `<path>/` with nothing listed after it under
   * that prefix. Keys whose paths a client could not send back are left out.
   */
  private async *treeOf(bucket: string, folder?: string): AsyncGenerator<ListEntry> {
    const base = this.bucketKey(bucket)
    const under = folder ? `${base}${folder}/` : base
    // A folder marker, listed once the next key shows whether anything is inside it.
    let marker: string | undefined
    for await (const { object } of this.keys(under)) {
      const key = object?.Key
      if (!key) continue
      if (marker !== undefined) {
        // Keys under a prefix come right after it: the next key tells whether it is empty.
        if (!key.startsWith(`${base}${marker}/`)) yield { name: marker, folder: true }
        marker = undefined
      }
      if (key === under) continue
      const relative = key.slice(base.length)
      if (relative.endsWith(PATH_SEPARATOR)) {
        const name = relative.slice(0, -1)
        if (isAddressablePath(name)) marker = name
      } else if (isAddressablePath(relative)) {
        yield {
          name: relative,
          size: object.Size ?? 0,
          modified: object.LastModified?.getTime() ?? 0,
        }
      }
    }
    if (marker !== undefined) yield { name: marker, folder: true }
  }

  /** An empty object whose key ends in `/`: it keeps an empty bucket or folder. */
  private async putMarker(Key: string): Promise<void> {
    await this.s3.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.where.bucket,
        Key,
        Body: new Uint8Array(0),
        ContentLength: 0,
      }),
    )
  }

  /** Whether anything is stored under `prefix` (a bucket or folder exists). */
  private async anyUnder(prefix: string): Promise<boolean> {
    const page = await this.s3.send(
      new this.sdk.ListObjectsCommand({ Bucket: this.where.bucket, Prefix: prefix, MaxKeys: 1 }),
    )
    return (page.Contents?.length ?? 0) > 0
  }

  /** Whether a file (an object) has this key. */
  private async fileAt(Key: string): Promise<boolean> {
    try {
      await this.s3.send(new this.sdk.HeadObjectCommand({ Bucket: this.where.bucket, Key }))
      return true
    } catch (err) {
      const failure = s3StoreError(err, 'file')
      if (failure instanceof StoreError && failure.reason === 'no such file') return false
      throw failure
    }
  }

  /** Deletes every key listed by `keys`, a thousand per request. */
  private async deleteAll(keys: AsyncIterable<string>): Promise<void> {
    let batch: string[] = []
    const flush = async (): Promise<void> => {
      const Objects = batch.map((Key) => ({ Key }))
      batch = []
      if (Objects.length > 0)
        await this.s3.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: this.where.bucket,
            Delete: { Objects, Quiet: true },
          }),
        )
    }
    for await (const key of keys) {
      batch.push(key)
      if (batch.length === PAGE) await flush()
    }
    await flush()
  }

  private async *keysUnder(prefix: string): AsyncGenerator<string> {
    for await (const { object } of this.keys(prefix)) if (object?.Key) yield object.Key
  }

  private bucketExists(name: string): Promise<boolean> {
    return this.anyUnder(this.bucketKey(name))
  }

  private async requireBucket(raw: string): Promise<string> {
    const name = checked(raw, 'bucket')
    if (!(await withS3StoreErrors('bucket', () => this.bucketExists(name))))
      throw new StoreError('no such bucket')
    return name
  }

  private countChange(): void {
    this.count++
  }

  async listBuckets(): Promise<BucketEntry[]> {
    return withS3StoreErrors('folder', async () => {
      const buckets: BucketEntry[] = []
      for await (const name of this.bucketNames()) {
        buckets.push({ name, files: await countFiles(this.treeOf(name)) })
      }
      return buckets
    })
  }

  async createBucket(raw: string): Promise<void> {
    const name = checked(raw, 'bucket')
    await withS3StoreErrors('bucket', async () => {
      if (await this.bucketExists(name)) throw new StoreError('bucket already exists')
      await this.putMarker(this.bucketKey(name))
    })
    this.countChange()
  }

  async deleteBucket(raw: string): Promise<void> {
    const name = await this.requireBucket(raw)
    // Every key under the bucket, its marker included.
    await withS3StoreErrors('bucket', () => this.deleteAll(this.keysUnder(this.bucketKey(name))))
    this.countChange()
  }

  async *listFiles(raw: string, rawFolder?: string): AsyncGenerator<ListEntry> {
    const bucket = await this.requireBucket(raw)
    const folder = rawFolder === undefined ? undefined : checkedPath(rawFolder, 'folder')
    try {
      if (folder !== undefined) {
        const key = `${this.bucketKey(bucket)}${folder}`
        if ((await this.fileAt(key)) || !(await this.anyUnder(`${key}/`)))
          throw new StoreError('no such folder')
      }
      yield* this.treeOf(bucket, folder)
    } catch (err) {
      throw s3StoreError(err, 'bucket')
    }
  }

  async *listAllFiles(): AsyncGenerator<BucketFile> {
    try {
      for await (const bucket of this.bucketNames()) {
        let empty = true
        for await (const file of this.treeOf(bucket)) {
          empty = false
          yield { bucket, file }
        }
        if (empty) yield { bucket }
      }
    } catch (err) {
      throw s3StoreError(err, 'folder')
    }
  }

  /** Deletes a file, or a folder (every key under it) with everything in it. */
  async deleteFile(rawBucket: string, rawPath: string): Promise<void> {
    const bucket = await this.requireBucket(rawBucket)
    const Key = `${this.bucketKey(bucket)}${checkedPath(rawPath)}`
    await withS3StoreErrors('file', async () => {
      if (await this.fileAt(Key))
        await this.s3.send(new this.sdk.DeleteObjectCommand({ Bucket: this.where.bucket, Key }))
      else if (await this.anyUnder(`${Key}/`)) await this.deleteAll(this.keysUnder(`${Key}/`))
      else throw new StoreError('no such file')
    })
    this.countChange()
  }

  /** Refuses a path one of whose folders is a file. */
  private async refuseFileOnTheWay(bucket: string, path: string): Promise<void> {
    const parts = path.split(PATH_SEPARATOR)
    for (let i = 1; i < parts.length; i++)
      if (await this.fileAt(`${this.bucketKey(bucket)}${parts.slice(0, i).join(PATH_SEPARATOR)}`))
        throw new StoreError('a file has that name')
  }

  async createFolder(rawBucket: string, rawFolder: string): Promise<void> {
    const bucket = await this.requireBucket(rawBucket)
    const folder = checkedPath(rawFolder, 'folder')
    const key = `${this.bucketKey(bucket)}${folder}`
    await withS3StoreErrors('folder', async () => {
      await this.refuseFileOnTheWay(bucket, `${folder}/x`)
      if (await this.anyUnder(`${key}/`)) return
      await this.putMarker(`${key}/`)
    })
    this.countChange()
  }

  /**
   * Object stores cannot rename: a file is copied to its new key (metadata and all) and the old
   * one deleted; a folder, key by key. Other clients may see both for a moment, or a folder half
   * moved (docs/storage.md). Nothing is ever replaced.
   */
  async rename(rawBucket: string, rawFrom: string, rawTo: string): Promise<void> {
    const bucket = await this.requireBucket(rawBucket)
    const from = checkedPath(rawFrom)
    const to = checkedPath(rawTo)
    const base = this.bucketKey(bucket)
    const Bucket = this.where.bucket
    await withS3StoreErrors('file', async () => {
      const file = await this.fileAt(`${base}${from}`)
      if (!file && !(await this.anyUnder(`${base}${from}/`))) throw new StoreError('no such file')
      if (!file && `${to}/`.startsWith(`${from}/`))
        throw new StoreError('a folder cannot move into itself')
      if (await this.fileAt(`${base}${to}`)) throw new StoreError('file already exists')
      if (await this.anyUnder(`${base}${to}/`)) throw new StoreError('folder already exists')
      await this.refuseFileOnTheWay(bucket, to)
      const move = async (source: string, target: string): Promise<void> => {
        await this.s3.send(
          new this.sdk.CopyObjectCommand({
            Bucket,
            Key: target,
            CopySource: copySource(Bucket, source),
            MetadataDirective: 'COPY',
          }),
        )
        await this.s3.send(new this.sdk.DeleteObjectCommand({ Bucket, Key: source }))
      }
      if (file) return move(`${base}${from}`, `${base}${to}`)
      for await (const key of this.keysUnder(`${base}${from}/`))
        await move(key, `${base}${to}/${key.slice(`${base}${from}/`.length)}`)
    })
    this.countChange()
  }

  async openForDownload(rawBucket: string, rawFile: string, from = 0): Promise<Download> {
    const bucket = await this.requireBucket(rawBucket)
    const Key = `${this.bucketKey(bucket)}${checkedPath(rawFile)}`
    const Bucket = this.where.bucket
    return withS3StoreErrors('file', async () => {
      const head = await this.s3.send(new this.sdk.HeadObjectCommand({ Bucket, Key }))
      const total = head.ContentLength ?? 0
      if (from > total) throw new ResumeRefused('the file is shorter than that; start from 0')
      const sha256 = head.Metadata?.sha256
      const range = (first: number, last?: number): Promise<Readable> =>
        this.s3
          // The object as it was when its size was read: a replacement meanwhile fails the request.
          .send(
            new this.sdk.GetObjectCommand({
              Bucket,
              Key,
              IfMatch: head.ETag,
              Range: `bytes=${first}-${last ?? ''}`,
            }),
          )
          .then((r) => r.Body as Readable)
      const body = from === total ? undefined : await range(from)
      return {
        size: total - from,
        total,
        // ETag, time and digest together: some stores (s3rver) keep an ETag across a replacement.
        version: `${total}.${createHash('sha256')
          .update(`${head.ETag ?? ''} ${head.LastModified?.getTime() ?? ''} ${sha256 ?? ''}`)
          .digest('hex')
          .slice(0, 16)}`,
        ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
        prefix: async () => {
          const hash = createHash('sha256')
          if (from > 0)
            for await (const chunk of await range(0, from - 1)) hash.update(chunk as Buffer)
          return hash
        },
        chunks: body ?? (async function* () {})(),
        sent: () => Promise.resolve(),
        close: async () => void body?.destroy(),
      }
    })
  }

  /** Cut uploads are not kept in an object store; the digest of an object of that size is known. */
  async held(rawBucket: string, rawFile: string, size: number): Promise<Held> {
    const bucket = await this.requireBucket(rawBucket)
    const Key = `${this.bucketKey(bucket)}${checkedPath(rawFile)}`
    const head = await this.s3
      .send(new this.sdk.HeadObjectCommand({ Bucket: this.where.bucket, Key }))
      .catch(() => undefined)
    const sha256 = head?.Metadata?.sha256
    return head?.ContentLength === size && sha256 && /^[0-9a-f]{64}$/.test(sha256)
      ? { same: sha256 }
      : {}
  }

  /**
   * With `how.replace` false (a drop box), a taken name gives way to the first free
   * `name (n).ext`, chosen now: two drops of one name at the very same moment may still meet.
   */
  async beginUpload(
    rawBucket: string,
    rawFile: string,
    size: number,
    how: Placement,
    held?: HeldBytes,
  ): Promise<Upload> {
    const bucket = await this.requireBucket(rawBucket)
    if (held && held.bytes > 0)
      throw new ResumeRefused('the server does not hold those bytes; start from 0')
    let file = checkedPath(rawFile)
    await withS3StoreErrors('file', async () => {
      await this.refuseFileOnTheWay(bucket, file)
      if (!how.replace) file = await this.freeName(bucket, file)
      if (await this.anyUnder(`${this.bucketKey(bucket)}${file}/`))
        throw new StoreError('a folder has that name')
    })
    const key = `${this.bucketKey(bucket)}${file}`
    return S3Upload.begin(
      {
        sdk: this.sdk,
        s3: this.s3,
        bucket: this.where.bucket,
        key,
        name: file,
        stagingKey: `${this.stagingPrefix}${randomUUID()}`,
        // The bucket may have been deleted while the bytes were arriving.
        beforeCommit: async () => void (await this.requireBucket(bucket)),
        committed: () => this.countChange(),
      },
      size,
    )
  }

  /**
   * `<changes made through this server>.<stamp of the bucket names>`: buckets made or removed in
   * the object store behind the server's back show within STAMP_FRESH_MS; files changed there
   * are not seen (reading every key for each poll would cost too much).
   */
  async version(): Promise<string> {
    const count = this.count
    const now = Date.now()
    if (!this.stamp || now - this.stamp.at >= STAMP_FRESH_MS) {
      const value = withS3StoreErrors('folder', async () => {
        const hash = createHash('sha256')
        for await (const name of this.bucketNames()) hash.update(`${name}/`)
        return hash.digest('hex').slice(0, 16)
      })
      const stamp = { at: now, value }
      this.stamp = stamp
      value.catch(() => {
        if (this.stamp === stamp) this.stamp = undefined
      })
    }
    return `${count}.${await this.stamp.value}`
  }

  async close(): Promise<void> {
    this.s3.destroy()
  }

  /** An object store keeps no trash: deletes are final. */
  readonly trash = undefined

  restoreFile(): Promise<TrashRecord> {
    return Promise.reject(new StoreError('the host keeps no trash'))
  }

  restoreBucket(): Promise<TrashRecord> {
    return Promise.reject(new StoreError('the host keeps no trash'))
  }

  /** `path`, or the first `path (n).ext` that no file or folder has. */
  private async freeName(bucket: string, path: string): Promise<string> {
    const slash = path.lastIndexOf(PATH_SEPARATOR)
    const head = path.slice(0, slash + 1)
    const leaf = path.slice(slash + 1)
    const dot = leaf.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [leaf.slice(0, dot), leaf.slice(dot)] : [leaf, '']
    for (let n = 1; n <= 10_000; n++) {
      const candidate = n === 1 ? path : `${head}${stem} (${n})${ext}`
      const key = `${this.bucketKey(bucket)}${candidate}`
      if (!(await this.fileAt(key)) && !(await this.anyUnder(`${key}/`))) return candidate
    }
    throw new StoreError('too many files of that name')
  }

  /**
   * Uploads a crash left half done: their multipart uploads are aborted and assembled objects
   * removed. Stores that cannot list multipart uploads (s3rver) are left to their own clean-up.
   */
  private async abortLeftovers(): Promise<void> {
    const { bucket } = this.where
    const Prefix = this.stagingPrefix
    try {
      const { Uploads } = await this.s3.send(
        new this.sdk.ListMultipartUploadsCommand({ Bucket: bucket, Prefix }),
      )
      for (const u of Uploads ?? [])
        await this.s3.send(
          new this.sdk.AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: u.Key,
            UploadId: u.UploadId,
          }),
        )
    } catch {
      // Not implemented by every store; nothing of ours depends on it.
    }
    try {
      for await (const { object } of this.keys(Prefix))
        if (object?.Key)
          await this.s3.send(new this.sdk.DeleteObjectCommand({ Bucket: bucket, Key: object.Key }))
    } catch {
      // Left for the next start.
    }
  }
}

async function countFiles(entries: AsyncIterable<ListEntry>): Promise<number> {
  let files = 0
  for await (const entry of entries) if (!('folder' in entry)) files++
  return files
}

/** Why a store cannot be shared, in one line: the bucket, the credentials, or the endpoint. */
function startFailure(err: unknown, bucket: string, endpoint: string | undefined): string {
  const failure = s3StoreError(err, 'folder')
  const reason = failure instanceof StoreError ? failure.reason : ''
  const code = failure instanceof StoreError ? failure.errno : undefined
  if (reason === 'no such folder' || code === 'NotFound' || code === 'HTTP 404')
    return `the S3 bucket "${bucket}" does not exist`
  if (reason === 'permission denied')
    return 'access denied: check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_PROFILE)'
  if (reason.startsWith('storage unavailable') || code === undefined)
    return `cannot reach ${endpoint ?? 'the S3 endpoint'} (${code ?? (err as Error).message})`
  return `the store answered ${code}`
}
