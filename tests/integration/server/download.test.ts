import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, constants, openSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { download, sha256, startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('download', () => {
  it('sends size, the bytes, then their sha256: 900 FDFBS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b "my bucket"')
    const content = randomBytes(300_000)
    await upload(c, '"my bucket"', '"a file.bin"', content)
    const got = await download(c, '"my bucket"', '"a file.bin"')
    expect(got.bytes).toEqual(content)
    expect(got.data).toEqual(['size 300000', `sha256 ${sha256(content)}`])
    expect(got.status).toBe('900 FDFBS')
    expect((await c.command('ls_b')).status).toBe('500 BLS')
  })

  it('reports the sha256 of what it sends when a large file changed on disk since it was sent', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const first = randomBytes(2 * 1024 * 1024)
    await upload(c, 'b', 'big.bin', first)
    expect((await download(c, 'b', 'big.bin')).data).toEqual([
      'size 2097152',
      `sha256 ${sha256(first)}`,
    ])
    const changed = randomBytes(first.length)
    await fs.writeFile(path.join(t.root, 'b', 'big.bin'), changed)
    const got = await download(c, 'b', 'big.bin')
    // Compared whole at once: toEqual walks a 2 MiB buffer byte by byte for half a minute.
    expect(got.bytes?.equals(changed)).toBe(true)
    expect(got.data).toEqual(['size 2097152', `sha256 ${sha256(changed)}`])
  })

  it('sends an empty file', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'empty', '')
    expect(await download(c, 'b', 'empty')).toEqual({
      data: ['size 0', `sha256 ${sha256('')}`],
      status: '900 FDFBS',
      bytes: Buffer.alloc(0),
    })
  })

  it('finds the file by either Unicode form', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'naïve.txt'.normalize('NFD'), 'naive')
    expect((await download(c, 'b', 'naïve.txt'.normalize('NFC'))).bytes?.toString()).toBe('naive')
  })

  it('runs commands pipelined after a download', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'f', 'abc')
    await c.write('download b f\nls_b\n')
    expect(await c.line()).toBe('-> size 3')
    expect((await c.bytes(3)).toString()).toBe('abc')
    expect((await c.response()).status).toBe('900 FDFBS')
    expect(await c.response()).toEqual({ data: ['b 1'], status: '500 BLS' })
  })

  it.each([
    ['b ghost', '950 FDFBF no such file'],
    ['ghost f', '950 FDFBF no such bucket'],
    ['b sub', '950 FDFBF no such file'],
    ['b ../b/f', '950 FDFBF ".." is not a file name'],
    ['b /etc/passwd', '950 FDFBF file path may not start or end with "/"'],
    ['.. b', '950 FDFBF ".." is not a bucket name'],
  ])('refuses %s and stays in step', async (args, status) => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b', 'sub'), { recursive: true })
    await fs.writeFile(path.join(t.root, 'b', 'f'), 'x')
    const c = await t.connect()
    expect(await c.command(`download ${args}`)).toEqual({ data: [], status })
    expect((await c.command('init')).status).toBe('100 OK')
  })

  it('closes the connection when the file shrinks under it', async () => {
    t = await startTestServer()
    const file = path.join(t.root, 'b', 'big.bin')
    await fs.mkdir(path.dirname(file))
    const size = 64 * 1024 * 1024
    await fs.writeFile(file, Buffer.alloc(size, 1))
    const c = await t.connect()
    c.socket.pause()
    c.send('download b big.bin')
    c.socket.resume()
    expect(await c.line()).toBe(`-> size ${size}`)
    await fs.truncate(file, 1024)
    await expect(c.bytes(size)).rejects.toThrow('connection closed by the server')
    expect(t.logs.some((l) => l.includes('download failed: file shrank while being sent'))).toBe(
      true,
    )
  })

  it('needs a bucket and a file', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('download b')).status).toBe(
      '400 BCMD usage: download <name of bucket> <name of file> [<from byte> [<version>]]',
    )
  })
})

describe('download of something that is not a regular file', () => {
  it('refuses a named pipe at once, and every other client keeps being served', async () => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b'))
    const pipe = path.join(t.root, 'b', 'pipe')
    execFileSync('mkfifo', [pipe])
    await fs.writeFile(path.join(t.root, 'b', 'f'), 'hello')
    try {
      // More requests than the four threads every file operation of the server shares.
      const askers = await Promise.all(Array.from({ length: 8 }, () => t.connect()))
      const answers = await Promise.all(askers.map((c) => c.command('download b pipe')))
      expect(answers).toEqual(
        Array.from({ length: 8 }, () => ({ data: [], status: '950 FDFBF not a regular file' })),
      )
      const other = await t.connect()
      expect((await download(other, 'b', 'f')).bytes?.toString()).toBe('hello')
      expect((await upload(other, 'b', 'g', 'bytes')).status).toBe('700 FUTBS')
      // A pipe is neither listed nor counted.
      expect((await other.command('ls_b')).data).toEqual(['b 2'])
    } finally {
      // Should a server ever wait on the pipe, a writer lets it go, so the test run can end.
      try {
        closeSync(openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK))
      } catch {
        // Nobody was waiting.
      }
    }
  })
})
