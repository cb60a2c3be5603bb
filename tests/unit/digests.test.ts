import type { BigIntStats } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DIGEST_MIN_BYTES, DigestCache } from '../../electron/storage/digests.js'

const stats = (ino: number, change: Partial<Record<'size' | 'mtimeNs' | 'ctimeNs', bigint>> = {}) =>
  ({
    dev: 1n,
    ino: BigInt(ino),
    size: BigInt(DIGEST_MIN_BYTES),
    mtimeNs: 1_700_000_000_123_456_789n,
    ctimeNs: 20n,
    ...change,
  }) as BigIntStats

describe('DigestCache', () => {
  it('answers for the same file version only', () => {
    const cache = new DigestCache()
    cache.set('/r/b/f', stats(7), 'abc')
    expect(cache.get('/r/b/f', stats(7))).toBe('abc')
    expect(cache.get('/r/b/g', stats(7))).toBeUndefined()
    for (const changed of [
      stats(8),
      stats(7, { size: BigInt(DIGEST_MIN_BYTES + 1) }),
      stats(7, { mtimeNs: 1_700_000_000_123_456_790n }),
      stats(7, { ctimeNs: 21n }),
    ]) {
      cache.set('/r/b/f', stats(7), 'abc')
      expect(cache.get('/r/b/f', changed)).toBeUndefined()
      // A stale entry is dropped as soon as it is found stale.
      expect(cache.size).toBe(0)
    }
  })

  it('keeps nothing for small files', () => {
    const cache = new DigestCache()
    cache.set('/r/b/f', stats(7, { size: BigInt(DIGEST_MIN_BYTES - 1) }), 'abc')
    expect(cache.size).toBe(0)
  })

  it('keeps nothing on file systems with coarse times, where a change may not show', () => {
    const cache = new DigestCache()
    // FAT keeps modification times to 2 s, HFS+ to 1 s.
    for (const mtimeNs of [1_700_000_000_000_000_000n, 1_700_000_001_000_000_000n])
      cache.set('/r/b/f', stats(7, { mtimeNs }), 'abc')
    expect(cache.size).toBe(0)
  })

  it('stays bounded, forgetting the least recently used first', () => {
    const cache = new DigestCache()
    for (let i = 0; i < 5000; i++) {
      cache.set(`/f${i}`, stats(i), `d${i}`)
      // The first file is used all along.
      expect(cache.get('/f0', stats(0))).toBe('d0')
    }
    expect(cache.size).toBe(4096)
    expect(cache.get('/f1', stats(1))).toBeUndefined()
    expect(cache.get('/f4999', stats(4999))).toBe('d4999')
  })
})
