import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type BucketServer } from '../../../electron/server/index.js'
import {
  eventually,
  RawClient,
  sha256,
  stagedBytes,
  startTestServer,
  upload,
  type TestServer,
} from './helpers.js'

let t: TestServer
let restarted: BucketServer | undefined
afterEach(async () => {
  await restarted?.close()
  restarted = undefined
  await t?.stop()
})

const EMPTY = sha256('')
const staging = (): string => path.join(t.root, '.bucketshare/staging')

/** Sends the first `cut` bytes of an upload of `content`, then cuts the connection. */
async function cutUpload(file: string, content: Buffer, cut: number): Promise<void> {
  const c = await t.connect()
  const before = await stagedBytes(staging())
  const logged = t.logs.length
  c.send(`upload b ${file} ${content.length}`)
  expect(await c.line()).toBe(`-> ready ${content.length}`)
  await c.write(content.subarray(0, cut))
  await eventually(async () => (await stagedBytes(staging())) >= before + cut)
  c.destroy()
  await eventually(() => t.logs.slice(logged).some((l) => l.includes(`cut: ${cut} bytes kept`)))
}

/** Continues an upload from `held` bytes, sending the rest of `content`. */
async function continueUpload(c: RawClient, file: string, content: Buffer, held: number) {
  c.send(`upload b ${file} ${content.length} ${held} ${sha256(content.subarray(0, held))}`)
  const first = await c.line()
  if (!first.startsWith('-> ready')) return { first, rest: undefined }
  await c.write(content.subarray(held))
  return { first, rest: await c.response() }
}

describe('resume_f', () => {
  it('says nothing is held, and gives the digest of a file of that very size', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    expect(await c.command('resume_f b f.txt 5')).toEqual({
      data: [`held 0 ${EMPTY}`],
      status: '1500 RPS',
    })
    await upload(c, 'b', 'f.txt', 'hello')
    expect(await c.command('resume_f b f.txt 5')).toEqual({
      data: [`held 0 ${EMPTY}`, `same ${sha256('hello')}`],
      status: '1500 RPS',
    })
    expect((await c.command('resume_f b f.txt 6')).data).toEqual([`held 0 ${EMPTY}`])
  })

  it('refuses what cannot be asked', async () => {
    t = await startTestServer()
    const c = await t.connect()
    expect((await c.command('resume_f ghost f 5')).status).toBe('1550 RPF no such bucket')
    expect((await c.command('resume_f b f -1')).status).toMatch(/^1550 RPF size must be/)
    expect((await c.command('resume_f b')).status).toBe(
      '400 BCMD usage: resume_f <name of bucket> <name of file> <size in bytes>',
    )
  })
})

describe('a cut upload, continued', () => {
  it('is kept, reported with the sha256 of its bytes, and continued from there', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(3_000_000)
    await cutUpload('big.bin', content, 1_000_000)
    expect(await fs.readdir(path.join(t.root, 'b'))).toEqual([])
    expect(await c.command('ls_f b')).toEqual({ data: [], status: '800 FLS' })
    expect((await c.command('resume_f b big.bin 3000000')).data).toEqual([
      `held 1000000 ${sha256(content.subarray(0, 1_000_000))}`,
    ])
    const { first, rest } = await continueUpload(c, 'big.bin', content, 1_000_000)
    expect(first).toBe('-> ready 2000000')
    expect(rest).toEqual({ data: [`sha256 ${sha256(content)}`], status: '700 FUTBS' })
    expect(sha256(await fs.readFile(path.join(t.root, 'b', 'big.bin')))).toBe(sha256(content))
    expect(await fs.readdir(staging())).toEqual([])
    expect(
      t.logs.some((l) => /upload b big\.bin .* -> 700 FUTBS, resumed at 1000000$/.test(l)),
    ).toBe(true)
  })

  it('is kept again when the continuing upload is cut too', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(2_000_000)
    await cutUpload('f', content, 500_000)
    const d = await t.connect()
    d.send(`upload b f 2000000 500000 ${sha256(content.subarray(0, 500_000))}`)
    expect(await d.line()).toBe('-> ready 1500000')
    await d.write(content.subarray(500_000, 1_200_000))
    await eventually(async () => (await stagedBytes(staging())) >= 1_200_000)
    d.destroy()
    await eventually(() => t.logs.some((l) => l.includes('cut: 1200000 bytes kept')))
    const { rest } = await continueUpload(c, 'f', content, 1_200_000)
    expect(rest?.status).toBe('700 FUTBS')
    expect(sha256(await fs.readFile(path.join(t.root, 'b', 'f')))).toBe(sha256(content))
  })

  it('is never continued by different bytes: 1550, and a new upload starts from 0', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(1_000_000)
    await cutUpload('f', content, 400_000)
    const other = randomBytes(1_000_000)
    expect((await continueUpload(c, 'f', other, 400_000)).first).toBe(
      '1550 RPF the server does not hold those bytes; start from 0',
    )
    expect((await continueUpload(c, 'f', content, 300_000)).first).toBe(
      '1550 RPF the server does not hold those bytes; start from 0',
    )
    // The refused attempts changed nothing: the right bytes still continue.
    expect((await c.command('resume_f b f 1000000')).data[0]).toBe(
      `held 400000 ${sha256(content.subarray(0, 400_000))}`,
    )
    expect((await upload(c, 'b', 'f', other)).status).toBe('700 FUTBS')
    expect(sha256(await fs.readFile(path.join(t.root, 'b', 'f')))).toBe(sha256(other))
    expect((await c.command('resume_f b f 1000000')).data[0]).toBe(`held 0 ${EMPTY}`)
    expect(await fs.readdir(staging())).toEqual([])
  })

  it('is continued by one of two clients at once; the other is refused cleanly', async () => {
    t = await startTestServer()
    const [a, b] = [await t.connect(), await t.connect()]
    await a.command('create_b b')
    const content = randomBytes(2_000_000)
    await cutUpload('f', content, 1_000_000)
    const line = `upload b f 2000000 1000000 ${sha256(content.subarray(0, 1_000_000))}`
    a.send(line)
    b.send(line)
    const answers = [await a.line(), await b.line()]
    expect([...answers].sort()).toEqual([
      '-> ready 1000000',
      '1550 RPF another upload is continuing this file',
    ])
    const winner = answers[0] === '-> ready 1000000' ? a : b
    await winner.write(content.subarray(1_000_000))
    expect((await winner.response()).status).toBe('700 FUTBS')
    expect(sha256(await fs.readFile(path.join(t.root, 'b', 'f')))).toBe(sha256(content))
  })

  it('survives a restart of the server', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(1_500_000)
    await cutUpload('f', content, 700_000)
    await t.server.close()
    restarted = await startServer({ root: t.root, port: 0, host: '127.0.0.1' })
    const d = await RawClient.connect(restarted.port)
    expect((await d.command('resume_f b f 1500000')).data[0]).toBe(
      `held 700000 ${sha256(content.subarray(0, 700_000))}`,
    )
    const { rest } = await continueUpload(d, 'f', content, 700_000)
    expect(rest?.status).toBe('700 FUTBS')
    d.destroy()
  })

  it('is kept in full when the server closes right after the cut', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(3_000_000)
    c.send(`upload b f ${content.length}`)
    expect(await c.line()).toBe(`-> ready ${content.length}`)
    await c.write(content.subarray(0, 2_000_000))
    await eventually(async () => (await stagedBytes(staging())) > 0)
    c.destroy()
    // The host quits at once: close() waits for the upload to keep what arrived.
    await t.server.close()
    const kept = t.logs.find((l) => /cut: \d+ bytes kept/.test(l))
    expect(kept).toBeDefined()
    const held = Number(/cut: (\d+) bytes kept/.exec(kept!)![1])
    restarted = await startServer({ root: t.root, port: 0, host: '127.0.0.1' })
    const d = await RawClient.connect(restarted.port)
    expect((await d.command('resume_f b f 3000000')).data[0]).toBe(
      `held ${held} ${sha256(content.subarray(0, held))}`,
    )
    d.destroy()
  })

  it('records a durable point every 4 MiB while the bytes arrive', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    c.send(`upload b f ${20 * 1024 * 1024}`)
    await c.line()
    const part = randomBytes(9 * 1024 * 1024)
    await c.write(part)
    const record = async (): Promise<{ held: number; sha256: string } | undefined> => {
      const json = (await fs.readdir(staging())).find((n) => n.endsWith('.json'))
      return json && JSON.parse(await fs.readFile(path.join(staging(), json), 'utf8'))
    }
    // Syncs start at 4 and 8 MiB: the second one is recorded too.
    await eventually(async () => ((await record())?.held ?? 0) >= 8 * 1024 * 1024)
    const { held, sha256: digest } = (await record())!
    expect(held).toBeLessThanOrEqual(part.length)
    expect(digest).toBe(sha256(part.subarray(0, held)))
    c.destroy()
    await eventually(() => t.logs.some((l) => l.includes('bytes kept to continue from')))
  })
})

describe('kept uploads', () => {
  it('expire after the time they are kept', async () => {
    t = await startTestServer({ keepPartialsMs: 200 })
    const c = await t.connect()
    await c.command('create_b b')
    await cutUpload('f', randomBytes(100_000), 50_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await c.command('resume_f b f 100000')).data).toEqual([`held 0 ${EMPTY}`])
    expect(await fs.readdir(staging())).toEqual([])
  })

  it('take at most their total size, the oldest dropped first', async () => {
    t = await startTestServer({ maxPartialBytes: 1_500_000 })
    const c = await t.connect()
    await c.command('create_b b')
    await cutUpload('old', randomBytes(2_000_000), 1_000_000)
    await cutUpload('new', randomBytes(2_000_000), 1_000_000)
    expect((await c.command('resume_f b old 2000000')).data[0]).toBe(`held 0 ${EMPTY}`)
    expect((await c.command('resume_f b new 2000000')).data[0]).toMatch(/^held 1000000 /)
    expect(await stagedBytes(staging())).toBe(1_000_000)
  })
})

describe('download from a byte on', () => {
  it('names the version, sends the rest and the whole file’s sha256', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    const content = randomBytes(2_000_000)
    await upload(c, 'b', 'f', content)
    c.send('download b f 0')
    const version = /^-> version (\S+)$/.exec(await c.line())![1]!
    expect(await c.line()).toBe('-> size 2000000')
    expect(sha256(await c.bytes(2_000_000))).toBe(sha256(content))
    expect(await c.response()).toEqual({ data: [`sha256 ${sha256(content)}`], status: '900 FDFBS' })

    c.send(`download b f 1500000 ${version}`)
    expect(await c.line()).toBe(`-> version ${version}`)
    expect(await c.line()).toBe('-> size 500000')
    expect(sha256(await c.bytes(500_000))).toBe(sha256(content.subarray(1_500_000)))
    expect(await c.response()).toEqual({ data: [`sha256 ${sha256(content)}`], status: '900 FDFBS' })
    expect(t.logs.some((l) => l.endsWith('-> 900 FDFBS, resumed at 1500000'))).toBe(true)
  })

  it('refuses to continue a file that changed since: 1550', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'f', 'first version')
    c.send('download b f 0')
    const version = /^-> version (\S+)$/.exec(await c.line())![1]!
    await c.line()
    await c.bytes(13)
    await c.response()
    await upload(c, 'b', 'f', 'other content')
    expect((await c.command(`download b f 5 ${version}`)).status).toBe(
      '1550 RPF the file changed; start from 0',
    )
    expect((await c.command('download b f 99')).status).toBe(
      '1550 RPF the file is shorter than that; start from 0',
    )
  })

  it('leaves the old form exactly as it was', async () => {
    t = await startTestServer()
    const c = await t.connect()
    await c.command('create_b b')
    await upload(c, 'b', 'f', 'hello')
    c.send('download b f')
    expect(await c.line()).toBe('-> size 5')
  })
})
