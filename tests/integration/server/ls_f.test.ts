import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  parseAnyFileEntry,
  parseListEntry,
  type FileEntry,
} from '../../../shared/protocol/index.js'
import { startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer
afterEach(() => t?.stop())

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

describe('ls_f <bucket>', () => {
  it('lists name, size and modification time (ISO 8601 UTC): 800 FLS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const before = Math.floor(Date.now() / 1000) * 1000
    await upload(c, 'b', '"two words.txt"', 'hello')
    await upload(c, 'b', 'empty', '')
    const listing = await c.command('ls_f b')
    expect(listing.status).toBe('800 FLS')
    const entries = listing.data.map((line) => parseListEntry(line) as FileEntry)
    expect(entries.map(({ name, size }) => [name, size]).sort()).toEqual([
      ['empty', 0],
      ['two words.txt', 5],
    ])
    for (const e of entries) expect(e.modified).toBeGreaterThanOrEqual(before)
    expect(listing.data[0]!.split(' ').at(-1)).toMatch(ISO_SECONDS)
    expect(listing.data).toContain(listing.data.find((l) => l.startsWith('"two words.txt" 5 ')))
  })

  it('lists an empty bucket as nothing', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect(await c.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
  })

  it('lists regular files, and an empty folder as its path ending in /', async () => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b', 'sub'), { recursive: true })
    await fs.writeFile(path.join(t.root, 'b', 'f'), 'x')
    await fs.symlink('/dev/null', path.join(t.root, 'b', 'device'))
    const c = await t.connect()
    expect((await c.command('ls_f b')).data.map((l) => l.split(' ')[0]).sort()).toEqual([
      'f',
      'sub/',
    ])
  })

  it('streams a large bucket completely', async () => {
    t = await startTestServer()
    const dir = path.join(t.root, 'many')
    await fs.mkdir(dir)
    const count = 3000
    for (let i = 0; i < count; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => fs.writeFile(path.join(dir, `file ${i + j}`), '')),
      )
    const c = await t.connect()
    const listing = await c.command('ls_f many')
    expect(listing.status).toBe('800 FLS')
    expect(new Set(listing.data.map((l) => parseListEntry(l)!.name)).size).toBe(count)
  })

  it.each([
    ['ghost', '850 FLF no such bucket'],
    ['loose.txt', '850 FLF no such bucket'],
    ['..', '850 FLF ".." is not a bucket name'],
    ['/etc', '850 FLF bucket name may not contain "/"'],
  ])('refuses %s', async (bucket, status) => {
    t = await startTestServer()
    await fs.writeFile(path.join(t.root, 'loose.txt'), 'x')
    const c = await t.connect()
    expect(await c.command(`ls_f ${bucket}`)).toEqual({ data: [], status })
  })

  it('takes at most a bucket and a folder', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('ls_f a b c')).status).toBe(
      '400 BCMD usage: ls_f [<name of bucket> [<folder path>]]',
    )
  })
})

describe('ls_f without a bucket', () => {
  it('lists every file with its bucket, and an empty bucket by its name alone', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b "my photos"')
    await c.command('create_b empty')
    await upload(c, '"my photos"', 'a.jpg', 'aaa')
    await upload(c, '"my photos"', '"b c.jpg"', 'b')
    const listing = await c.command('ls_f')
    expect(listing.status).toBe('800 FLS')
    const entries = listing.data.map((l) => parseAnyFileEntry(l)!)
    expect(
      entries
        .map((e) => [e.bucket, e.file?.name ?? null, (e.file as FileEntry)?.size ?? null])
        .sort(),
    ).toEqual([
      ['empty', null, null],
      ['my photos', 'a.jpg', 3],
      ['my photos', 'b c.jpg', 1],
    ])
    expect(listing.data).toContain('empty')
  })

  it('lists nothing when there are no buckets, and fails with 850 FLF when the folder is gone', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect(await c.command('ls_f')).toEqual({ data: [], status: '800 FLS' })
    await fs.rm(t.root, { recursive: true })
    expect(await c.command('ls_f')).toEqual({ data: [], status: '850 FLF no such folder' })
  })
})

describe('names on disk that are not UTF-8', () => {
  it('are neither listed nor counted: ls_b and ls_f follow one rule', async () => {
    t = await startTestServer()
    await fs.mkdir(path.join(t.root, 'b'))
    await fs.writeFile(path.join(t.root, 'b', 'good.txt'), 'ok')
    // Linux keeps names as bytes: this one cannot be written as a string, nor named by a client.
    const bad = Buffer.concat([
      Buffer.from(path.join(t.root, 'b', 'bad')),
      Buffer.from([0xff]),
      Buffer.from('.txt'),
    ])
    await fs.writeFile(bad, 'x')
    await fs.mkdir(Buffer.concat([Buffer.from(path.join(t.root, 'folder')), Buffer.from([0xfe])]))
    const c = await t.connect()
    expect((await c.command('ls_b')).data).toEqual(['b 1'])
    expect((await c.command('ls_f b')).data).toEqual([expect.stringMatching(/^good\.txt 2 /)])
    expect((await c.command('ls_f')).data).toEqual([expect.stringMatching(/^b good\.txt 2 /)])
  })
})
