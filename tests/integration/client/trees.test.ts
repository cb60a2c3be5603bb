import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { CutProxy } from '../../../bench/cut-proxy.js'
import {
  BucketClient,
  downloadTree,
  runConsoleLine,
  uploadTree,
  type TreeFileOutcome,
  type TreeProgress,
} from '../../../electron/client/index.js'
import { fixture, randomFile, sha256Of, type Fixture } from './helpers.js'

const run = promisify(execFile)

let f: Fixture
let proxy: CutProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  await f?.stop()
})

/** Every file under `dir` with its sha256, and every empty folder, by relative path. */
async function manifest(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  const visit = async (at: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(at, { withFileTypes: true })
    if (entries.length === 0 && rel) found.set(`${rel}/`, 'empty folder')
    for (const e of entries) {
      const p = path.join(at, e.name)
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await visit(p, r)
      else found.set(r, await sha256Of(p))
    }
  }
  await visit(dir, '')
  return found
}

/** A tree of Unicode and spaced names, 4 levels, an empty folder, and `small` small files. */
async function makeTree(dir: string, small: number): Promise<void> {
  await fs.mkdir(path.join(dir, 'été 2026/jour un/matin tôt/日本'), { recursive: true })
  await fs.mkdir(path.join(dir, 'vide'))
  await fs.writeFile(path.join(dir, 'été 2026/jour un/matin tôt/日本/写真 1.txt'), 'photo')
  await fs.writeFile(path.join(dir, 'read me.txt'), 'top')
  await fs.writeFile(path.join(dir, 'zero'), '')
  for (let i = 0; i < small; i += 200)
    await Promise.all(
      Array.from({ length: Math.min(200, small - i) }, (_, j) => {
        const n = i + j
        const folder = path.join(dir, 'many', `group ${n % 10}`)
        return fs
          .mkdir(folder, { recursive: true })
          .then(() =>
            fs.writeFile(
              path.join(folder, `f ${n}.bin`),
              createHash('sha256').update(String(n)).digest(),
            ),
          )
      }),
    )
}

async function diffClean(a: string, b: string): Promise<void> {
  const { stdout } = await run('diff', ['-r', a, b])
  expect(stdout).toBe('')
}

describe('tree transfers through the client library', () => {
  it('uploads and downloads a tree of 2,000 small files and a 200 MB file: diff -r clean, every sha256 kept', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const source = path.join(f.local, 'album')
    await makeTree(source, 2000)
    await randomFile(path.join(source, 'été 2026/big file.bin'), 200 * 1024 * 1024)
    const progress: TreeProgress[] = []
    const up = await uploadTree(c, {
      local: source,
      name: 'holiday/album',
      bucket: 'b',
      onProgress: (p) => progress.push(p),
    })
    expect(up).toMatchObject({ files: 2004, folders: 1 })
    expect(progress.at(-1)).toMatchObject({
      files: 2004,
      filesTotal: 2004,
      bytes: up.bytes,
      total: up.bytes,
    })
    await diffClean(source, path.join(f.root, 'b/holiday/album'))
    expect((await c.listBuckets())[0]).toEqual({ name: 'b', files: 2004 })

    const down = await downloadTree(c, {
      bucket: 'b',
      name: 'holiday/album',
      local: f.local + '/copy',
    })
    expect(down).toMatchObject({ files: 2004, folders: 1, path: path.join(f.local, 'copy') })
    await diffClean(source, path.join(f.local, 'copy'))
    expect(await manifest(path.join(f.local, 'copy'))).toEqual(await manifest(source))
    expect(
      (await fs.readdir(path.join(f.local, 'copy'))).filter((n) => n.includes('part')),
    ).toEqual([])
  }, 300_000)

  it('downloads into an existing folder under the folder name, and an empty folder as one', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await c.createFolder('b', 'a/nothing here')
    const got = await downloadTree(c, { bucket: 'b', name: 'a/nothing here', local: f.local })
    expect(got).toMatchObject({ files: 0, folders: 1, path: path.join(f.local, 'nothing here') })
    expect(await fs.readdir(path.join(f.local, 'nothing here'))).toEqual([])
  })

  it('refuses a local name the server could not store before sending anything', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await fs.mkdir(path.join(f.local, 'up/ok'), { recursive: true })
    await fs.writeFile(path.join(f.local, 'up/ok/fine.txt'), '1')
    await fs.writeFile(path.join(f.local, 'up/what?.txt'), '1')
    await expect(
      uploadTree(c, { local: path.join(f.local, 'up'), name: 'up', bucket: 'b' }),
    ).rejects.toThrow('file name may not contain "?"')
    expect(await fs.readdir(path.join(f.root, 'b'))).toEqual([])
  })

  it('cancelling stops the rest and leaves no partial file on either side', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const source = path.join(f.local, 'up')
    await fs.mkdir(source)
    for (let i = 0; i < 20; i++) await randomFile(path.join(source, `f${i}`), 2 * 1024 * 1024)
    const controller = new AbortController()
    const cut = uploadTree(c, {
      local: source,
      name: 'up',
      bucket: 'b',
      signal: controller.signal,
      onFile: () => controller.abort(),
    })
    await expect(cut).rejects.toMatchObject({ reason: 'cancelled' })
    const landed = await fs.readdir(path.join(f.root, 'b/up')).catch(() => [])
    expect(landed.length).toBeLessThan(20)
    for (const name of landed)
      expect(await sha256Of(path.join(f.root, 'b/up', name))).toBe(
        await sha256Of(path.join(source, name)),
      )
    await expect
      .poll(() => fs.readdir(path.join(f.root, '.bucketshare/staging')), { timeout: 5000 })
      .toEqual([])
  })
})

describe('tree transfers typed in a console', () => {
  it('upload <local folder> <name> <bucket> and download <bucket> <folder> <destination>', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    const source = path.join(f.local, 'my tree')
    await makeTree(source, 30)
    const up = await runConsoleLine(c, 'upload "my tree" "trees/my tree" b', { cwd: f.local })
    expect(up.status).toMatchObject({ code: 700, ok: true })
    expect(up.lines).toEqual(['33 files (' + up.tree!.bytes + ' bytes), 1 empty folders'])
    const down = await runConsoleLine(c, 'download b "trees/my tree" back', { cwd: f.local })
    expect(down.status).toMatchObject({ code: 900, ok: true })
    await diffClean(source, path.join(f.local, 'back'))
    const missing = await runConsoleLine(c, 'download b nothing back', { cwd: f.local })
    expect(missing.status).toMatchObject({ code: 950, detail: 'no such file' })
  })
})

describe('tree transfers in the terminal client', () => {
  it('uploads and downloads a tree with the same typed commands: diff -r clean', async () => {
    f = await fixture()
    const source = path.join(f.local, 'tree')
    await makeTree(source, 2000)
    await randomFile(path.join(source, 'été 2026/big file.bin'), 200 * 1024 * 1024)
    const input = 'create_b b\nupload tree "a b/tree" b\ndownload b "a b/tree" copy\nquit\n'
    const out = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          path.resolve('scripts/cli.mjs'),
          'client',
          '127.0.0.1',
          String(f.server.port),
          '--plain',
          '--data-dir',
          path.join(f.local, '.data'),
        ],
        { cwd: f.local },
      )
      let text = ''
      child.stdout.on('data', (d: Buffer) => (text += d.toString()))
      child.stderr.on('data', (d: Buffer) => (text += d.toString()))
      child.on('close', () => resolve(text))
      child.stdin.end(input)
    })
    expect(out).toContain('700 FUTBS')
    expect(out).toContain('900 FDFBS')
    await diffClean(source, path.join(f.root, 'b/a b/tree'))
    await diffClean(source, path.join(f.local, 'copy'))
    expect(await manifest(path.join(f.local, 'copy'))).toEqual(await manifest(source))
  }, 300_000)
})

describe('a cut tree transfer run again', () => {
  const MiB = 1024 * 1024
  /** 40 MiB in one file, and 30 files of 300 KiB in folders: 49 MiB or so. */
  async function bigTree(dir: string): Promise<number> {
    await fs.mkdir(path.join(dir, 'a/b/c'), { recursive: true })
    await fs.mkdir(path.join(dir, 'empty'))
    await randomFile(path.join(dir, 'a/big one.bin'), 40 * MiB)
    for (let i = 0; i < 30; i++)
      await randomFile(path.join(dir, i % 2 ? 'a/b/c' : 'a/b', `small ${i}.bin`), 300 * 1024)
    return 40 * MiB + 30 * 300 * 1024
  }

  /** A client through a proxy that can cut its connections, and what the first run finished. */
  async function throughProxy(): Promise<BucketClient> {
    proxy = await CutProxy.start(() => f.server.port)
    return BucketClient.connect({ host: '127.0.0.1', port: proxy.port })
  }

  it('an upload continues where it stopped: whole files skipped, the cut one continued, diff -r clean', async () => {
    f = await fixture()
    const source = path.join(f.local, 'tree')
    const total = await bigTree(source)
    const c = await throughProxy()
    await c.createBucket('b')
    const log: string[] = []
    f.server.on('log', (line) => log.push(line.text))
    const first: TreeFileOutcome[] = []
    const cut = proxy!.cutAfter('up', 36 * MiB)
    await expect(
      uploadTree(c, { local: source, name: 'up/tree', bucket: 'b', onFile: (o) => first.push(o) }),
    ).rejects.toThrow()
    await cut
    const whole = first.filter((o) => o.state === 'done')
    const wholeBytes = whole.reduce((sum, o) => sum + o.size, 0)
    expect(whole.length).toBeLessThan(31)
    // The big file had at least 27 MiB through (the small ones are 9 MiB in all): once the server
    // noticed the cut, it keeps what it synced of it.
    await expect
      .poll(() => log.some((l) => l.includes(`upload of ${40 * MiB} bytes cut`)), {
        timeout: 10_000,
      })
      .toBe(true)

    const before = proxy!.forwarded.up
    const again = await BucketClient.connect({ host: '127.0.0.1', port: proxy!.port })
    const second: TreeFileOutcome[] = []
    const result = await uploadTree(again, {
      local: source,
      name: 'up/tree',
      bucket: 'b',
      onFile: (o) => second.push(o),
    })
    again.close()
    c.close()
    await diffClean(source, path.join(f.root, 'b/up/tree'))
    // Every file whole after the first run is found there, the big one continued.
    expect(result).toMatchObject({ files: 31, folders: 1, skipped: whole.length })
    expect(
      second
        .filter((o) => o.alreadyThere)
        .map((o) => o.name)
        .sort(),
    ).toEqual(whole.map((o) => o.name).sort())
    expect(second.find((o) => o.name === 'up/tree/a/big one.bin')?.resumedAt).toBeGreaterThan(0)
    // What is sent again is at most what was not whole, less the big file's kept bytes.
    const resent = proxy!.forwarded.up - before
    const kept = second.find((o) => o.name === 'up/tree/a/big one.bin')!.resumedAt!
    expect(resent).toBeLessThan(total - wholeBytes - kept + 256 * 1024)
    await expect
      .poll(() => fs.readdir(path.join(f.root, '.bucketshare/staging')), { timeout: 5000 })
      .toEqual([])
  }, 120_000)

  it('a download continues where it stopped: whole files skipped, the cut one continued, diff -r clean', async () => {
    f = await fixture()
    const source = path.join(f.local, 'tree')
    const total = await bigTree(source)
    const direct = await f.connect()
    await direct.createBucket('b')
    await uploadTree(direct, { local: source, name: 'tree', bucket: 'b' })
    const into = path.join(f.local, 'downloads')
    await fs.mkdir(into)
    const c = await throughProxy()
    const first: TreeFileOutcome[] = []
    const cut = proxy!.cutAfter('down', 36 * MiB)
    await expect(
      downloadTree(c, { bucket: 'b', name: 'tree', local: into, onFile: (o) => first.push(o) }),
    ).rejects.toThrow()
    await cut
    const whole = first.filter((o) => o.state === 'done')
    const wholeBytes = whole.reduce((sum, o) => sum + o.size, 0)

    const before = proxy!.forwarded.down
    const again = await BucketClient.connect({ host: '127.0.0.1', port: proxy!.port })
    const second: TreeFileOutcome[] = []
    // The same command again: the tree goes into the same folder and continues there.
    const result = await downloadTree(again, {
      bucket: 'b',
      name: 'tree',
      local: into,
      onFile: (o) => second.push(o),
    })
    again.close()
    c.close()
    expect(result).toMatchObject({ files: 31, folders: 1, skipped: whole.length })
    await diffClean(source, path.join(into, 'tree'))
    const kept = second.find((o) => o.name === 'tree/a/big one.bin')?.resumedAt ?? 0
    expect(kept).toBeGreaterThan(0)
    const resent = proxy!.forwarded.down - before
    expect(resent).toBeLessThan(total - wholeBytes - kept + 256 * 1024)
  }, 120_000)
})
