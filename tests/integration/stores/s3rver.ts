import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'

/** An S3-compatible test server (s3rver) on a free loopback port, over a temporary folder. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  /** The S3 bucket made for the test. */
  bucket: string
  /** Multipart uploads begun and neither completed nor aborted. */
  openUploads(): Promise<string[]>
  /**
   * Puts objects of one byte straight into s3rver's folder, as it lays them out (on POSIX systems):
   * thousands of PutObject requests would take the test's whole time budget.
   */
  putMany(keys: string[]): Promise<void>
  stop(): Promise<void>
}

/** s3rver's fixed credentials; the server under test reads them the standard way, from env. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }

/**
 * s3rver implements every request the S3 store makes but two, AbortMultipartUpload and
 * ListMultipartUploads, which it answers 405 and 501. This harness serves both as S3 specifies
 * them (over s3rver's own folder of open uploads), so the suite can check that the store leaves
 * no multipart upload open.
 */
export async function startTestS3(bucket = 'bucketshare-test'): Promise<TestS3> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-s3-'))
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  })
  const uploadsDir = path.join(dir, bucket, '._S3rver_uploads')
  const open = async (): Promise<string[]> => fs.readdir(uploadsDir).catch(() => [])
  server.middleware.unshift(async (ctx, next) => {
    const inBucket = ctx.path.startsWith(`/${bucket}`)
    if (inBucket && ctx.method === 'DELETE' && typeof ctx.query.uploadId === 'string') {
      const id = path.basename(ctx.query.uploadId)
      if (!(await open()).includes(id)) {
        ctx.status = 404
        ctx.type = 'application/xml'
        ctx.body = '<Error><Code>NoSuchUpload</Code><Message>no such upload</Message></Error>'
        return
      }
      await fs.rm(path.join(uploadsDir, id), { recursive: true, force: true })
      ctx.status = 204
      return
    }
    if (inBucket && ctx.method === 'GET' && 'uploads' in ctx.query) {
      const uploads = await Promise.all(
        (await open()).map(async (id) => ({
          id,
          key: await fs.readFile(path.join(uploadsDir, id, 'key'), 'utf8').catch(() => ''),
        })),
      )
      const xml = (s: string): string =>
        s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      ctx.type = 'application/xml'
      ctx.body =
        `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket>` +
        uploads
          .map((u) => `<Upload><Key>${xml(u.key)}</Key><UploadId>${xml(u.id)}</UploadId></Upload>`)
          .join('') +
        '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>'
      return
    }
    await next()
  })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    openUploads: open,
    putMany: async (keys) => {
      const md5 = createHash('md5').update('x').digest('hex')
      for (let i = 0; i < keys.length; i += 256)
        await Promise.all(
          keys.slice(i, i + 256).map(async (key) => {
            const object = path.join(dir, bucket, `${key}._S3rver_object`)
            await fs.mkdir(path.dirname(object), { recursive: true })
            await Promise.all([fs.writeFile(object, 'x'), fs.writeFile(`${object}.md5`, md5)])
          }),
        )
    },
    stop: async () => {
      await server.close()
      await fs.rm(dir, { recursive: true, force: true })
    },
  }
}
