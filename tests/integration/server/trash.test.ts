import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseTrashEntry } from '../../../shared/protocol/index.js'
import { startServer, type BucketServer } from '../../../electron/server/index.js'
import { openRoot } from '../../../electron/storage/index.js'
import {
  download,
  RawClient,
  sha256,
  startTestServer,
  tree,
  upload,
  type TestServer,
} from './helpers.js'

let t: TestServer | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await t?.stop()
  t = undefined
})

const trashLines = async (c: RawClient, bucket = ''): Promise<string[]> =>
  (await c.command(`ls_t ${bucket}`.trim())).data

describe('the trash', () => {
  it('keeps a deleted file, lists who deleted it, and restores it byte for byte', async () => {
    t = await startTestServer({ accessCode: 'the-code' })
    const c = await t.connect()
    await c.command('auth the-code')
    await c.command('create_b photos')
    const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))
    await upload(c, 'photos', '"cat picture.jpg"', content)
    const before = await fs.stat(path.join(t.root, 'photos', 'cat picture.jpg'))
    expect((await c.command('delete_f photos "cat picture.jpg"')).status).toBe('1000 FDS')
    expect((await c.command('ls_f photos')).data).toEqual([])
    expect((await c.command('ls_b')).data).toEqual(['photos 0'])

    const listed = await c.command('ls_t')
    expect(listed.status).toBe('1700 TRLS')
    expect(listed.data).toHaveLength(1)
    expect(listed.data[0]).toMatch(
      /^photos "cat picture\.jpg" 70000 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ deleted "access code" 127\.0\.0\.1$/,
    )
    expect(parseTrashEntry(listed.data[0]!)).toMatchObject({
      bucket: 'photos',
      file: 'cat picture.jpg',
      cause: 'deleted',
      by: 'access code',
    })

    expect(await c.command('restore_f photos "cat picture.jpg"')).toEqual({
      data: [],
      status: '1300 FRES',
    })
    const back = await download(c, 'photos', '"cat picture.jpg"')
    expect(sha256(back.bytes!)).toBe(sha256(content))
    const after = await fs.stat(path.join(t.root, 'photos', 'cat picture.jpg'))
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(await trashLines(c)).toEqual([])
    expect((await c.command('ls_b')).data).toEqual(['photos 1'])
  })

  it('keeps the version an upload replaced, and answers a clash clearly', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b docs')
    await upload(c, 'docs', 'notes.txt', 'first')
    await upload(c, 'docs', 'notes.txt', 'second')
    expect(await trashLines(c, 'docs')).toEqual([
      expect.stringMatching(/^docs notes\.txt 5 \S+ replaced anyone 127\.0\.0\.1$/),
    ])
    expect(await c.command('restore_f docs notes.txt')).toEqual({
      data: [],
      status: '1350 FREF a file of that name is in the bucket; delete or rename it first',
    })
    expect(await fs.readFile(path.join(t.root, 'docs', 'notes.txt'), 'utf8')).toBe('second')
    await c.command('delete_f docs notes.txt')
    // The latest version comes back first: the one just deleted.
    expect((await c.command('restore_f docs notes.txt')).status).toBe('1300 FRES')
    expect(await fs.readFile(path.join(t.root, 'docs', 'notes.txt'), 'utf8')).toBe('second')
    await c.command('delete_f docs notes.txt')
    await c.command('delete_f docs ghost.txt')
    expect((await c.command('ls_t docs')).data).toHaveLength(2)
    expect(await c.command('restore_f docs ghost.txt')).toEqual({
      data: [],
      status: '1350 FREF no such file in the trash',
    })
  })

  it('restores a deleted bucket of 1,000 files whole', async () => {
    t = await startTestServer()
    const dir = path.join(t.root, 'big')
    await fs.mkdir(dir)
    for (let i = 0; i < 1000; i++) await fs.writeFile(path.join(dir, `f${i}.txt`), `file ${i}`)
    const before = await tree(dir)
    const c = await t.connect()
    expect((await c.command('delete_b big')).status).toBe('600 BDS')
    expect((await c.command('ls_b')).data).toEqual([])
    const [line] = await trashLines(c)
    expect(parseTrashEntry(line!)).toMatchObject({ bucket: 'big', file: '', cause: 'deleted' })
    await c.command('create_b big')
    expect(await c.command('restore_f big')).toEqual({
      data: [],
      status: '1350 FREF a bucket of that name exists; delete or rename it first',
    })
    await fs.rmdir(dir)
    expect(await c.command('restore_f big')).toEqual({ data: [], status: '1300 FRES' })
    expect(await tree(dir)).toEqual(before)
    expect(await fs.readFile(path.join(dir, 'f999.txt'), 'utf8')).toBe('file 999')
    expect((await c.command('ls_b')).data).toEqual(['big 1000'])
    expect(await c.command('restore_f big')).toEqual({
      data: [],
      status: '1350 FREF no such bucket in the trash',
    })
  })

  it('keeps a deleted folder whole, and restores it with the folders above it', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', '2024/trip/a.jpg', 'aaa')
    await upload(c, 'b', '2024/trip/b.jpg', 'bbbb')
    expect((await c.command('delete_f b 2024')).status).toBe('1000 FDS')
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual([])
    expect(await trashLines(c)).toEqual([
      expect.stringMatching(/^b 2024 7 \S+ deleted anyone 127\.0\.0\.1$/),
    ])
    expect((await c.command('restore_f b 2024')).status).toBe('1300 FRES')
    expect(await tree(path.join(t.root, 'b'))).toEqual([
      '2024',
      '2024/trip',
      '2024/trip/a.jpg',
      '2024/trip/b.jpg',
    ])
    expect((await c.command('ls_b')).data).toEqual(['b 2'])
    // A file deleted from a folder that is gone since comes back with its folder made again.
    await c.command('delete_f b 2024/trip/a.jpg')
    await c.command('delete_f b 2024')
    expect((await c.command('restore_f b 2024/trip/a.jpg')).status).toBe('1300 FRES')
    expect(await fs.readFile(path.join(t.root, 'b', '2024', 'trip', 'a.jpg'), 'utf8')).toBe('aaa')
  })

  it('drops the oldest entries beyond its size bound', async () => {
    t = await startTestServer({ trashMaxBytes: 10 })
    const c = await t.connect()
    await c.command('create_b b')
    for (const name of ['one', 'two', 'three']) {
      await upload(c, 'b', name, 'abcd')
      await c.command(`delete_f b ${name}`)
    }
    const files = (await trashLines(c)).map((l) => parseTrashEntry(l)?.file)
    expect(files).toEqual(['three', 'two'])
    expect((await c.command('restore_f b one')).status).toBe('1350 FREF no such file in the trash')
    expect(await fs.readdir(path.join(t.root, '.bucketshare', 'trash'))).toHaveLength(2)
  })

  it('deletes for good with --trash-days 0, and says there is no trash', async () => {
    t = await startTestServer({ trashDays: 0 })
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'f', 'x')
    await c.command('delete_f b f')
    expect(await tree(t.root)).toEqual(['.bucketshare', '.bucketshare/staging', 'b'])
    expect(await c.command('ls_t')).toEqual({
      data: [],
      status: '1750 TRLF the host keeps no trash',
    })
    expect((await c.command('restore_f b f')).status).toBe('1350 FREF the host keeps no trash')
  })
})

describe('the trash across restarts', () => {
  let server: BucketServer | undefined
  let root: string
  afterEach(async () => {
    await server?.close()
    server = undefined
    await fs.rm(root, { recursive: true, force: true })
  })

  async function start(options: { trashDays?: number } = {}): Promise<RawClient> {
    server = await startServer({ root, port: 0, host: '127.0.0.1', ...options })
    return RawClient.connect(server.port)
  }

  it('keeps its entries, and drops those older than --trash-days when it starts', async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-trash-')))
    let c = await start()
    await c.command('create_b b')
    await upload(c, 'b', 'kept.txt', 'kept')
    await upload(c, 'b', 'old.txt', 'old')
    await c.command('delete_f b kept.txt')
    await c.command('delete_f b old.txt')
    c.destroy()
    await server!.close()
    // Make one entry look 3 days old.
    const trash = path.join(root, '.bucketshare', 'trash')
    for (const id of await fs.readdir(trash)) {
      const file = path.join(trash, id, 'entry.json')
      const record = JSON.parse(await fs.readFile(file, 'utf8')) as { file: string }
      if (record.file === 'old.txt')
        await fs.writeFile(
          file,
          JSON.stringify({ ...record, deletedAt: Date.now() - 3 * 86_400_000 }),
        )
    }
    c = await start({ trashDays: 2 })
    expect((await c.command('ls_t')).data.map((l) => parseTrashEntry(l)?.file)).toEqual([
      'kept.txt',
    ])
    expect(await fs.readdir(trash)).toHaveLength(1)
    expect((await c.command('restore_f b kept.txt')).status).toBe('1300 FRES')
    expect(await fs.readFile(path.join(root, 'b', 'kept.txt'), 'utf8')).toBe('kept')
    c.destroy()
  })

  it('lets entries expire while the host runs', async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-trash-')))
    await fs.mkdir(path.join(root, 'b'))
    await fs.writeFile(path.join(root, 'b', 'f'), 'x')
    const store = await openRoot(root, { trash: { days: 1, maxBytes: 1024 } })
    const trash = store.trash!
    await trash.keep(path.join(root, 'b', 'f'), {
      kind: 'file',
      bucket: 'b',
      file: 'f',
      cause: 'deleted',
      by: 'test',
      from: '127.0.0.1',
    })
    expect(trash.list()).toHaveLength(1)
    const later = Date.now() + 86_400_000
    vi.spyOn(Date, 'now').mockReturnValue(later)
    expect(trash.list()).toEqual([])
    await trash.prune()
    expect(await fs.readdir(trash.dir)).toEqual([])
    trash.close()
  })

  it('drops leftovers of an entry cut short by a crash', async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-trash-')))
    const broken = path.join(root, '.bucketshare', 'trash', 'half-made')
    await fs.mkdir(broken, { recursive: true })
    await fs.writeFile(path.join(broken, 'item'), 'x')
    const c = await start()
    expect(await c.command('ls_t')).toEqual({ data: [], status: '1700 TRLS' })
    await expect(fs.stat(broken)).rejects.toThrow(/ENOENT/)
    c.destroy()
  })
})
