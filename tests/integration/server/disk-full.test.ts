import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type BucketServer } from '../../../electron/server/index.js'
import { RawClient } from './helpers.js'

let mountPoint: string | undefined
let server: BucketServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  if (mountPoint) {
    execFileSync('umount', [mountPoint])
    await fs.rm(mountPoint, { recursive: true })
    mountPoint = undefined
  }
})

describe('a full disk', () => {
  // A real small file system (tmpfs, 2 MiB): the build machines run as root, so they may mount.
  it('fails an upload that fills it with 750 FUTBF, keeps nothing and stays in step', async () => {
    mountPoint = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-full-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint])
    server = await startServer({ root: mountPoint, port: 0 })
    const c = await RawClient.connect(server.port)
    expect((await c.command('create_b b')).status).toBe('300 BCS')
    const size = 1_500_000
    c.send(`upload b big ${size}`)
    // The space was there when the upload was accepted; something else takes it meanwhile.
    expect(await c.line()).toBe(`-> ready ${size}`)
    await fs
      .writeFile(path.join(mountPoint, 'b', 'other'), Buffer.alloc(1_200_000))
      .catch(() => undefined)
    await c.write(Buffer.alloc(size, 1))
    expect((await c.response()).status).toBe('750 FUTBF disk full')
    expect(await fs.readdir(path.join(mountPoint, '.bucketshare', 'staging'))).toEqual([])
    expect((await fs.readdir(path.join(mountPoint, 'b'))).includes('big')).toBe(false)
    // Every byte was read: the next line is a command again.
    expect((await c.command('ls_b')).status).toBe('500 BLS')
    c.destroy()
  })
})
