import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256, startTestServer, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

const staged = (): Promise<string[]> => fs.readdir(path.join(t.root, '.bucketshare/staging'))

/** A put_f line with its bytes right behind it, as one write. */
const put = (bucket: string, file: string, content: string | Buffer, size = content.length) =>
  Buffer.concat([Buffer.from(`put_f ${bucket} ${file} ${size}\n`), Buffer.from(content)])

describe('put_f: an upload whose bytes follow the line at once', () => {
  it('is announced by init as protocol 2', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('init')).toEqual({ data: ['BucketShare protocol 2'], status: '100 OK' })
  })

  it('stores the bytes and answers with their sha256, without "-> ready"', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(100_000)
    await c.write(put('b', '"a file.bin"', content))
    expect(await c.response()).toEqual({ data: [`sha256 ${sha256(content)}`], status: '700 FUTBS' })
    expect(await fs.readFile(path.join(t.root, 'b', 'a file.bin'))).toEqual(content)
    expect(await staged()).toEqual([])
  })

  it('takes many back to back in one write and answers each in order', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const files = Array.from(
      { length: 20 },
      (_, i) => [`f${i}.bin`, randomBytes(i * 1000)] as const,
    )
    await c.write(
      Buffer.concat([
        ...files.map(([name, bytes]) => put('b', name, bytes)),
        Buffer.from('ls_b\n'),
      ]),
    )
    for (const [, bytes] of files)
      expect(await c.response()).toEqual({ data: [`sha256 ${sha256(bytes)}`], status: '700 FUTBS' })
    expect(await c.response()).toEqual({ data: ['b 20'], status: '500 BLS' })
    for (const [name, bytes] of files)
      expect(await fs.readFile(path.join(t.root, 'b', name))).toEqual(bytes)
  })

  it('takes the bytes of a refusal too, so they never run as commands', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b keep')
    // Bytes that would delete a bucket if they were read as a command line.
    const evil = 'delete_b keep\n'
    await c.write(
      Buffer.concat([
        put('ghost', 'x', evil),
        put('keep', '..', evil),
        put('keep', 'ok.txt', 'fine'),
        Buffer.from('ls_b\n'),
      ]),
    )
    expect(await c.response()).toEqual({ data: [], status: '750 FUTBF no such bucket' })
    expect((await c.response()).status).toMatch(/^750 FUTBF /)
    expect(await c.response()).toEqual({ data: [`sha256 ${sha256('fine')}`], status: '700 FUTBS' })
    expect(await c.response()).toEqual({ data: ['keep 1'], status: '500 BLS' })
    expect(await staged()).toEqual([])
  })

  it('takes the bytes of a refusal before the access code, and of a read-only host', async () => {
    t = await startTestServer({ accessCode: 'sesame' })
    const c = await t.connect()
    await c.write(Buffer.concat([put('b', 'x', 'quit\n'), Buffer.from('init\n')]))
    expect((await c.response()).status).toBe('1150 AGF access code required: auth <access code>')
    expect((await c.response()).status).toBe('100 OK')
    await t.stop()

    t = await startTestServer({ readOnly: true })
    const r = await t.connect()
    await r.write(Buffer.concat([put('b', 'x', 'quit\n'), Buffer.from('init\n')]))
    expect(await r.response()).toEqual({
      data: [],
      status: '750 FUTBF the host shares this folder read-only',
    })
    expect((await r.response()).status).toBe('100 OK')
  })

  it('answers and closes when it cannot tell where the bytes end', async () => {
    t = await startTestServer()
    for (const [line, status] of [
      ['put_f b x -1', '750 FUTBF size must be a whole number of bytes, at most 2^53 - 1'],
      ['put_f b x', '400 BCMD usage: put_f <name of bucket> <name of file> <size in bytes>'],
      ['put_f b "x 5', '400 BCMD unterminated quote'],
      [`put_f b ${'x'.repeat(9000)} 5`, '400 BCMD line too long'],
    ]) {
      const c = await t.connect()
      await c.write(`${line}\nls_b\n`)
      expect(await c.response()).toEqual({ data: [], status })
      expect((await c.untilClosed()).toString()).toBe('')
    }
  })

  it('keeps a cut one for resume_f, as upload does', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await c.write(put('b', 'cut.bin', 'hello', 10))
    await new Promise((resolve) => setTimeout(resolve, 100))
    c.destroy()
    const d = await t.connect()
    for (let i = 0; ; i++) {
      const held = await d.command('resume_f b cut.bin 10')
      if (held.data[0] === `held 5 ${sha256('hello')}`) break
      expect(i).toBeLessThan(50)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })
})
