import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestServer } from '../server/helpers.js'
import { stores, withStores } from './stores.js'

/** The heavy half of the protocol suite, in a file of its own so the two run side by side. */
withStores()

describe.each(stores)('large transfers and listings on a $kind store', (store) => {
  let t: TestServer
  afterEach(() => t?.stop())

  it('moves 200 MB up and down in flat server memory', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b b')
    const size = 200 * 1024 * 1024
    const block = randomBytes(1024 * 1024)
    const hash = createHash('sha256')
    for (let i = 0; i < size / block.length; i++) hash.update(block)
    const digest = hash.digest('hex')
    const before = process.memoryUsage.rss()
    let peak = before
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
    try {
      c.send(`upload b big.bin ${size}`)
      expect(await c.line()).toBe(`-> ready ${size}`)
      for (let i = 0; i < size / block.length; i++) await c.write(block)
      expect(await c.response()).toEqual({ data: [`sha256 ${digest}`], status: '700 FUTBS' })
      c.send('download b big.bin')
      expect(await c.line()).toBe(`-> size ${size}`)
      const back = createHash('sha256')
      await c.readBytes(size, (chunk) => back.update(chunk))
      expect(back.digest('hex')).toBe(digest)
      expect(await c.response()).toEqual({ data: [`sha256 ${digest}`], status: '900 FDFBS' })
    } finally {
      clearInterval(sample)
    }
    // The test, the server and (for s3rver) the store share this process: 200 MB held anywhere
    // would show far above this.
    expect((peak - before) / 1024 / 1024).toBeLessThan(120)
    // 200 MB through s3rver is written three times over on disk (parts, object, copy).
  }, 120_000)

  it('streams a listing of 10,000 files', async () => {
    t = await store.start()
    const c = await t.connect()
    await c.command('create_b many')
    await store.fill('many', 10_000)
    const listing = await c.command('ls_f many')
    expect(listing.status).toBe('800 FLS')
    expect(listing.data).toHaveLength(10_000)
    expect(new Set(listing.data.map((l) => l.split(' ')[0])).size).toBe(10_000)
    // s3rver reads each object's metadata from its own folder: slow, whatever the client does.
  }, 90_000)
})
