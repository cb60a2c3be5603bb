import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, tree, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('create_b', () => {
  it('creates a bucket: 300 BCS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('create_b photos')).toEqual({ data: [], status: '300 BCS' })
    expect((await fs.stat(path.join(t.root, 'photos'))).isDirectory()).toBe(true)
  })

  it('takes a quoted name with spaces, and Unicode stored as NFC', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('create_b "holiday photos"')).status).toBe('300 BCS')
    expect((await c.command(`create_b ${'Zoë'.normalize('NFD')}`)).status).toBe('300 BCS')
    expect(await tree(t.root)).toEqual([
      '.bucketshare',
      '.bucketshare/staging',
      'Zoë',
      'holiday photos',
    ])
  })

  it('refuses an existing bucket: 350 BCF, in either Unicode form', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b Zoë')
    expect(await c.command('create_b Zoë')).toEqual({
      data: [],
      status: '350 BCF bucket already exists',
    })
    expect((await c.command(`create_b ${'Zoë'.normalize('NFD')}`)).status).toBe(
      '350 BCF bucket already exists',
    )
  })

  it('refuses a name taken by a file', async () => {
    t = await startTestServer()
    await fs.writeFile(path.join(t.root, 'notes'), 'x')
    const c = await t.connect()
    expect((await c.command('create_b notes')).status).toBe('350 BCF bucket already exists')
  })

  it.each([
    ['""', '350 BCF bucket name is empty'],
    ['..', '350 BCF ".." is not a bucket name'],
    ['a/b', '350 BCF bucket name may not contain "/"'],
    ['"say \\"hi\\""', '350 BCF bucket name may not contain """'],
    ['.bucketshare', '350 BCF ".bucketshare" is reserved by BucketShare'],
    ['CONIN$', '350 BCF "CONIN$" is a reserved device name on Windows'],
    ['conout$', '350 BCF "conout$" is a reserved device name on Windows'],
    ['CONOUT$.log', '350 BCF "CONOUT$.log" is a reserved device name on Windows'],
  ])('refuses the name %s', async (name, status) => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command(`create_b ${name}`)).status).toBe(status)
  })

  it('needs a name, and at most a folder path: 400 BCMD with the usage', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const usage = '400 BCMD usage: create_b <name of the bucket> [<folder path>]'
    expect((await c.command('create_b')).status).toBe(usage)
    expect((await c.command('create_b three words here')).status).toBe(usage)
    expect(await tree(t.root)).toEqual(['.bucketshare', '.bucketshare/staging'])
  })
})
