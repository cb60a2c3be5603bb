import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BucketClient,
  ProtocolError,
  TransportError,
  type CommandRecord,
} from '../../../electron/client/index.js'
import { VERBS, type FileEntry } from '../../../shared/protocol/index.js'
import { fixture, type Fixture } from './helpers.js'

let f: Fixture
afterEach(() => f?.stop())

describe('BucketClient commands', () => {
  it('greets, lists the commands and the codes', async () => {
    f = await fixture()
    const c = await f.connect()
    expect(await c.init()).toMatch(/^BucketShare protocol \d+$/)
    const help = await c.help()
    for (const verb of VERBS) expect(help.some((l) => l.startsWith(verb))).toBe(true)
    expect(await c.codes()).toContainEqual(
      expect.stringMatching(/^300 BCS\s+Bucket Created Successfully/),
    )
  })

  it('creates, lists and deletes buckets, with names of any kind', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('my photos')
    await c.createBucket("Ünïcödé 'quoted'")
    expect((await c.listBuckets()).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'my photos', files: 0 },
      { name: "Ünïcödé 'quoted'", files: 0 },
    ])
    await c.deleteBucket('my photos')
    expect(await c.listBuckets()).toEqual([{ name: "Ünïcödé 'quoted'", files: 0 }])
  })

  it("reports the folder version, which another client's change moves on", async () => {
    f = await fixture()
    const c = await f.connect()
    const other = await f.connect()
    const before = await c.changes()
    expect(await c.changes()).toBe(before)
    await other.createBucket('new')
    expect(await c.changes()).not.toBe(before)
  })

  it('throws ProtocolError with the code, its meaning and the reason', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const err = await c.createBucket('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({
      code: 350,
      meaning: 'Bucket Creation Fails',
      detail: 'bucket already exists',
    })
    await expect(c.deleteBucket('ghost')).rejects.toMatchObject({ code: 650 })
    await expect(c.listFiles('ghost')).rejects.toMatchObject({ code: 850 })
    await expect(c.deleteFile('b', 'ghost')).rejects.toMatchObject({ code: 1050 })
    await expect(c.createBucket('../escape')).rejects.toMatchObject({ code: 350 })
    // The session is still usable after failures.
    expect(await c.listBuckets()).toEqual([{ name: 'b', files: 0 }])
  })

  it('lists files with size and time, one bucket or all', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await c.createBucket('empty')
    await fs.writeFile(path.join(f.root, 'b', 'a file.txt'), 'hello')
    const files = await c.listFiles('b')
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({ name: 'a file.txt', size: 5 })
    expect(Math.abs((files[0] as FileEntry).modified - Date.now())).toBeLessThan(60_000)
    const streamed: string[] = []
    expect(await c.listFiles('b', (file) => streamed.push(file.name))).toEqual([])
    expect(streamed).toEqual(['a file.txt'])
    const all = await c.listAll()
    expect(all.map((e) => [e.bucket, e.file?.name]).sort()).toEqual([
      ['b', 'a file.txt'],
      ['empty', undefined],
    ])
    await c.deleteFile('b', 'a file.txt')
    expect(await c.listFiles('b')).toEqual([])
  })

  it('runs concurrent calls one after another, in call order', async () => {
    f = await fixture()
    const c = await f.connect()
    const sent: string[] = []
    c.on('command', (r: CommandRecord) => sent.push(r.line))
    await Promise.all([
      c.createBucket('a'),
      c.createBucket('b'),
      c.listBuckets(),
      c.deleteBucket('a'),
    ])
    expect(sent).toEqual(['create_b a', 'create_b b', 'ls_b', 'delete_b a'])
    expect(await c.listBuckets()).toEqual([{ name: 'b', files: 0 }])
  })

  it('sends raw lines and returns failures as responses', async () => {
    f = await fixture()
    const c = await f.connect()
    const bad = await c.send('frobnicate')
    expect(bad.status).toMatchObject({ code: 400, abbr: 'BCMD', ok: false })
    expect(bad.status.detail).toContain('unknown command')
    await expect(c.send('upload b f 3')).rejects.toThrow(/upload\(\)/)
    await expect(c.send('   ')).rejects.toThrow('empty command')
  })

  it('quits with 200 BYE and reports the closed connection to later calls', async () => {
    f = await fixture()
    const c = await f.connect()
    const closed = new Promise<TransportError>((resolve) => c.once('close', resolve))
    await c.quit()
    expect(await closed).toBeInstanceOf(TransportError)
    expect(c.connected).toBe(false)
    await expect(c.listBuckets()).rejects.toBeInstanceOf(TransportError)
  })

  it('reports a dropped connection once the server closes', async () => {
    f = await fixture()
    const c = await f.connect()
    const closed = new Promise<TransportError>((resolve) => c.once('close', resolve))
    await f.server.close()
    expect((await closed).reason).toBe('closed')
    await expect(c.listBuckets()).rejects.toMatchObject({ reason: 'closed' })
  })
})

describe('BucketClient.connect', () => {
  it('fails with "refused" when nothing listens', async () => {
    const probe = net.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((r) => probe.close(r))
    const err = await BucketClient.connect({ host: '127.0.0.1', port }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err).toMatchObject({ reason: 'refused' })
    expect((err as Error).message).toContain(`127.0.0.1:${port}`)
  })

  it('fails with "timeout" when the server never answers a command', async () => {
    const silent = net.createServer(() => undefined)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as net.AddressInfo).port
    const c = await BucketClient.connect({ host: '127.0.0.1', port, responseTimeoutMs: 200 })
    await expect(c.listBuckets()).rejects.toMatchObject({ reason: 'timeout' })
    c.close()
    silent.close()
  })
})
