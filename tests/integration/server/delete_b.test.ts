import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('delete_b', () => {
  it('deletes a bucket with every file in it: 600 BDS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b "old stuff"')
    await upload(c, '"old stuff"', 'a.txt', 'a')
    await fs.mkdir(path.join(t.root, 'old stuff', 'nested'))
    expect(await c.command('delete_b "old stuff"')).toEqual({ data: [], status: '600 BDS' })
    await expect(fs.stat(path.join(t.root, 'old stuff'))).rejects.toThrow(/ENOENT/)
    expect((await c.command('ls_b')).data).toEqual([])
  })

  it('refuses a missing bucket: 650 BDF', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('delete_b ghost')).toEqual({
      data: [],
      status: '650 BDF no such bucket',
    })
  })

  it('refuses a plain file in the shared folder', async () => {
    t = await startTestServer()
    await fs.writeFile(path.join(t.root, 'loose.txt'), 'x')
    const c = await t.connect()
    expect((await c.command('delete_b loose.txt')).status).toBe('650 BDF no such bucket')
    expect(await fs.readFile(path.join(t.root, 'loose.txt'), 'utf8')).toBe('x')
  })

  it('refuses names that could reach outside or the bookkeeping', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('delete_b ..')).status).toBe('650 BDF ".." is not a bucket name')
    expect((await c.command('delete_b .bucketshare')).status).toBe(
      '650 BDF ".bucketshare" is reserved by BucketShare',
    )
    expect((await fs.stat(path.join(t.root, '.bucketshare/staging'))).isDirectory()).toBe(true)
  })

  it('needs exactly one name', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('delete_b')).status).toBe(
      '400 BCMD usage: delete_b <name of the bucket>',
    )
  })
})
