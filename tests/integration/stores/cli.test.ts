import { execFile, spawn } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from './s3rver.js'

const run = promisify(execFile)
let s3: TestS3
beforeAll(async () => (s3 = await startTestS3()))
afterAll(() => s3?.stop())

/** `npm run server -- <args>` as the launcher runs it, with the given environment. */
async function server(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = [path.resolve('scripts/cli.mjs'), 'server', ...args, '--plain', '--port', '0']
  return run(process.execPath, cmd, { env: { ...process.env, ...env }, timeout: 20_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
}

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

describe('npm run server -- s3://…', () => {
  it('says in one line that the S3 bucket does not exist, and exits 1', async () => {
    const r = await server(
      ['s3://no-such-bucket/x', '--s3-endpoint', s3.endpoint, '--s3-path-style'],
      S3RVER_CREDENTIALS,
    )
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      'error: Cannot share "s3://no-such-bucket/x": the S3 bucket "no-such-bucket" does not exist',
    )
  })

  it('says in one line that the credentials were refused, and exits 1', async () => {
    const r = await server(
      ['s3://bucketshare-test', '--s3-endpoint', s3.endpoint, '--s3-path-style'],
      {
        AWS_ACCESS_KEY_ID: 'WRONG',
        AWS_SECRET_ACCESS_KEY: 'WRONG',
      },
    )
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('access denied: check the credentials')
    expect(r.stderr).not.toContain('WRONG')
  })

  it('says in one line that the endpoint cannot be reached, and exits 1', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const r = await server(
      ['s3://bucketshare-test', '--s3-endpoint', endpoint, '--s3-path-style'],
      S3RVER_CREDENTIALS,
    )
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`cannot reach ${endpoint}`)
  })

  it('shares the store and says where', async () => {
    const child = spawn(
      process.execPath,
      [
        path.resolve('scripts/cli.mjs'),
        'server',
        's3://bucketshare-test/team files',
        '--s3-endpoint',
        s3.endpoint,
        '--s3-path-style',
        '--plain',
        '--port',
        '0',
      ],
      { env: { ...process.env, ...S3RVER_CREDENTIALS } },
    )
    try {
      let out = ''
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString()
          if (out.includes('Listening on')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)))
      })
      expect(out).toContain('Sharing "s3://bucketshare-test/team files"')
    } finally {
      child.kill()
    }
  })
})
