import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { eventually, startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

describe('ls_b', () => {
  it('lists nothing in an empty folder: 500 BLS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('ls_b')).toEqual({ data: [], status: '500 BLS' })
  })

  it('lists each bucket with its number of files, quoting names with spaces', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b "holiday photos"')
    await c.command('create_b empty')
    await upload(c, '"holiday photos"', 'a.jpg', 'a')
    await upload(c, '"holiday photos"', 'b.jpg', 'b')
    // Sub-folders are not files and do not count.
    await fs.mkdir(path.join(t.root, 'holiday photos', 'sub'))
    const listing = await c.command('ls_b')
    expect(listing.status).toBe('500 BLS')
    expect(listing.data.sort()).toEqual(['"holiday photos" 2', 'empty 0'])
  })

  it('hides the bookkeeping folder, loose files and names a client could not use', async () => {
    t = await startTestServer()
    await fs.writeFile(path.join(t.root, 'loose.txt'), 'x')
    await fs.mkdir(path.join(t.root, 'what?'))
    await fs.mkdir(path.join(t.root, 'ok'))
    await fs.writeFile(path.join(t.root, 'ok', 'bad:name'), 'x')
    const c = await t.connect()
    expect((await c.command('ls_b')).data).toEqual(['ok 0'])
  })

  it('fails with 550 BLF when the shared folder is gone', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await fs.rm(t.root, { recursive: true })
    expect(await c.command('ls_b')).toEqual({ data: [], status: '550 BLF no such folder' })
  })

  it('takes no arguments', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('ls_b x')).status).toBe('400 BCMD usage: ls_b')
  })
})

describe('ls_b counts', () => {
  it('stay right when files change behind the server, even for a bucket untouched for long', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b old')
    const dir = path.join(t.root, 'old')
    const hourAgo = new Date(Date.now() - 3_600_000)
    await fs.utimes(dir, hourAgo, hourAgo)
    expect((await c.command('ls_b')).data).toEqual(['old 0'])
    // Counted once and remembered; a file added behind the server's back changes the folder's
    // mtime, so it is counted again once the shared listing is no longer fresh (100 ms).
    await fs.writeFile(path.join(dir, 'new.txt'), 'x')
    await eventually(async () => (await c.command('ls_b')).data[0] === 'old 1', 1000)
    await fs.rm(path.join(dir, 'new.txt'))
    await eventually(async () => (await c.command('ls_b')).data[0] === 'old 0', 1000)
  })

  it('are fresh at once after changes made through the server', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect((await c.command('ls_b')).data).toEqual(['b 0'])
    await upload(c, 'b', 'f', 'x')
    expect((await c.command('ls_b')).data).toEqual(['b 1'])
    await c.command('delete_f b f')
    expect((await c.command('ls_b')).data).toEqual(['b 0'])
    await c.command('delete_b b')
    expect((await c.command('ls_b')).data).toEqual([])
  })
})

describe('ls_b under concurrent changes', () => {
  it('ends up listing exactly the buckets on disk, with their counts', async () => {
    t = await startTestServer()
    const clients = await Promise.all(Array.from({ length: 8 }, () => t.connect()))
    await Promise.all(
      clients.map(async (c, i) => {
        for (let n = 0; n < 30; n++) {
          await c.command(`create_b b${i}-${n}`)
          await c.command('ls_b')
          if (n % 3 === 0) await c.command(`delete_b b${i}-${n}`)
          else if (n % 3 === 1) await upload(c, `b${i}-${n}`, 'f', 'x')
        }
      }),
    )
    const listed = (await clients[0]!.command('ls_b')).data.sort()
    const onDisk = await Promise.all(
      (await fs.readdir(t.root))
        .filter((name) => name !== '.bucketshare')
        .map(async (name) => `${name} ${(await fs.readdir(path.join(t.root, name))).length}`),
    )
    expect(listed).toEqual(onDisk.sort())
    expect(listed).toHaveLength(8 * 20)
  })
})

/**
 * Holds the next file-system call that `matches` after it has done its work, until released: a
 * listing can then be taken exactly while a change is made but not yet over.
 */
function holdAfter<K extends 'open' | 'unlink'>(
  name: K,
  matches: (...args: Parameters<(typeof fs)[K]>) => boolean,
): { reached: Promise<void>; release: () => void; restore: () => void } {
  const original = fs[name] as (...args: unknown[]) => Promise<unknown>
  let reach!: () => void
  let release!: () => void
  const reached = new Promise<void>((resolve) => (reach = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  let held = false
  const spy = vi.spyOn(fs, name).mockImplementation((async (...args: unknown[]) => {
    const result = await original(...args)
    if (!held && matches(...(args as Parameters<(typeof fs)[K]>))) {
      held = true
      reach()
      await released
    }
    return result
  }) as never)
  return { reached, release, restore: () => spy.mockRestore() }
}

describe('ls_b while a change is being made', () => {
  it('counts an upload once, however the listings and the upload interleave', async () => {
    t = await startTestServer()
    const [a, b] = [await t.connect(), await t.connect()]
    await a.command('create_b b')
    // The upload's file is in place; the server is making the folder's new entry durable.
    const hold = holdAfter('open', (p, flags) => p === path.join(t.root, 'b') && flags === 'r')
    try {
      const uploading = upload(a, 'b', 'f', 'hello')
      await hold.reached
      expect((await b.command('ls_b')).data).toEqual(['b 1'])
      hold.release()
      expect((await uploading).status).toBe('700 FUTBS')
      expect((await b.command('ls_b')).data).toEqual(['b 1'])
    } finally {
      hold.restore()
    }
  })

  it('counts a deletion once', async () => {
    // Deleted for good (no trash), so the file goes by unlink, where the test holds it.
    t = await startTestServer({ trashDays: 0 })
    const [a, b] = [await t.connect(), await t.connect()]
    await a.command('create_b b')
    await upload(a, 'b', 'f', 'hello')
    expect((await b.command('ls_b')).data).toEqual(['b 1'])
    const hold = holdAfter('unlink', (p) => p === path.join(t.root, 'b', 'f'))
    try {
      a.send('delete_f b f')
      await hold.reached
      expect((await b.command('ls_b')).data).toEqual(['b 0'])
      hold.release()
      expect((await a.response()).status).toBe('1000 FDS')
      expect((await b.command('ls_b')).data).toEqual(['b 0'])
    } finally {
      hold.restore()
    }
  })
})
