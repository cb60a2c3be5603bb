import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient, eventually, startTestServer, tree, type TestServer } from './helpers.js'

let t: TestServer | undefined
let child: ChildProcess | undefined
let dir: string | undefined
afterEach(async () => {
  child?.kill('SIGKILL')
  child = undefined
  await t?.stop()
  t = undefined
  if (dir) await fs.rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** The headless server as a separate process, so that it can be killed like a crash would. */
async function serverProcess(root: string): Promise<number> {
  child = spawn(process.execPath, [
    path.resolve('scripts/cli.mjs'),
    'server',
    root,
    '--port',
    '0',
    '--plain',
  ])
  return new Promise((resolve, reject) => {
    let out = ''
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child!.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
}

describe('faults', () => {
  it('a server killed mid-upload leaves no partial file, and cleans its staging on restart', async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-fault-')))
    const port = await serverProcess(dir)
    const c = await RawClient.connect(port)
    await c.command('create_b b')
    c.send('upload b big 10000000')
    expect(await c.line()).toBe('-> ready 10000000')
    await c.write(Buffer.alloc(500_000, 7))
    await eventually(
      async () => (await fs.readdir(path.join(dir!, '.bucketshare', 'staging'))).length === 1,
    )
    child!.kill('SIGKILL')
    await c.closed
    expect(await fs.readdir(path.join(dir, 'b'))).toEqual([])
    const again = await serverProcess(dir)
    expect(await fs.readdir(path.join(dir, '.bucketshare', 'staging'))).toEqual([])
    const d = await RawClient.connect(again)
    expect(await d.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
    d.destroy()
  })

  it('refuses an upload larger than the free space before any byte is sent', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    // 2^52 bytes: no disk has that much room.
    expect(await c.command(`upload b huge ${2 ** 52}`)).toEqual({
      data: [],
      status: '750 FUTBF disk full',
    })
    expect((await c.command('ls_b')).status).toBe('500 BLS')
  })

  it('answers with failure codes when the shared folder is removed while serving', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await fs.rm(t.root, { recursive: true })
    expect(await c.command('ls_b')).toEqual({ data: [], status: '550 BLF no such folder' })
    expect((await c.command('create_b x')).status).toBe('350 BCF no such folder')
    expect((await c.command(`upload b f 3`)).status).toMatch(/^750 FUTBF /)
    expect(await c.command('init')).toMatchObject({ status: '100 OK' })
  })

  it('answers with failure codes when the shared folder becomes unreadable', async () => {
    if (process.getuid?.() === 0) {
      // Root reads everything: make the folder a file instead, which fails the same way.
      t = await startTestServer()
      const c = await t.connect()
      await fs.rm(t.root, { recursive: true })
      await fs.writeFile(t.root, 'not a folder')
      expect((await c.command('ls_b')).status).toMatch(/^550 BLF /)
      await fs.rm(t.root)
      await fs.mkdir(t.root)
      return
    }
    t = await startTestServer()
    const c = await t.connect()
    await fs.chmod(t.root, 0o000)
    try {
      expect(await c.command('ls_b')).toEqual({ data: [], status: '550 BLF permission denied' })
    } finally {
      await fs.chmod(t.root, 0o755)
    }
  })

  it('leaves no trace of a client killed in the middle of a download', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await fs.writeFile(path.join(t.root, 'b', 'f'), Buffer.alloc(20_000_000, 1))
    c.send('download b f')
    expect(await c.line()).toBe('-> size 20000000')
    c.destroy()
    await eventually(() => t!.server.clients().length === 0)
    expect(await tree(t.root)).toEqual(['.bucketshare', '.bucketshare/staging', 'b', 'b/f'])
    const d = await t.connect()
    expect((await d.command('ls_f b')).data).toHaveLength(1)
  })
})
