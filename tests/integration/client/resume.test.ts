import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer } from '../../../electron/server/index.js'
import {
  BucketClient,
  fileSource,
  fileTarget,
  TransportError,
  type DownloadTarget,
  type UploadSource,
} from '../../../electron/client/index.js'
import { fixture, randomFile, sha256Of, type Fixture } from './helpers.js'

let f: Fixture
afterEach(() => f?.stop())

const MiB = 1024 * 1024
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** A file source whose stream fails after `limit` bytes, as a disk that gives up mid-read. */
function failingAfter(file: string, limit: number): UploadSource {
  return {
    label: file,
    repeatable: true,
    size: async () => (await fs.stat(file)).size,
    async open() {
      const { size } = await fs.stat(file)
      const bytes = (await fs.readFile(file)).subarray(0, limit)
      const stream = Readable.from(
        (async function* () {
          yield bytes
          throw Object.assign(new Error('I/O error'), { code: 'EIO' })
        })(),
      )
      return { size, stream }
    },
  }
}

/** A file target whose download is cut (the connection dropped) once `limit` bytes arrived. */
function cutAfter(destination: string, limit: number): DownloadTarget {
  const target = fileTarget(destination)
  let got = 0
  return {
    ...target,
    write(chunk, release) {
      got += chunk.length
      if (got > limit) throw new TransportError('closed', 'the connection dropped')
      return target.write(chunk, release)
    },
  }
}

/** Resolves once the server logged that it kept a cut upload's bytes. */
function kept(f: Fixture): Promise<void> {
  return new Promise((resolve) => {
    const listen = (line: { text: string }): void => {
      if (!/ cut: \d+ bytes kept/.test(line.text)) return
      f.server.off('log', listen)
      resolve()
    }
    f.server.on('log', listen)
  })
}

/** The log lines of the fixture's server from now on. */
function watchLog(f: Fixture): string[] {
  const lines: string[] = []
  f.server.on('log', (line) => lines.push(line.text))
  return lines
}

async function setup(size: number): Promise<{ c: BucketClient; source: string; hash: string }> {
  f = await fixture()
  const c = await f.connect()
  await c.createBucket('b')
  const source = path.join(f.local, 'source.bin')
  return { c, source, hash: await randomFile(source, size) }
}

describe('continuing an upload', () => {
  it('sends only what the server does not hold, and the whole file is verified', async () => {
    const { c, source, hash } = await setup(20 * MiB)
    const log = watchLog(f)
    const cut = kept(f)
    await expect(
      c.upload({ bucket: 'b', name: 'f.bin', source: failingAfter(source, 12 * MiB) }),
    ).rejects.toThrow(/reading .* failed/)
    await cut
    const up = await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    expect(up).toMatchObject({ size: 20 * MiB, sha256: hash })
    // The server synced everything that arrived once the connection was cut.
    expect(up.resumedAt).toBeGreaterThanOrEqual(8 * MiB)
    expect(up.resumedAt).toBeLessThanOrEqual(12 * MiB)
    expect(up.response.lines).toEqual([`ready ${20 * MiB - up.resumedAt!}`, `sha256 ${hash}`])
    expect(log.some((l) => l.endsWith(`-> 700 FUTBS, resumed at ${up.resumedAt}`))).toBe(true)
    expect(await sha256Of(path.join(f.root, 'b', 'f.bin'))).toBe(hash)
  })

  it('starts from 0 when the local file changed since the cut (never a mixed file)', async () => {
    const { c, source } = await setup(6 * MiB)
    const cut = kept(f)
    await expect(
      c.upload({ bucket: 'b', name: 'f.bin', source: failingAfter(source, 4 * MiB) }),
    ).rejects.toThrow()
    await cut
    const log = watchLog(f)
    const changed = await randomFile(source, 6 * MiB)
    const up = await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    expect(up).toMatchObject({ sha256: changed })
    expect(up.resumedAt).toBeUndefined()
    expect(log.some((l) => l.includes('resumed at'))).toBe(false)
    expect(await sha256Of(path.join(f.root, 'b', 'f.bin'))).toBe(changed)
  })

  it('with resume off, asks nothing and sends everything', async () => {
    const { c, source, hash } = await setup(3 * MiB)
    const cut = kept(f)
    await expect(
      c.upload({ bucket: 'b', name: 'f.bin', source: failingAfter(source, 2 * MiB) }),
    ).rejects.toThrow()
    await cut
    const sent: string[] = []
    const up = await c.upload({
      bucket: 'b',
      name: 'f.bin',
      source: fileSource(source),
      resume: false,
      onCommand: (l) => sent.push(l),
    })
    expect(sent).toEqual([`upload b f.bin ${3 * MiB}`])
    expect(up).toMatchObject({ sha256: hash })
    expect(up.resumedAt).toBeUndefined()
  })

  it('finishes at once when the server has the same file', async () => {
    const { c, source, hash } = await setup(2 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const sent: string[] = []
    const again = await c.upload({
      bucket: 'b',
      name: 'f.bin',
      source: fileSource(source),
      onCommand: (l) => sent.push(l),
    })
    expect(again).toMatchObject({ alreadyThere: true, size: 2 * MiB, sha256: hash })
    expect(sent).toEqual([`resume_f b f.bin ${2 * MiB}`])
    // Same size, other bytes: uploaded.
    const other = await randomFile(source, 2 * MiB)
    const replaced = await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    expect(replaced.alreadyThere).toBeUndefined()
    expect(await sha256Of(path.join(f.root, 'b', 'f.bin'))).toBe(other)
  })
})

describe('two clients continuing the same cut upload at once', () => {
  it('one continues, the other starts over or finds it there: the file is whole', async () => {
    const { c, source, hash } = await setup(32 * MiB)
    const cut = kept(f)
    await expect(
      c.upload({ bucket: 'b', name: 'f.bin', source: failingAfter(source, 16 * MiB) }),
    ).rejects.toThrow()
    await cut
    const log = watchLog(f)
    const other = await f.connect()
    const results = await Promise.all(
      [c, other].map((client) =>
        client.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) }),
      ),
    )
    for (const result of results) expect(result.sha256).toBe(hash)
    // At most one of them continued the kept bytes.
    expect(results.filter((r) => r.resumedAt !== undefined).length).toBeLessThanOrEqual(1)
    expect(log.filter((l) => l.includes('resumed at')).length).toBeLessThanOrEqual(1)
    expect(await sha256Of(path.join(f.root, 'b', 'f.bin'))).toBe(hash)
  })
})

/** A file of `size` on the server, and a download of it into a local folder cut after `cutAt` bytes. */
async function cutDownload(size: number, cutAt: number) {
  const fixture = await setup(size)
  const { c, source } = fixture
  await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
  const into = path.join(f.local, 'into')
  await fs.mkdir(into)
  await expect(
    c.download({ bucket: 'b', name: 'f.bin', target: cutAfter(into, cutAt) }),
  ).rejects.toThrow('the connection dropped')
  return { ...fixture, into }
}

describe('continuing a download', () => {
  it('drops the cut bytes once the server no longer has their file', async () => {
    const { c, into } = await cutDownload(20 * MiB, 7 * MiB)
    expect((await fs.readdir(into)).length).toBe(2)
    await c.deleteFile('b', 'f.bin')
    await expect(
      c.download({ bucket: 'b', name: 'f.bin', target: fileTarget(into) }),
    ).rejects.toMatchObject({ code: 950, detail: 'no such file' })
    expect(await fs.readdir(into)).toEqual([])
  })

  it('keeps the cut bytes beside the destination and continues from them', async () => {
    const { c, hash, into } = await cutDownload(20 * MiB, 7 * MiB)
    const log = watchLog(f)
    const kept = await fs.readdir(into)
    expect(kept.sort()).toEqual(['.f.bin.bucketshare-part', '.f.bin.bucketshare-part.json'])
    const bytes = (await fs.stat(path.join(into, '.f.bin.bucketshare-part'))).size
    expect(bytes).toBeGreaterThan(0)
    expect(bytes).toBeLessThanOrEqual(7 * MiB)
    const down = await c.download({ bucket: 'b', name: 'f.bin', target: fileTarget(into) })
    expect(down).toMatchObject({ size: 20 * MiB, sha256: hash, resumedAt: bytes })
    expect(await fs.readdir(into)).toEqual(['f.bin'])
    expect(await sha256Of(path.join(into, 'f.bin'))).toBe(hash)
    expect(log.some((l) => l.endsWith(`-> 900 FDFBS, resumed at ${bytes}`))).toBe(true)
  })

  it('starts over when the server file was replaced meanwhile (never a mixed file)', async () => {
    const { c, source } = await setup(6 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const into = path.join(f.local, 'into')
    await fs.mkdir(into)
    await expect(
      c.download({ bucket: 'b', name: 'f.bin', target: cutAfter(into, 3 * MiB) }),
    ).rejects.toThrow()
    const replaced = await randomFile(source, 6 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const down = await c.download({ bucket: 'b', name: 'f.bin', target: fileTarget(into) })
    expect(down).toMatchObject({ sha256: replaced })
    expect(down.resumedAt).toBeUndefined()
    expect(await fs.readdir(into)).toEqual(['f.bin'])
    expect(await sha256Of(path.join(into, 'f.bin'))).toBe(replaced)
  })

  it('a cancel leaves nothing, unless asked to keep the bytes', async () => {
    const { c, source, hash } = await setup(6 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const into = path.join(f.local, 'into')
    await fs.mkdir(into)
    const cancelAfter = (keepPartial: boolean) => {
      const controller = new AbortController()
      const target = fileTarget(into)
      let got = 0
      return c.download({
        bucket: 'b',
        name: 'f.bin',
        signal: controller.signal,
        keepPartial,
        target: {
          ...target,
          write(chunk, release) {
            got += chunk.length
            if (got > 2 * MiB) controller.abort()
            return target.write(chunk, release)
          },
        },
      })
    }
    await expect(cancelAfter(false)).rejects.toThrow('cancelled')
    expect(await fs.readdir(into)).toEqual([])
    await expect(cancelAfter(true)).rejects.toThrow('cancelled')
    expect((await fs.readdir(into)).length).toBe(2)
    const down = await c.download({ bucket: 'b', name: 'f.bin', target: fileTarget(into) })
    expect(down.resumedAt).toBeGreaterThan(0)
    expect(down.sha256).toBe(hash)
  })

  it('a cancel as the last byte arrives still cancels: nothing is put in place', async () => {
    const { c, source } = await setup(MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const into = path.join(f.local, 'into')
    await fs.mkdir(into)
    const controller = new AbortController()
    const target = fileTarget(into)
    let got = 0
    const download = c.download({
      bucket: 'b',
      name: 'f.bin',
      signal: controller.signal,
      target: {
        ...target,
        write(chunk, release) {
          got += chunk.length
          if (got === MiB) controller.abort()
          return target.write(chunk, release)
        },
      },
    })
    await expect(download).rejects.toThrow('cancelled')
    expect(await fs.readdir(into)).toEqual([])
  })

  it('finishes at once when the destination has the same file; replaces another', async () => {
    const { c, source, hash } = await setup(2 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const sent: string[] = []
    const again = await c.download({
      bucket: 'b',
      name: 'f.bin',
      target: fileTarget(source),
      onCommand: (l) => sent.push(l),
    })
    expect(again).toMatchObject({ alreadyThere: true, sha256: hash, size: 2 * MiB })
    expect(sent).toEqual([`resume_f b f.bin ${2 * MiB}`])
    const other = path.join(f.local, 'other.bin')
    await randomFile(other, 2 * MiB)
    const down = await c.download({ bucket: 'b', name: 'f.bin', target: fileTarget(other) })
    expect(down.alreadyThere).toBeUndefined()
    expect(await sha256Of(other)).toBe(hash)
  })
})

describe('a code that may only download', () => {
  it('learns that its copy is the same, and never what an upload left', async () => {
    const { c, source, hash } = await setup(3 * MiB)
    await c.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    const cut = kept(f)
    await expect(
      c.upload({ bucket: 'b', name: 'g.bin', source: failingAfter(source, 2 * MiB) }),
    ).rejects.toThrow()
    await cut
    const server = await startServer({
      root: f.root,
      port: 0,
      host: '127.0.0.1',
      grants: [{ code: 'fam-9p2w', label: 'family', role: 'read', buckets: 'all' }],
    })
    const reader = await BucketClient.connect({
      host: '127.0.0.1',
      port: server.port,
      accessCode: 'fam-9p2w',
    })
    try {
      expect((await c.send(`resume_f b g.bin ${3 * MiB}`)).lines[0]).toMatch(/^held [1-9]/)
      const asked = await reader.send(`resume_f b g.bin ${3 * MiB}`)
      expect(asked.lines).toEqual([`held 0 ${EMPTY_SHA256}`])
      const down = await reader.download({ bucket: 'b', name: 'f.bin', target: fileTarget(source) })
      expect(down).toMatchObject({ alreadyThere: true, sha256: hash })
    } finally {
      reader.close()
      await server.close()
    }
  })
})
