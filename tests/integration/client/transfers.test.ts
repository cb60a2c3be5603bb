import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import {
  fileSource,
  fileTarget,
  LocalFileError,
  LANE_MAX_BYTES,
  streamSource,
  ProtocolError,
  TransportError,
  type CommandRecord,
  type Progress,
} from '../../../electron/client/index.js'
import { fixture, randomFile, sha256Of, type Fixture } from './helpers.js'

let f: Fixture
afterEach(() => f?.stop())

const MiB = 1024 * 1024

/** What a person sees in the shared folder and its staging area. */
async function listing(
  f: Fixture,
  bucket: string,
): Promise<{ files: string[]; staging: string[] }> {
  return {
    files: (await fs.readdir(path.join(f.root, bucket))).sort(),
    staging: await fs.readdir(path.join(f.root, '.bucketshare', 'staging')),
  }
}

describe('upload and download', () => {
  it.each([
    ['an empty file', 0],
    ['a small file', 1000],
    ['a file of several buffers', 5 * MiB + 3],
  ])('round-trips %s with its sha256 verified', async (_, size) => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const source = path.join(f.local, 'source.bin')
    const hash = await randomFile(source, size)
    const up = await c.upload({ bucket: 'b', name: 'copy.bin', source: fileSource(source) })
    expect(up).toMatchObject({ size, sha256: hash })
    expect(up.response.status).toMatchObject({ code: 700, abbr: 'FUTBS' })
    // Up to LANE_MAX_BYTES a file goes as put_f, its bytes right behind the line (no `ready`).
    expect(up.response.lines).toEqual(
      size <= LANE_MAX_BYTES ? [`sha256 ${hash}`] : [`ready ${size}`, `sha256 ${hash}`],
    )
    expect(await sha256Of(path.join(f.root, 'b', 'copy.bin'))).toBe(hash)
    const down = await c.download({ bucket: 'b', name: 'copy.bin', target: fileTarget(f.local) })
    expect(down).toMatchObject({ size, sha256: hash, path: path.join(f.local, 'copy.bin') })
    expect(down.response.status.code).toBe(900)
    expect(await sha256Of(path.join(f.local, 'copy.bin'))).toBe(hash)
  })

  it('round-trips 200 MB with flat progress reports ending at the total', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('big')
    const size = 200 * 1000 * 1000
    const source = path.join(f.local, 'big.bin')
    const hash = await randomFile(source, size)
    const reports: Progress[] = []
    await c.upload({
      bucket: 'big',
      name: 'big.bin',
      source: fileSource(source),
      onProgress: (p) => reports.push(p),
    })
    expect(reports[0]).toEqual({ bytes: 0, total: size, rate: 0 })
    expect(reports.at(-1)).toMatchObject({ bytes: size, total: size })
    expect(reports.at(-1)!.rate).toBeGreaterThan(0)
    // Reports come on a timer, not per chunk (200 MB is about 3,000 chunks).
    expect(reports.length).toBeLessThan(200)
    const destination = path.join(f.local, 'back.bin')
    const down = await c.download({
      bucket: 'big',
      name: 'big.bin',
      target: fileTarget(destination),
    })
    expect(down.sha256).toBe(hash)
    expect(await sha256Of(destination)).toBe(hash)
  }, 120_000)

  it('keeps names with spaces, quotes and Unicode', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('mes photos')
    const source = path.join(f.local, 'x')
    await fs.writeFile(source, 'été')
    await c.upload({
      bucket: 'mes photos',
      name: "l'été 2026 — 日本.txt",
      source: fileSource(source),
    })
    expect((await c.listFiles('mes photos')).map((e) => e.name)).toEqual(["l'été 2026 — 日本.txt"])
    await c.download({
      bucket: 'mes photos',
      name: "l'été 2026 — 日本.txt",
      target: fileTarget(f.local),
    })
    expect(await fs.readFile(path.join(f.local, "l'été 2026 — 日本.txt"), 'utf8')).toBe('été')
  })

  it('reports refusals with their code and keeps the transfer connection in step', async () => {
    f = await fixture()
    const c = await f.connect()
    const source = path.join(f.local, 'x')
    await fs.writeFile(source, 'data')
    // A refused transfer never started: no progress at all, not even a first 0 %.
    const reports: unknown[] = []
    const refused = await c
      .upload({
        bucket: 'ghost',
        name: 'x',
        source: fileSource(source),
        onProgress: (p) => reports.push(p),
      })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ProtocolError)
    expect(refused).toMatchObject({ code: 750, detail: 'no such bucket' })
    expect(reports).toEqual([])
    await expect(
      c.upload({ bucket: 'ghost', name: '..', source: fileSource(source) }),
    ).rejects.toMatchObject({
      code: 750,
    })
    await expect(
      c.download({ bucket: 'ghost', name: 'x', target: fileTarget(f.local) }),
    ).rejects.toMatchObject({
      code: 950,
    })
    await c.createBucket('b')
    await c.upload({ bucket: 'b', name: 'x', source: fileSource(source) })
    expect(await fs.readFile(path.join(f.root, 'b', 'x'), 'utf8')).toBe('data')
  })

  it('fails locally, before sending, when the local file cannot be read or written', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await expect(
      c.upload({ bucket: 'b', name: 'x', source: fileSource(path.join(f.local, 'missing')) }),
    ).rejects.toThrow(
      new LocalFileError(`cannot read "${path.join(f.local, 'missing')}": no such file`),
    )
    await fs.writeFile(path.join(f.root, 'b', 'x'), 'x')
    await expect(
      c.download({ bucket: 'b', name: 'x', target: fileTarget(path.join(f.local, 'nope', 'x')) }),
    ).rejects.toBeInstanceOf(LocalFileError)
    expect(await c.listBuckets()).toEqual([{ name: 'b', files: 1 }])
  })

  it('records each transfer as the exact command sent and its response', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const records: CommandRecord[] = []
    c.on('command', (r) => records.push(r))
    const source = path.join(f.local, 'a b')
    await fs.writeFile(source, 'abc')
    await c.upload({ bucket: 'b', name: 'a b', source: fileSource(source) })
    await c.download({ bucket: 'b', name: 'a b', target: fileTarget(path.join(f.local, 'c')) })
    expect(records.map((r) => [r.line, r.response?.status.code])).toEqual([
      ['put_f b "a b" 3', 700],
      ['download b "a b" 0', 900],
    ])
  })

  it('moves files for two clients at once', async () => {
    f = await fixture()
    const [a, b] = [await f.connect(), await f.connect()]
    await a.createBucket('shared')
    const files = await Promise.all(
      ['one', 'two', 'three', 'four'].map(async (name) => {
        const source = path.join(f.local, name)
        return { name, source, hash: await randomFile(source, 3 * MiB) }
      }),
    )
    await Promise.all(
      files.map(({ name, source }, i) =>
        (i % 2 ? a : b).upload({ bucket: 'shared', name, source: fileSource(source) }),
      ),
    )
    const downloaded = await Promise.all(
      files.map(({ name }, i) =>
        (i % 2 ? b : a).download({
          bucket: 'shared',
          name,
          target: fileTarget(path.join(f.local, `${name}.back`)),
        }),
      ),
    )
    expect(downloaded.map((d) => d.sha256)).toEqual(files.map((x) => x.hash))
  })
})

describe('cancelling', () => {
  it('an upload leaves nothing in the bucket, only its bytes kept in staging to continue', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const controller = new AbortController()
    // One chunk, then nothing: the upload is surely under way when it is cancelled.
    const stream = new Readable({ read() {} })
    stream.push(Buffer.alloc(64 * 1024, 1))
    const pending = c.upload({
      bucket: 'b',
      name: 'partial',
      source: streamSource(10 * MiB, stream),
      signal: controller.signal,
    })
    // Cancelled once the server wrote the chunk (a fixed wait was too short on a busy machine).
    const staging = path.join(f.root, '.bucketshare', 'staging')
    const written = async (): Promise<number> => {
      const parts = (await fs.readdir(staging)).filter((n) => n.endsWith('.part'))
      const sizes = await Promise.all(parts.map((n) => fs.stat(path.join(staging, n))))
      return sizes.reduce((sum, s) => sum + s.size, 0)
    }
    await expect.poll(written).toBe(64 * 1024)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ reason: 'cancelled' })
    await expect.poll(() => f.server.clients().length).toBe(1)
    await expect
      .poll(async () => (await listing(f, 'b')).staging.map((n) => path.extname(n)).sort())
      .toEqual(['.json', '.part'])
    expect((await listing(f, 'b')).files).toEqual([])
    // The command connection is unaffected.
    expect(await c.listBuckets()).toEqual([{ name: 'b', files: 0 }])
  })

  it('a download leaves no file, whole or partial, at the destination', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await randomFile(path.join(f.root, 'b', 'big'), 20 * MiB)
    const controller = new AbortController()
    const error = await c
      .download({
        bucket: 'b',
        name: 'big',
        target: fileTarget(f.local),
        signal: controller.signal,
        // The first report comes once the size is known and the temporary file is open.
        onProgress: () => controller.abort(),
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ reason: 'cancelled' })
    expect(await fs.readdir(f.local)).toEqual([])
  })
})
