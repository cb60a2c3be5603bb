import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { download, eventually, sha256, upload, type TestServer } from '../server/helpers.js'
import { stores, withStores } from './stores.js'

withStores()

describe.each(stores)('the protocol on a $kind store', (store) => {
  let t: TestServer
  afterEach(() => t?.stop())

  it('creates, lists and deletes buckets', async () => {
    t = await store.start()
    const c = await t.connect()
    expect((await c.command('create_b "holiday photos"')).status).toBe('300 BCS')
    expect((await c.command('create_b "holiday photos"')).status).toBe(
      '350 BCF bucket already exists',
    )
    expect(await c.command('ls_b')).toEqual({ data: ['"holiday photos" 0'], status: '500 BLS' })
    expect((await c.command('create_b bad/name')).status).toMatch(
      /^350 BCF bucket name may not contain/,
    )
    expect((await c.command('delete_b "holiday photos"')).status).toBe('600 BDS')
    expect((await c.command('delete_b "holiday photos"')).status).toBe('650 BDF no such bucket')
    expect(await c.command('ls_b')).toEqual({ data: [], status: '500 BLS' })
  })

  it('stores an upload whole, lists it, sends it back with its sha256, and replaces it', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(300_000)
    expect(await upload(c, 'b', '"a file é.bin"', content)).toEqual({
      data: ['ready 300000', `sha256 ${sha256(content)}`],
      status: '700 FUTBS',
    })
    const listing = await c.command('ls_f b')
    expect(listing.status).toBe('800 FLS')
    expect(listing.data).toHaveLength(1)
    expect(listing.data[0]).toMatch(/^"a file é\.bin" 300000 \d{4}-\d\d-\d\dT/)
    expect(await download(c, 'b', '"a file é.bin"')).toEqual({
      data: ['size 300000', `sha256 ${sha256(content)}`],
      status: '900 FDFBS',
      bytes: content,
    })
    await upload(c, 'b', '"a file é.bin"', 'second')
    expect((await download(c, 'b', '"a file é.bin"')).bytes?.toString()).toBe('second')
    expect(await c.command('ls_b')).toEqual({ data: ['b 1'], status: '500 BLS' })
  })

  it('stores an empty file and a file larger than one part', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    expect((await upload(c, 'b', 'empty', '')).status).toBe('700 FUTBS')
    const big = randomBytes(20 * 1024 * 1024 + 7)
    expect((await upload(c, 'b', 'big.bin', big)).data[1]).toBe(`sha256 ${sha256(big)}`)
    expect((await download(c, 'b', 'empty')).bytes).toEqual(Buffer.alloc(0))
    const back = await download(c, 'b', 'big.bin')
    expect(back.data).toEqual([`size ${big.length}`, `sha256 ${sha256(big)}`])
    expect(back.bytes?.equals(big)).toBe(true)
    expect(await store.openUploads()).toEqual([])
  })

  it('refuses what it cannot do with the vocabulary’s failure codes, and changes nothing', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    expect((await upload(c, 'ghost', 'f', 'x')).status).toBe('750 FUTBF no such bucket')
    expect((await upload(c, 'b', 'con.txt', 'x')).status).toMatch(
      /^750 FUTBF "con.txt" is a reserved/,
    )
    expect((await c.command('ls_f ghost')).status).toBe('850 FLF no such bucket')
    expect((await download(c, 'b', 'nothing')).status).toBe('950 FDFBF no such file')
    expect((await download(c, 'ghost', 'x')).status).toBe('950 FDFBF no such bucket')
    expect((await c.command('delete_f b nothing')).status).toBe('1050 FDF no such file')
    expect(await c.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
  })

  it('deletes a file, and a bucket with its files', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'one', '1')
    await upload(c, 'b', 'two', '2')
    expect((await c.command('delete_f b one')).status).toBe('1000 FDS')
    expect((await c.command('ls_f b')).data.map((l) => l.split(' ')[0])).toEqual(['two'])
    expect((await c.command('delete_b b')).status).toBe('600 BDS')
    expect((await c.command('ls_f')).data).toEqual([])
  })

  it('lists every bucket with ls_f alone, an empty one included', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b full')
    await c.command('create_b empty')
    await upload(c, 'full', 'f', 'x')
    const all = await c.command('ls_f')
    expect(all.status).toBe('800 FLS')
    expect(all.data.map((l) => l.replace(/ \d{4}-.*$/, ''))).toEqual(
      expect.arrayContaining(['empty', 'full f 1']),
    )
  })

  it('leaves nothing of an upload cut part way, and no multipart upload open', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    const size = 24 * 1024 * 1024
    c.send(`upload b cut.bin ${size}`)
    expect(await c.line()).toBe(`-> ready ${size}`)
    await c.write(randomBytes(12 * 1024 * 1024))
    c.destroy()
    const d = await t.connect()
    await eventually(async () => (await store.openUploads()).length === 0, 10_000)
    expect(await d.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
  })

  it('keeps folders inside buckets: paths, empty folders, rename_f and folder delete_f', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    expect((await c.command('create_b b "2024/july"')).status).toBe('300 BCS')
    expect((await c.command('ls_f b')).data).toEqual(['2024/july/'])
    await upload(c, 'b', '"2024/july/beach.jpg"', 'sand')
    await upload(c, 'b', 'top.txt', 'top')
    const names = async (line: string): Promise<string[]> =>
      (await c.command(line)).data.map((l) => l.replace(/ \d+ \d{4}-.*$/, ''))
    expect(await names('ls_f b')).toEqual(['2024/july/beach.jpg', 'top.txt'])
    expect(await names('ls_f b 2024')).toEqual(['2024/july/beach.jpg'])
    expect((await c.command('ls_f b nowhere')).status).toBe('850 FLF no such folder')
    expect((await upload(c, 'b', '2024', 'x')).status).toBe('750 FUTBF a folder has that name')
    expect((await c.command('rename_f b 2024 "holiday 2024"')).status).toBe('1200 FRS')
    expect((await c.command('rename_f b top.txt "holiday 2024/top.txt"')).status).toBe('1200 FRS')
    expect((await c.command('rename_f b "holiday 2024" "holiday 2024/inner"')).status).toBe(
      '1250 FRF a folder cannot move into itself',
    )
    await upload(c, 'b', 'other.txt', 'o')
    expect((await c.command('rename_f b other.txt "holiday 2024/top.txt"')).status).toBe(
      '1250 FRF file already exists',
    )
    expect((await c.command('rename_f b ghost x')).status).toBe('1250 FRF no such file')
    expect(await names('ls_f b')).toEqual([
      '"holiday 2024/july/beach.jpg"',
      '"holiday 2024/top.txt"',
      'other.txt',
    ])
    expect((await download(c, 'b', '"holiday 2024/july/beach.jpg"')).bytes?.toString()).toBe('sand')
    expect(await c.command('ls_b')).toEqual({ data: ['b 3'], status: '500 BLS' })
    expect((await c.command('delete_f b "holiday 2024"')).status).toBe('1000 FDS')
    expect(await names('ls_f b')).toEqual(['other.txt'])
  })

  it('sends a download from a byte on, for the same version of the file only', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(3 * 1024 * 1024)
    await upload(c, 'b', 'f.bin', content)
    c.send('download b f.bin 0')
    const version = (await c.line()).replace(/^-> version /, '')
    expect(await c.line()).toBe(`-> size ${content.length}`)
    await c.bytes(content.length)
    await c.response()
    const from = 1_000_000
    c.send(`download b f.bin ${from} ${version}`)
    expect(await c.line()).toBe(`-> version ${version}`)
    expect(await c.line()).toBe(`-> size ${content.length - from}`)
    expect((await c.bytes(content.length - from)).equals(content.subarray(from))).toBe(true)
    expect(await c.response()).toEqual({ data: [`sha256 ${sha256(content)}`], status: '900 FDFBS' })
    expect((await upload(c, 'b', 'f.bin', randomBytes(content.length))).status).toBe('700 FUTBS')
    expect((await c.command(`download b f.bin ${from} ${version}`)).status).toBe(
      '1550 RPF the file changed; start from 0',
    )
    // What resume_f says of a file already there, whole.
    const same = await c.command(`resume_f b f.bin ${content.length}`)
    expect(same.status).toBe('1500 RPS')
    expect(same.data.some((l) => /^same [0-9a-f]{64}$/.test(l))).toBe(true)
  })

  it('moves its version on when something changes', async () => {
    t = await store.start()
    const c = await t.connect()
    const before = (await c.command('changes')).data[0]
    await c.command('create_b b')
    const after = await c.command('changes')
    expect(after.status).toBe('1600 CHS')
    expect(after.data[0]).not.toBe(before)
  })
})
