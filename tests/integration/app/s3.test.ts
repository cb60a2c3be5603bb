import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Secrets } from '../../../electron/app/secrets.js'
import type { AppInfo, HostStatus, Settings } from '../../../shared/ipc.js'
import type { BucketEntry } from '../../../shared/protocol/index.js'
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from '../stores/s3rver.js'
import { appFixture, freePort, type AppFixture } from './helpers.js'

/** Stands in for Electron's safeStorage: what it seals does not contain the text. */
const secrets: Secrets = {
  seal: (text) => Buffer.from(text).reverse().toString('base64'),
  open: (sealed) => Buffer.from(sealed, 'base64').reverse().toString(),
}

let s3: TestS3
let f: AppFixture | undefined
beforeAll(async () => (s3 = await startTestS3()))
afterAll(() => s3?.stop())
afterEach(async () => {
  await f?.stop()
  f = undefined
  for (const key of Object.keys(S3RVER_CREDENTIALS)) delete process.env[key]
})

const store = (extra: object = {}) => ({
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  prefix: 'app',
  pathStyle: true,
  ...extra,
})

/** Every file of the settings folder, as text: what a person (or malware) could read. */
async function settingsText(base: string): Promise<string> {
  const dir = path.join(base, 'settings')
  const names = await fs.readdir(dir)
  return (await Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8')))).join('\n')
}

describe('hosting an S3-compatible store from the app', () => {
  it('shares it with keys typed in the app, kept sealed and used again at the next start', async () => {
    f = await appFixture({ secrets })
    expect((await f.ok<AppInfo>('app:info')).sealedKeys).toBe(true)
    const start = async (extra: object) =>
      f!.ok<HostStatus>('host:start', {
        root: 'unused',
        s3: store(extra),
        port: await freePort(),
        exposure: 'loopback',
      })
    const status = await start(S3RVER_CREDENTIALS_AS_KEYS)
    expect(status).toMatchObject({ running: true, root: `s3://${s3.bucket}/app` })
    await f.ok('connection:connect', { host: '127.0.0.1', port: status.port! })
    await f.ok('buckets:create', { name: 'photos' })
    expect(await f.ok<BucketEntry[]>('buckets:list')).toEqual([{ name: 'photos', files: 0 }])
    const kept = await settingsText(f.base)
    expect(kept).not.toContain('S3RVER')
    expect((await f.ok<Settings>('settings:get')).lastS3).toMatchObject({
      bucket: s3.bucket,
      prefix: 'app',
    })
    await f.ok('host:stop')
    expect((await start({})).running).toBe(true)
  })

  it('in browser mode takes keys from the environment only, and says so when given some', async () => {
    f = await appFixture()
    expect((await f.ok<AppInfo>('app:info')).sealedKeys).toBe(false)
    const port = await freePort()
    const refused = await f.core.invoke('host:start', {
      root: 'unused',
      s3: store(S3RVER_CREDENTIALS_AS_KEYS),
      port,
      exposure: 'loopback',
    })
    expect(refused).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('come from the environment only') },
    })
    Object.assign(process.env, S3RVER_CREDENTIALS)
    const status = await f.ok<HostStatus>('host:start', {
      root: 'unused',
      s3: store(),
      port,
      exposure: 'loopback',
    })
    expect(status.running).toBe(true)
  })

  it('says in one line why a store cannot be shared', async () => {
    f = await appFixture({ secrets })
    const result = await f.core.invoke('host:start', {
      root: 'unused',
      s3: store({ bucket: 'no-such-bucket', ...S3RVER_CREDENTIALS_AS_KEYS }),
      port: await freePort(),
      exposure: 'loopback',
    })
    expect(result).toMatchObject({
      ok: false,
      error: {
        message:
          'Cannot share "s3://no-such-bucket/app": the S3 bucket "no-such-bucket" does not exist',
      },
    })
  })
})

const S3RVER_CREDENTIALS_AS_KEYS = {
  accessKeyId: S3RVER_CREDENTIALS.AWS_ACCESS_KEY_ID,
  secretAccessKey: S3RVER_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
}
