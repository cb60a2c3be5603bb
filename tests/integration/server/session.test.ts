import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectedClient } from '../../../shared/hosting.js'
import { codeLines, helpLines } from '../../../shared/protocol/index.js'
import { startServer } from '../../../electron/server/index.js'
import { eventually, sha256, startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('greeting, help and codes', () => {
  it('answers init with the protocol version and 100 OK', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('init')).toEqual({ data: ['BucketShare protocol 2'], status: '100 OK' })
  })

  it('lists every command in help, generated from the registry', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const help = await c.command('help')
    expect(help.status).toBe('100 OK')
    expect(help.data).toEqual(helpLines().map((l) => l.slice(3)))
    expect(help.data.join('\n')).toContain('create_b <name of the bucket>')
  })

  it('explains one command, and refuses an unknown one with 400 BCMD', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const one = await c.command('help upload')
    expect(one.data).toEqual(helpLines('upload').map((l) => l.slice(3)))
    expect(one.status).toBe('100 OK')
    expect(await c.command('help fly')).toEqual({
      data: [],
      status: '400 BCMD no command "fly"; type help',
    })
  })

  it('lists every response code in code_r', async () => {
    t = await startTestServer()
    const c = await t.connect()
    const codes = await c.command('code_r')
    expect(codes.status).toBe('100 OK')
    expect(codes.data).toEqual(codeLines().map((l) => l.slice(3)))
    expect(codes.data).toContain('850 FLF    Files Listing Fails')
  })

  it('answers quit with 200 BYE and closes the connection', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('quit')).toEqual({ data: [], status: '200 BYE' })
    await c.closed
    await eventually(() => t.logs.some((l) => l.endsWith('disconnected (quit)')))
  })

  it('runs what a client sent before closing its side, then closes', async () => {
    t = await startTestServer()
    const c = await t.connect()
    c.send('create_b a')
    c.send('ls_b')
    c.end()
    const rest = await c.untilClosed()
    expect(rest.toString()).toBe('300 BCS\n-> a 0\n500 BLS\n')
  })
})

describe('log and clients', () => {
  it('logs one line per connection and per command, and reports the clients', async () => {
    t = await startTestServer()
    const seen: ConnectedClient[][] = []
    t.server.on('clients', (list) => seen.push(list))
    const c = await t.connect()
    await c.command('create_b photos')
    expect(t.server.clients()).toHaveLength(1)
    const [client] = t.server.clients()
    expect(client!.remote).toBe(`127.0.0.1:${c.socket.localPort}`)
    expect(client!.connectedAt).toBeLessThanOrEqual(Date.now())
    await upload(c, 'photos', 'a.txt', 'x'.repeat(100_000))
    await c.command('quit')
    await eventually(() => seen.length === 2)
    expect(seen.map((l) => l.length)).toEqual([1, 0])
    const me = client!.remote
    expect(t.logs).toEqual([
      `${me} connected`,
      `${me} create_b photos -> 300 BCS`,
      `${me} upload photos a.txt 100000 -> 700 FUTBS`,
      `${me} quit -> 200 BYE`,
      `${me} disconnected (quit)`,
    ])
  })

  it('shows control characters in the log escaped', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('\u001b[31mred')
    expect(t.logs[1]).toContain('\\x1B[31mred -> 400 BCMD')
  })
})

describe('two clients at once', () => {
  it('serves both, each in its own order, while one uploads', async () => {
    t = await startTestServer()
    const [a, b] = [await t.connect(), await t.connect()]
    expect((await a.command('create_b shared')).status).toBe('300 BCS')
    a.send('upload shared big.bin 1000000')
    expect(await a.line()).toBe('-> ready 1000000')
    await a.write(Buffer.alloc(400_000, 1))
    // b is served while a's upload is half done, and does not see the partial file.
    expect(await b.command('ls_f shared')).toEqual({ data: [], status: '800 FLS' })
    expect((await b.command('create_b other')).status).toBe('300 BCS')
    await a.write(Buffer.alloc(600_000, 1))
    expect((await a.response()).status).toBe('700 FUTBS')
    expect((await b.command('ls_b')).data.sort()).toEqual(['other 0', 'shared 1'])
    expect(t.server.clients().map((x) => x.id)).toEqual([1, 2])
  })
})

describe('idle timeout', () => {
  it('closes a connection that sends nothing', async () => {
    t = await startTestServer({ idleTimeoutMs: 150 })
    const c = await t.connect()
    const started = Date.now()
    await c.closed
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
    await eventually(() => t.logs.some((l) => l.endsWith('disconnected (idle timeout)')))
  })

  it('keeps a connection that stays busy', async () => {
    t = await startTestServer({ idleTimeoutMs: 300 })
    const c = await t.connect()
    for (let i = 0; i < 8; i++) {
      expect((await c.command('ls_b')).status).toBe('500 BLS')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(c.socket.destroyed).toBe(false)
  })

  it('closes an upload that stalls, keeping its bytes for a later upload to continue', async () => {
    t = await startTestServer({ idleTimeoutMs: 200 })
    const c = await t.connect()
    await c.command('create_b b')
    expect(await (c.send('upload b f 10'), c.line())).toBe('-> ready 10')
    await c.write('12345')
    await c.closed
    await eventually(() => t.logs.some((l) => l.includes('cut: 5 bytes kept')))
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual([])
    const other = await t.connect()
    expect((await other.command('resume_f b f 10')).data).toEqual([`held 5 ${sha256('12345')}`])
  })
})

describe('start and close', () => {
  it('refuses a missing folder and a file with a clear message', async () => {
    const missing = path.join(os.tmpdir(), 'bucketshare-no-such-folder')
    await expect(startServer({ root: missing, port: 0 })).rejects.toThrow(
      `Cannot share "${missing}": no such folder`,
    )
    t = await startTestServer()
    const file = path.join(t.root, 'plain.txt')
    await fs.writeFile(file, 'x')
    await expect(startServer({ root: file, port: 0 })).rejects.toThrow('it is not a folder')
  })

  it('refuses a port in use', async () => {
    t = await startTestServer()
    await expect(startServer({ root: t.root, port: t.server.port })).rejects.toThrow(
      `Cannot listen on 127.0.0.1:${t.server.port}: the port is already in use`,
    )
  })

  it('reports where it listens and what it shares', async () => {
    t = await startTestServer()
    expect(t.server.host).toBe('127.0.0.1')
    expect(t.server.port).toBeGreaterThan(0)
    expect(t.server.root).toBe(t.root)
  })

  it('empties the staging folder of an earlier run', async () => {
    t = await startTestServer()
    const staging = path.join(t.root, '.bucketshare/staging')
    await fs.writeFile(path.join(staging, 'old.part'), 'leftover')
    const again = await startServer({ root: t.root, port: 0 })
    await again.close()
    expect(await fs.readdir(staging)).toEqual([])
  })

  it('lets a command in progress finish, closes idle clients, then stops listening', async () => {
    t = await startTestServer()
    const [busy, idle] = [await t.connect(), await t.connect()]
    await busy.command('create_b b')
    busy.send('upload b late.txt 6')
    expect(await busy.line()).toBe('-> ready 6')
    await busy.write('abc')
    const closing = t.server.close()
    await idle.closed
    await busy.write('def')
    expect((await busy.response()).status).toBe('700 FUTBS')
    await busy.closed
    await closing
    expect(await fs.readFile(path.join(t.root, 'b/late.txt'), 'utf8')).toBe('abcdef')
    await expect(
      new Promise((resolve, reject) =>
        net.connect(t.server.port, '127.0.0.1', () => resolve('connected')).on('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/)
  })
})
