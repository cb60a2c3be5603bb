import fs from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { fileTarget, LocalFileError, streamTarget } from '../../../electron/client/index.js'
import { fixture, randomFile, type Fixture } from './helpers.js'

let f: Fixture
afterEach(() => f?.stop())

const MiB = 1024 * 1024

/** A stream that takes `limit` bytes and then fails as a full disk does. */
function fillingUp(limit: number): Writable {
  let taken = 0
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      taken += chunk.length
      if (taken > limit) done(Object.assign(new Error('no space left'), { code: 'ENOSPC' }))
      else done()
    },
  })
}

describe('download targets', () => {
  it('a file target writes beside the destination and renames once verified', async () => {
    f = await fixture()
    const target = fileTarget(f.local)
    await target.open({ name: 'a.txt', size: 3 })
    await target.write(Buffer.from('abc'), () => undefined)
    const [temp] = await fs.readdir(f.local)
    expect(temp).toMatch(/^\..*\.bucketshare-part$/)
    expect(await target.commit()).toBe(path.join(f.local, 'a.txt'))
    expect(await fs.readdir(f.local)).toEqual(['a.txt'])
  })

  it('a discarded file target leaves nothing, opened or not', async () => {
    f = await fixture()
    await fileTarget(f.local).discard()
    const target = fileTarget(path.join(f.local, 'b.txt'))
    await target.open({ name: 'ignored', size: 3 })
    await target.write(Buffer.from('abc'), () => undefined)
    await target.discard()
    expect(await fs.readdir(f.local)).toEqual([])
  })

  it('a file target refuses a destination in a missing folder', async () => {
    f = await fixture()
    await expect(
      fileTarget(path.join(f.local, 'nope', 'x')).open({ name: 'x', size: 1 }),
    ).rejects.toThrow(
      new LocalFileError(`cannot write "${path.join(f.local, 'nope', 'x')}": no such folder`),
    )
  })

  it('a stream target gets copies: the lent chunk is released at once', async () => {
    const got: Buffer[] = []
    let told: { name: string; size: number } | undefined
    const target = streamTarget((file) => {
      told = file
      return new Writable({
        write(chunk: Buffer, _e, done) {
          got.push(chunk)
          done()
        },
      })
    })
    await target.open({ name: 'n', size: 2 })
    const lent = Buffer.from('hi')
    let released = false
    await target.write(lent, () => (released = true))
    lent.fill(0)
    expect(released).toBe(true)
    expect(await target.commit()).toBe(undefined)
    expect(told).toEqual({ name: 'n', size: 2 })
    expect(Buffer.concat(got).toString()).toBe('hi')
  })

  it('a target failing mid-download ends it with the reason, and the client stays usable', async () => {
    f = await fixture()
    const c = await f.connect()
    await c.createBucket('b')
    await randomFile(path.join(f.root, 'b', 'big'), 8 * MiB)
    const error = await c
      .download({ bucket: 'b', name: 'big', target: streamTarget(() => fillingUp(MiB)) })
      .catch((e: unknown) => e)
    expect(error).toEqual(new LocalFileError('writing the download failed: disk full'))
    expect(await c.listBuckets()).toEqual([{ name: 'b', files: 1 }])
  })
})
