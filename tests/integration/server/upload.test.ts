import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  eventually,
  sha256,
  stagedBytes,
  startTestServer,
  upload,
  type TestServer,
} from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

const staged = (): Promise<string[]> => fs.readdir(path.join(t.root, '.bucketshare/staging'))

describe('upload', () => {
  it('stores the bytes and answers with their sha256: 700 FUTBS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(100_000)
    expect(await upload(c, 'b', '"a file.bin"', content)).toEqual({
      data: ['ready 100000', `sha256 ${sha256(content)}`],
      status: '700 FUTBS',
    })
    expect(await fs.readFile(path.join(t.root, 'b', 'a file.bin'))).toEqual(content)
    expect(await staged()).toEqual([])
  })

  it('stores an empty file', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect(await upload(c, 'b', 'empty', '')).toEqual({
      data: ['ready 0', `sha256 ${sha256('')}`],
      status: '700 FUTBS',
    })
    expect((await fs.stat(path.join(t.root, 'b', 'empty'))).size).toBe(0)
  })

  it('replaces a file of the same name, whichever Unicode form names it', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'Ångström.txt'.normalize('NFC'), 'first')
    await upload(c, 'b', 'Ångström.txt'.normalize('NFD'), 'second')
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual(['Ångström.txt'.normalize('NFC')])
    expect(await fs.readFile(path.join(t.root, 'b', 'Ångström.txt'), 'utf8')).toBe('second')
  })

  it('takes the bytes and the next command from the same chunk', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await c.write('upload b f.txt 5\nhellols_f b\n')
    expect(await c.response()).toEqual({
      data: ['ready 5', `sha256 ${sha256('hello')}`],
      status: '700 FUTBS',
    })
    const listing = await c.response()
    expect(listing.status).toBe('800 FLS')
    expect(listing.data[0]).toMatch(/^f\.txt 5 /)
  })

  it('takes bytes that look like commands as bytes', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = 'quit\ndelete_b b\n'
    expect((await upload(c, 'b', 'cmds.txt', content)).status).toBe('700 FUTBS')
    expect(await fs.readFile(path.join(t.root, 'b', 'cmds.txt'), 'utf8')).toBe(content)
    expect((await c.command('ls_b')).data).toEqual(['b 1'])
  })

  it.each([
    ['ghost f 3', '750 FUTBF no such bucket'],
    ['b f -3', '750 FUTBF size must be a whole number of bytes, at most 2^53 - 1'],
    ['b f 3.5', '750 FUTBF size must be a whole number of bytes, at most 2^53 - 1'],
    ['b f 99999999999999999', '750 FUTBF size must be a whole number of bytes, at most 2^53 - 1'],
    ['b f 9007199254740991', '750 FUTBF disk full'],
    ['b sub 3', '750 FUTBF a folder has that name'],
    ['b a//b 3', '750 FUTBF file path has an empty part'],
    ['b sub/ 3', '750 FUTBF file path may not start or end with "/"'],
    ['b a/../../x 3', '750 FUTBF ".." is not a file name'],
    ['b "" 3', '750 FUTBF file name is empty'],
    ['b .. 3', '750 FUTBF ".." is not a file name'],
    ['b nul 3', '750 FUTBF "nul" is a reserved device name on Windows'],
    ['b CONIN$ 3', '750 FUTBF "CONIN$" is a reserved device name on Windows'],
    ['b CONOUT$.txt 3', '750 FUTBF "CONOUT$.txt" is a reserved device name on Windows'],
  ])('refuses "%s" before any byte, and stays in step', async (args, status) => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b', 'sub'), { recursive: true })
    const c = await t.connect()
    expect(await c.command(`upload ${args}`)).toEqual({ data: [], status })
    expect(await c.command('ls_b')).toEqual({ data: ['b 0'], status: '500 BLS' })
    expect(await staged()).toEqual([])
  })

  it('reads all the bytes of an upload that fails after ready, then answers 750 FUTBF', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    c.send('upload b f.bin 200000')
    expect(await c.line()).toBe('-> ready 200000')
    await c.write(Buffer.alloc(100_000, 7))
    // The bucket disappears while the bytes are arriving.
    await fs.rm(path.join(t.root, 'b'), { recursive: true })
    await c.write(Buffer.alloc(100_000, 7))
    expect(await c.response()).toEqual({ data: [], status: '750 FUTBF no such bucket' })
    expect(await c.command('init')).toEqual({ data: ['BucketShare protocol 2'], status: '100 OK' })
    expect(await staged()).toEqual([])
  })

  it('leaves no file in the bucket when the client disconnects mid-upload, only kept bytes in staging', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    c.send('upload b partial.bin 1000000')
    expect(await c.line()).toBe('-> ready 1000000')
    await c.write(Buffer.alloc(300_000, 1))
    await eventually(
      async () => (await stagedBytes(path.join(t.root, '.bucketshare/staging'))) === 300_000,
    )
    c.destroy()
    await eventually(() => t.logs.some((l) => l.includes('cut: 300000 bytes kept')))
    expect((await staged()).map((n) => path.extname(n)).sort()).toEqual(['.json', '.part'])
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual([])
    await eventually(() => t.logs.some((l) => l.includes('no answer, connection closed')))
    const other = await t.connect()
    expect(await other.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
  })

  it('keeps one whole file when two clients upload the same name', async () => {
    t = await startTestServer()
    const [a, b] = [await t.connect(), await t.connect()]
    await a.command('create_b b')
    const first = Buffer.alloc(2_000_000, 'a')
    const second = Buffer.alloc(1_500_000, 'b')
    a.send(`upload b same.bin ${first.length}`)
    b.send(`upload b same.bin ${second.length}`)
    expect(await a.line()).toBe(`-> ready ${first.length}`)
    expect(await b.line()).toBe(`-> ready ${second.length}`)
    await Promise.all([
      a.write(first.subarray(0, 1_000_000)),
      b.write(second.subarray(0, 1_000_000)),
    ])
    await b.write(second.subarray(1_000_000))
    expect((await b.response()).status).toBe('700 FUTBS')
    await a.write(first.subarray(1_000_000))
    expect((await a.response()).status).toBe('700 FUTBS')
    // The last rename wins, and the file is never a mix of both.
    expect((await fs.readFile(path.join(t.root, 'b', 'same.bin'))).equals(first)).toBe(true)
    expect(await staged()).toEqual([])
  })

  it('needs a bucket, a file and a size', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('upload b f')).status).toBe(
      '400 BCMD usage: upload <name of bucket> <name of file> <size in bytes> [<held bytes> <their sha256>]',
    )
  })
})

describe('the staging folder gone while the server runs', () => {
  it('is made again on the next upload', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await fs.rm(path.join(t.root, '.bucketshare'), { recursive: true })
    expect((await upload(c, 'b', 'f', 'hello')).status).toBe('700 FUTBS')
    expect(await fs.readFile(path.join(t.root, 'b', 'f'), 'utf8')).toBe('hello')
    expect(await fs.readdir(path.join(t.root, '.bucketshare', 'staging'))).toEqual([])
  })

  it('is made again when the whole shared folder was made anew', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await fs.rm(t.root, { recursive: true })
    await fs.mkdir(path.join(t.root, 'b'), { recursive: true })
    expect((await upload(c, 'b', 'f', 'hello')).status).toBe('700 FUTBS')
    expect((await c.command('ls_b')).data).toEqual(['b 1'])
  })

  it('gives the true reason when it cannot be made', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await fs.rm(path.join(t.root, '.bucketshare'), { recursive: true })
    await fs.writeFile(path.join(t.root, '.bucketshare'), 'in the way')
    expect((await upload(c, 'b', 'f', 'hello')).status).toBe(
      '750 FUTBF ".bucketshare" is not a folder',
    )
    await fs.rm(path.join(t.root, '.bucketshare'))
    expect((await upload(c, 'b', 'f', 'hello')).status).toBe('700 FUTBS')
  })
})
