import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, startTestServer, testIdentity, tree, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

/** A client that is not the attacker: it must be served whatever happens on other connections. */
async function stillServes(t: TestServer): Promise<void> {
  const c = await t.connect()
  expect((await c.command('ls_b')).status).toBe('500 BLS')
  c.destroy()
}

describe('hostile input over raw sockets', () => {
  it('answers binary garbage with 400 BCMD and keeps serving', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.write(Buffer.concat([randomBytes(64 * 1024), Buffer.from('\n')]))
    await c.write('ls_b\n')
    // Whatever the garbage became, every answer is a 400 until the real command is answered.
    for (;;) {
      const { status } = await c.response()
      if (status === '500 BLS') break
      expect(status).toMatch(/^400 BCMD /)
    }
    await stillServes(t)
  })

  it.each([
    ['plain TCP', false],
    ['TLS', true],
  ])('answers a command after 20,000 blank lines sent at once (%s)', async (_name, secure) => {
    t = await startTestServer(secure ? { tls: await testIdentity() } : {})
    const c = await t.connect()
    await c.write(`${'\n'.repeat(10_000)}${' \t \r\n'.repeat(10_000)}init\n`)
    expect(await c.response()).toEqual({ data: ['BucketShare protocol 2'], status: '100 OK' })
    expect(t.logs.join('\n')).not.toMatch(/RangeError|internal error/)
    // The session is not stuck: its own close is seen and its slot is given back.
    c.end()
    await c.closed
    await eventually(() => t.server.clients().length === 0)
  })

  it('keeps serving others while a connection streams megabytes of blank lines', async () => {
    t = await startTestServer()
    const flood = await t.connect()
    const blanks = Buffer.alloc(256 * 1024, '\n')
    for (let i = 0; i < 4; i++) await flood.write(blanks)
    await stillServes(t)
    expect((await flood.command('init')).status).toBe('100 OK')
  })

  it('refuses a never-ending line without buffering it', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const megabyte = Buffer.alloc(1024 * 1024, 'a')
    for (let i = 0; i < 8; i++) await c.write(megabyte)
    await c.write('\nls_b\n')
    expect((await c.response()).status).toBe('400 BCMD line too long')
    expect((await c.response()).status).toBe('500 BLS')
    expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 ** 3)
  })

  it('closes a connection that sends half a command and then nothing', async () => {
    t = await startTestServer({ lineTimeoutMs: 300 })
    const c = await t.connect()
    await c.write('create_b hal')
    await c.closed
    await stillServes(t)
  })

  it('keeps only staged bytes when an upload announces more bytes than it sends', async () => {
    t = await startTestServer({ maxPartialBytes: 0 })
    const c = await t.connect()
    await c.command('create_b b')
    c.send('upload b partial 1000000')
    expect(await c.line()).toBe('-> ready 1000000')
    await c.write(randomBytes(1000))
    c.destroy()
    // With no room for kept uploads, the cut one is dropped at once.
    await eventually(() => t.logs.some((l) => l.includes('no answer, connection closed')))
    await eventually(async () => (await tree(t.root)).every((p) => !p.includes('.part')))
    expect(await tree(t.root)).toEqual(['.bucketshare', '.bucketshare/staging', 'b'])
    await stillServes(t)
  })

  it('takes a command sent too early as upload bytes, never as a command', async () => {
    t = await startTestServer({ idleTimeoutMs: 500 })
    const c = await t.connect()
    await c.command('create_b b')
    c.send('upload b short 10')
    expect(await c.line()).toBe('-> ready 10')
    await c.write('abc')
    // Seven more bytes complete the upload: this "command" is data.
    await c.write('delete_b b\n')
    expect(await c.response()).toMatchObject({ status: '700 FUTBS' })
    expect(await fs.readFile(path.join(t.root, 'b', 'short'), 'utf8')).toBe('abcdelete_')
    // The rest of the line is then read as a command of its own.
    expect((await c.response()).status).toMatch(/^400 BCMD unknown command "b"/)
  })

  it('keeps serving while a thousand connections are opened and held', async () => {
    t = await startTestServer()
    const held: net.Socket[] = []
    try {
      await Promise.all(
        Array.from(
          { length: 1000 },
          () =>
            new Promise<void>((resolve) => {
              const socket = net.connect({ port: t.server.port, host: '127.0.0.1' }, () =>
                resolve(),
              )
              socket.on('error', () => resolve())
              held.push(socket)
            }),
        ),
      )
      // Beyond the per-address limit, connections are refused at once; the rest are held open.
      await eventually(() => t.server.clients().length <= 32)
      // Another address (all of 127.0.0.0/8 is this computer) is served normally.
      const normal = net.connect({
        port: t.server.port,
        host: '127.0.0.1',
        localAddress: '127.0.0.2',
      })
      const answer = await new Promise<string>((resolve, reject) => {
        let text = ''
        normal.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.endsWith('\n')) resolve(text)
        })
        normal.on('error', reject)
        normal.write('ls_b\n')
      })
      expect(answer).toBe('500 BLS\n')
      normal.destroy()
    } finally {
      held.forEach((s) => s.destroy())
    }
  })
})
