import fs from 'node:fs/promises'
import path from 'node:path'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { startTestServer, type TestServer } from '../server/helpers.js'
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from './s3rver.js'

/**
 * The protocol against every kind of store, the same tests for each: a folder, an S3-compatible
 * store (s3rver), and a real one when S3_TEST_ENDPOINT, S3_TEST_BUCKET and its credentials are set.
 */
export interface StoreUnderTest {
  kind: string
  start(): Promise<TestServer>
  /** Multipart uploads left open, for stores that have them. */
  openUploads(): Promise<string[]>
  /** Puts `count` files in bucket `b` behind the server's back, quickly. */
  fill(bucket: string, count: number): Promise<void>
}

let s3: TestS3 | undefined
const numbered = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `f${String(i).padStart(5, '0')}`)
let prefixes = 0
let folder: TestServer | undefined
const s3Client = (endpoint: string): S3Client =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })

const objectStore = (
  kind: string,
  where: () => { endpoint: string; bucket: string },
  openUploads: () => Promise<string[]>,
): StoreUnderTest => {
  let prefix = ''
  return {
    kind,
    start: () => {
      // Each test gets a prefix of its own: nothing one leaves behind reaches the next.
      prefix = `run-${process.pid}-${++prefixes}`
      const { endpoint, bucket } = where()
      return startTestServer({
        root: `s3://${bucket}/${prefix}`,
        s3: { endpoint, pathStyle: true },
      })
    },
    openUploads,
    fill: async (bucket, count) => {
      const { endpoint, bucket: s3Bucket } = where()
      const keys = numbered(count).map((name) => `${prefix}/${bucket}/${name}`)
      if (kind === 's3rver') return s3!.putMany(keys)
      const client = s3Client(endpoint)
      for (let i = 0; i < keys.length; i += 100)
        await Promise.all(
          keys
            .slice(i, i + 100)
            .map((Key) => client.send(new PutObjectCommand({ Bucket: s3Bucket, Key, Body: 'x' }))),
        )
      client.destroy()
    },
  }
}

export const stores: StoreUnderTest[] = [
  {
    kind: 'folder',
    start: async () => (folder = await startTestServer()),
    openUploads: async () => [],
    fill: async (bucket, count) => {
      const names = numbered(count)
      for (let i = 0; i < names.length; i += 256)
        await Promise.all(
          names.slice(i, i + 256).map((n) => fs.writeFile(path.join(folder!.root, bucket, n), 'x')),
        )
    },
  },
  objectStore(
    's3rver',
    () => ({ endpoint: s3!.endpoint, bucket: s3!.bucket }),
    () => s3!.openUploads(),
  ),
]
const real = process.env.S3_TEST_ENDPOINT
if (real && process.env.S3_TEST_BUCKET)
  stores.push(
    objectStore(
      'S3_TEST_ENDPOINT',
      () => ({ endpoint: real, bucket: process.env.S3_TEST_BUCKET! }),
      async () => [],
    ),
  )

/** Starts s3rver for a test file, with its credentials in the environment the server reads. */
export function withStores(): void {
  beforeAll(async () => {
    for (const [k, v] of Object.entries(S3RVER_CREDENTIALS)) process.env[k] ??= v
    s3 = await startTestS3()
  })
  afterAll(() => s3?.stop())
}
