import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { download, startTestServer, tree, upload, type TestServer } from './helpers.js'

let t: TestServer
let outside: string | undefined
afterEach(async () => {
  await t?.stop()
  if (outside) await fs.rm(outside, { recursive: true, force: true })
  outside = undefined
})

const staged = (): Promise<string[]> => fs.readdir(path.join(t.root, '.bucketshare/staging'))
const sorted = (lines: string[]): string[] => lines.map((l) => l.split(' ')[0]!).sort()

describe('paths inside a bucket', () => {
  it('uploads into folders, making them, and downloads back: 700 FUTBS, 900 FDFBS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect((await upload(c, 'b', '"2024/july days/beach é.jpg"', 'sand')).status).toBe('700 FUTBS')
    expect(await fs.readFile(path.join(t.root, 'b/2024/july days/beach é.jpg'), 'utf8')).toBe(
      'sand',
    )
    const back = await download(c, 'b', '"2024/july days/beach é.jpg"')
    expect(back.status).toBe('900 FDFBS')
    expect(back.bytes?.toString()).toBe('sand')
    expect(await staged()).toEqual([])
  })

  it('lists every file by its path and every empty folder as path/, and counts them in ls_b', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'top.txt', '1')
    await upload(c, 'b', 'a/b/c/deep.txt', '22')
    await fs.mkdir(path.join(t.root, 'b/a/empty'))
    await fs.mkdir(path.join(t.root, 'b/only/inner'), { recursive: true })
    const listing = await c.command('ls_f b')
    expect(listing.status).toBe('800 FLS')
    expect(sorted(listing.data)).toEqual(['a/b/c/deep.txt', 'a/empty/', 'only/inner/', 'top.txt'])
    expect(listing.data).toContain(listing.data.find((l) => l.startsWith('a/b/c/deep.txt 2 ')))
    expect(await c.command('ls_b')).toEqual({ data: ['b 2'], status: '500 BLS' })
    const all = await c.command('ls_f')
    expect(all.data.filter((l) => l.startsWith('b a/empty/'))).toEqual(['b a/empty/'])
  })

  it('lists one folder with ls_f <bucket> <folder>, paths still from the bucket', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'top.txt', '1')
    await upload(c, 'b', '"a/x y.txt"', '1')
    await upload(c, 'b', 'a/b/z.txt', '1')
    await c.command('create_b b a/void')
    expect(sorted((await c.command('ls_f b a')).data)).toEqual(['"a/x', 'a/b/z.txt', 'a/void/'])
    expect(sorted((await c.command('ls_f b a/')).data)).toHaveLength(3)
    expect(await c.command('ls_f b a/void')).toEqual({ data: ['a/void/'], status: '800 FLS' })
    expect(await c.command('ls_f b top.txt')).toEqual({
      data: [],
      status: '850 FLF no such folder',
    })
    expect(await c.command('ls_f b nothing')).toEqual({
      data: [],
      status: '850 FLF no such folder',
    })
    expect(await c.command('ls_f ghost a')).toEqual({ data: [], status: '850 FLF no such bucket' })
  })

  it('makes folders with create_b <bucket> <folder>: 300 BCS, also when they exist', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect(await c.command('create_b b "x/y z"')).toEqual({ data: [], status: '300 BCS' })
    expect(await c.command('create_b b "x/y z"')).toEqual({ data: [], status: '300 BCS' })
    await upload(c, 'b', 'f', '1')
    expect((await c.command('create_b b f/g')).status).toBe(
      '350 BCF a file has the name of a folder in the path',
    )
    expect((await c.command('create_b b f')).status).toBe(
      '350 BCF a file has the name of a folder in the path',
    )
    expect((await c.command('create_b ghost x')).status).toBe('350 BCF no such bucket')
    expect(await tree(path.join(t.root, 'b'))).toEqual(['f', 'x', 'x/y z'])
  })

  it('keeps a flat bucket exactly as an old client knows it', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', '"a b.txt"', 'hello')
    const listing = await c.command('ls_f b')
    expect(listing.data).toHaveLength(1)
    expect(listing.data[0]).toMatch(/^"a b\.txt" 5 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(await c.command('ls_b')).toEqual({ data: ['b 1'], status: '500 BLS' })
  })
})

describe('escape attempts', () => {
  async function planted(): Promise<TestServer> {
    t = await startTestServer()
    outside = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-outside-')))
    await fs.writeFile(path.join(outside, 'secret.txt'), 'secret')
    await fs.mkdir(path.join(t.root, 'b/in'), { recursive: true })
    await fs.writeFile(path.join(t.root, 'b/in/kept.txt'), 'kept')
    await fs.symlink(outside, path.join(t.root, 'b/out'))
    await fs.symlink(outside, path.join(t.root, 'b/in/deeper'))
    await fs.mkdir(path.join(t.root, 'b/loop'))
    await fs.symlink('../loop', path.join(t.root, 'b/loop/again'))
    await fs.symlink('twin', path.join(t.root, 'b/loop/self'))
    await fs.symlink('self', path.join(t.root, 'b/loop/twin'))
    return t
  }

  it.each([
    ['upload b a/../../x 1', '750 FUTBF ".." is not a file name'],
    ['upload b a//b 1', '750 FUTBF file path has an empty part'],
    ['upload b /abs 1', '750 FUTBF file path may not start or end with "/"'],
    ['upload b a/ 1', '750 FUTBF file path may not start or end with "/"'],
    ['upload b ./a 1', '750 FUTBF "." is not a file name'],
    ['upload b a\\b 1', '750 FUTBF file name may not contain "\\"'],
    ['upload b "a/\u0000b" 1', '750 FUTBF file name may not contain control character U+0000'],
    ['upload b out/x.txt 1', '750 FUTBF path goes through a link'],
    ['upload b in/deeper/x.txt 1', '750 FUTBF path goes through a link'],
    ['upload b out/new/x.txt 1', '750 FUTBF path goes through a link'],
    ['upload b loop/again/x.txt 1', '750 FUTBF path goes through a link'],
    ['upload b loop/self/x.txt 1', '750 FUTBF path goes through a link'],
    ['download b out/secret.txt', '950 FDFBF path goes through a link'],
    ['download b loop/again/again/x', '950 FDFBF path goes through a link'],
    ['download b ../b/in/kept.txt', '950 FDFBF ".." is not a file name'],
    ['delete_f b out/secret.txt', '1050 FDF path goes through a link'],
    ['delete_f b in/../../b', '1050 FDF ".." is not a file name'],
    ['ls_f b out', '850 FLF path goes through a link'],
    ['ls_f b loop/self', '850 FLF path goes through a link'],
    ['ls_f b ../b', '850 FLF ".." is not a folder name'],
    ['create_b b out/new', '350 BCF path goes through a link'],
    ['rename_f b out/secret.txt mine.txt', '1250 FRF path goes through a link'],
    ['rename_f b in/kept.txt out/kept.txt', '1250 FRF path goes through a link'],
    ['rename_f b in/kept.txt ../kept.txt', '1250 FRF ".." is not a file name'],
    ['rename_f b in/kept.txt a//kept.txt', '1250 FRF file path has an empty part'],
  ])('refuses %j and touches nothing', async (line, status) => {
    await planted()
    const inside = await tree(t.root)
    const c = await t.connect()
    const answer = await c.command(line)
    expect(answer).toEqual({ data: [], status })
    expect(await tree(t.root)).toEqual(inside)
    expect(await tree(outside!)).toEqual(['secret.txt'])
    expect(await fs.readFile(path.join(outside!, 'secret.txt'), 'utf8')).toBe('secret')
    expect(await c.command('init')).toEqual({ data: ['BucketShare protocol 2'], status: '100 OK' })
  })

  it('lists around links to folders and link loops, and counts the same', async () => {
    await planted()
    const c = await t.connect()
    const listing = await c.command('ls_f b')
    expect(listing.status).toBe('800 FLS')
    expect(sorted(listing.data)).toEqual(['in/kept.txt', 'loop/'])
    expect(await c.command('ls_b')).toEqual({ data: ['b 1'], status: '500 BLS' })
  })

  it('deletes a planted link as a link, leaving what it points to', async () => {
    await planted()
    const c = await t.connect()
    expect(await c.command('delete_f b loop/again')).toEqual({ data: [], status: '1000 FDS' })
    expect(await fs.readdir(path.join(t.root, 'b/loop'))).toEqual(['self', 'twin'])
    expect(await c.command('delete_f b out')).toEqual({
      data: [],
      status: '1050 FDF file links outside the shared folder',
    })
    expect(await tree(outside!)).toEqual(['secret.txt'])
  })
})

describe('rename_f', () => {
  it('renames and moves files and folders, making parents: 1200 FRS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'a/one.txt', '1')
    await upload(c, 'b', 'a/sub/two.txt', '22')
    expect(await c.command('rename_f b a/one.txt "new place/deep/uno.txt"')).toEqual({
      data: [],
      status: '1200 FRS',
    })
    expect(await c.command('rename_f b a/sub "new place/moved"')).toEqual({
      data: [],
      status: '1200 FRS',
    })
    expect(await c.command('rename_f b a z')).toEqual({ data: [], status: '1200 FRS' })
    expect(await tree(path.join(t.root, 'b'))).toEqual([
      'new place',
      'new place/deep',
      'new place/deep/uno.txt',
      'new place/moved',
      'new place/moved/two.txt',
      'z',
    ])
    expect(sorted((await c.command('ls_f b')).data)).toEqual(['"new', '"new', 'z/'])
    expect(await c.command('ls_b')).toEqual({ data: ['b 2'], status: '500 BLS' })
  })

  it.each([
    ['rename_f b ghost.txt x', '1250 FRF no such file'],
    ['rename_f b a/ghost.txt x', '1250 FRF no such file'],
    ['rename_f b nowhere/ghost.txt x', '1250 FRF no such folder'],
    ['rename_f ghost a x', '1250 FRF no such bucket'],
    ['rename_f b a/one.txt a/two.txt', '1250 FRF file already exists'],
    ['rename_f b a/one.txt a', '1250 FRF folder already exists'],
    ['rename_f b a/two.txt a/one.txt/x', '1250 FRF a file has the name of a folder in the path'],
    ['rename_f b a a/inside', '1250 FRF a folder cannot move into itself'],
    ['rename_f b a a', '1250 FRF a folder cannot move into itself'],
    ['rename_f b a/one.txt con.txt', '1250 FRF "con.txt" is a reserved device name on Windows'],
    ['rename_f b a/one.txt .bucketshare/x', '1250 FRF ".bucketshare" is reserved by BucketShare'],
    [
      'rename_f b a/one.txt',
      '400 BCMD usage: rename_f <name of bucket> <path of file or folder> <new path>',
    ],
  ])('refuses %j and changes nothing', async (line, status) => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'a/one.txt', '1')
    await upload(c, 'b', 'a/two.txt', '2')
    const before = await tree(t.root)
    expect(await c.command(line)).toEqual({ data: [], status })
    expect(await tree(t.root)).toEqual(before)
  })

  it('is listed by help and code_r', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('help rename_f')).data[0]).toMatch(
      /^rename_f <name of bucket> <path of file or folder> <new path> +Rename or move/,
    )
    const codes = (await c.command('code_r')).data
    expect(codes).toContain('1200 FRS   File Renamed Successfully')
    expect(codes).toContain('1250 FRF   File Rename Fails')
  })
})

describe('delete_f on a folder', () => {
  it('deletes the folder and everything in it: 1000 FDS', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'keep.txt', '1')
    for (let i = 0; i < 20; i++) await upload(c, 'b', `album/${i % 3}/p${i}.jpg`, 'x')
    await c.command('create_b b album/empty')
    expect(await c.command('ls_b')).toEqual({ data: ['b 21'], status: '500 BLS' })
    expect(await c.command('delete_f b album')).toEqual({ data: [], status: '1000 FDS' })
    expect(await tree(path.join(t.root, 'b'))).toEqual(['keep.txt'])
    expect(await c.command('ls_b')).toEqual({ data: ['b 1'], status: '500 BLS' })
    expect(await staged()).toEqual([])
  })
})

describe('tree changes while uploads run into the folder', () => {
  const SIZE = 200_000
  const content = (i: number): Buffer => Buffer.alloc(SIZE, i + 1)

  /** Starts an upload of `album/p<i>` and sends half its bytes; `finish` sends the rest. */
  async function halfway(i: number): Promise<{ finish(): Promise<string> }> {
    const c = await t.connect()
    c.send(`upload b album/p${i} ${SIZE}`)
    expect(await c.line()).toBe(`-> ready ${SIZE}`)
    await c.write(content(i).subarray(0, SIZE / 2))
    return {
      async finish() {
        await c.write(content(i).subarray(SIZE / 2))
        return (await c.response()).status
      },
    }
  }

  async function expectWhole(file: string, i: number): Promise<void> {
    expect((await fs.readFile(path.join(t.root, 'b', file))).equals(content(i))).toBe(true)
  }

  it('rename_f: files done before move with the folder, files done after land whole in a new one', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    for (let i = 0; i < 3; i++) await upload(c, 'b', `album/p${i}`, content(i).toString('latin1'))
    const running = await Promise.all([3, 4, 5].map(halfway))
    expect(await c.command('rename_f b album moved')).toEqual({ data: [], status: '1200 FRS' })
    expect(await Promise.all(running.map((r) => r.finish()))).toEqual(Array(3).fill('700 FUTBS'))
    expect(await tree(path.join(t.root, 'b'))).toEqual([
      'album',
      'album/p3',
      'album/p4',
      'album/p5',
      'moved',
      'moved/p0',
      'moved/p1',
      'moved/p2',
    ])
    for (const i of [3, 4, 5]) await expectWhole(`album/p${i}`, i)
    expect(await staged()).toEqual([])
    expect(await c.command('ls_b')).toEqual({ data: ['b 6'], status: '500 BLS' })
  })

  it('delete_f: files done before go with the folder, files done after land whole', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    for (let i = 0; i < 3; i++) await upload(c, 'b', `album/p${i}`, 'x')
    const running = await Promise.all([3, 4, 5].map(halfway))
    expect(await c.command('delete_f b album')).toEqual({ data: [], status: '1000 FDS' })
    expect(await Promise.all(running.map((r) => r.finish()))).toEqual(Array(3).fill('700 FUTBS'))
    expect(await tree(path.join(t.root, 'b'))).toEqual([
      'album',
      'album/p3',
      'album/p4',
      'album/p5',
    ])
    for (const i of [3, 4, 5]) await expectWhole(`album/p${i}`, i)
    expect(await staged()).toEqual([])
    expect(await c.command('ls_b')).toEqual({ data: ['b 3'], status: '500 BLS' })
  })

  it('racing renames back and forth: every upload answered 700 is whole in exactly one place', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await c.command('create_b b album')
    const uploads = Array.from({ length: 12 }, async (_, i) => {
      const u = await t.connect()
      const status = (await upload(u, 'b', `album/p${i}`, content(i).toString('latin1'))).status
      return { i, status }
    })
    const flips = (async () => {
      const answers: string[] = []
      for (let n = 0; n < 12; n++) {
        const [from, to] = n % 2 === 0 ? ['album', 'other'] : ['other', 'album']
        answers.push((await c.command(`rename_f b ${from} ${to}`)).status)
      }
      return answers
    })()
    const done = await Promise.all(uploads)
    for (const status of await flips) expect(status).toMatch(/^(1200 FRS|1250 FRF .+)$/)
    for (const { i, status } of done) {
      expect(status).toBe('700 FUTBS')
      const found: string[] = []
      for (const dir of ['album', 'other'])
        if (await fs.stat(path.join(t.root, 'b', dir, `p${i}`)).catch(() => undefined))
          found.push(dir)
      expect(found).toHaveLength(1)
      await expectWhole(`${found[0]}/p${i}`, i)
    }
    expect(await staged()).toEqual([])
    expect(await c.command('ls_b')).toEqual({ data: ['b 12'], status: '500 BLS' })
  })
})

describe('changes', () => {
  it('moves on with every folder made, renamed or deleted', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const versions = [(await c.command('changes')).data[0]]
    for (const line of ['create_b b x/y', 'rename_f b x z', 'delete_f b z']) {
      expect((await c.command(line)).status).toMatch(/^(300|1200|1000) /)
      versions.push((await c.command('changes')).data[0])
    }
    expect(new Set(versions).size).toBe(4)
  })
})
