import { createHash, randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, stagedBytes, startTestServer, upload, type TestServer } from './helpers.js'

let t: TestServer | undefined
let mountPoint: string | undefined
afterEach(async () => {
  await t?.server.close()
  if (mountPoint) execFileSync('umount', [mountPoint])
  mountPoint = undefined
  await t?.stop()
  t = undefined
})

/** A bucket that is another file system: a small tmpfs (the build machines run as root). */
async function mountedBucket(name: string): Promise<string> {
  t = await startTestServer()
  mountPoint = path.join(t.root, name)
  await fs.mkdir(mountPoint)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint])
  return mountPoint
}

describe('a bucket on another file system (a drive mounted in the shared folder)', () => {
  it('takes uploads, staged on its own file system, and lists only the files', async () => {
    const drive = await mountedBucket('usb drive')
    // Left by an earlier run that was cut short: emptied when the bucket is first uploaded to.
    await fs.mkdir(path.join(drive, '.bucketshare', 'staging'), { recursive: true })
    await fs.writeFile(path.join(drive, '.bucketshare', 'staging', 'old.part'), 'leftover')
    const c = await t!.connect()
    const content = randomBytes(2 * 1024 * 1024)
    expect(await upload(c, '"usb drive"', 'photo.jpg', content)).toEqual({
      data: ['ready 2097152', `sha256 ${createHash('sha256').update(content).digest('hex')}`],
      status: '700 FUTBS',
    })
    // Compared whole in one call: a deep equality of 2 MiB element by element takes seconds.
    expect((await fs.readFile(path.join(drive, 'photo.jpg'))).equals(content)).toBe(true)
    expect(await fs.readdir(path.join(drive, '.bucketshare', 'staging'))).toEqual([])
    expect((await c.command('ls_b')).data).toEqual(['"usb drive" 1'])
    expect((await c.command('ls_f "usb drive"')).data).toHaveLength(1)
  })

  it('keeps an upload cut short in its own staging folder, to be continued', async () => {
    const drive = await mountedBucket('drive')
    const c = await t!.connect()
    c.send('upload drive big.bin 3000000')
    expect(await c.line()).toBe('-> ready 3000000')
    await c.write(Buffer.alloc(1_000_000, 7))
    const staging = path.join(drive, '.bucketshare', 'staging')
    await eventually(async () => (await stagedBytes(staging)) === 1_000_000)
    c.destroy()
    await eventually(() => t!.logs.some((l) => l.includes('cut: 1000000 bytes kept')))
    expect((await fs.readdir(staging)).map((n) => path.extname(n)).sort()).toEqual([
      '.json',
      '.part',
    ])
    expect(await fs.readdir(drive)).toEqual(['.bucketshare'])
    const other = await t!.connect()
    expect((await other.command('resume_f drive big.bin 3000000')).data[0]).toMatch(
      /^held 1000000 [0-9a-f]{64}$/,
    )
  })
})
