import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { downloadHash, THREAD_FROM_BYTES } from '../../electron/client/download-hash.js'

const MiB = 1024 * 1024

/** `bytes` in blocks of shared memory, as a connection receives them, cut into uneven chunks. */
function sharedChunks(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = []
  for (let at = 0, n = 0; at < bytes.length; n++) {
    const block = Buffer.from(new SharedArrayBuffer(MiB))
    const size = Math.min(bytes.length - at, 4096 + ((n * 77_777) % (MiB - 4096)))
    bytes.copy(block, 0, at, at + size)
    chunks.push(block.subarray(0, size))
    at += size
  }
  return chunks
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

describe('downloadHash', () => {
  it('hashes a large download on a thread of its own, straight from shared memory', async () => {
    const bytes = randomBytes(THREAD_FROM_BYTES + 3 * MiB + 17)
    const hash = downloadHash(bytes.length)
    // Bytes that came with the response lines are in memory of their own: the thread gets a copy.
    const head = Buffer.from(bytes.subarray(0, 100))
    let done = 0
    await hash.update(head, () => done++)
    const chunks = sharedChunks(bytes.subarray(100))
    for (const chunk of chunks) {
      let released = false
      await hash.update(chunk, () => {
        released = true
        done++
      })
      // The chunk's memory is lent to the thread: it is given back once hashed, never at once.
      expect(released).toBe(false)
    }
    expect(await hash.digest()).toBe(sha256(bytes))
    expect(done).toBe(chunks.length + 1)
  })

  it('makes the download wait while the thread is more than 8 MiB behind', async () => {
    const bytes = randomBytes(24 * MiB)
    const hash = downloadHash(bytes.length)
    const waits = sharedChunks(bytes).map((chunk) => hash.update(chunk, () => undefined))
    expect(waits.some((wait) => wait instanceof Promise)).toBe(true)
    await Promise.all(waits)
    expect(await hash.digest()).toBe(sha256(bytes))
  })

  it('keeps the hashes of downloads at the same time apart', async () => {
    const one = randomBytes(THREAD_FROM_BYTES)
    const two = randomBytes(THREAD_FROM_BYTES + MiB)
    const [a, b] = [downloadHash(one.length), downloadHash(two.length)]
    const [chunksA, chunksB] = [sharedChunks(one), sharedChunks(two)]
    for (let i = 0; i < Math.max(chunksA.length, chunksB.length); i++) {
      if (chunksA[i]) await a.update(chunksA[i]!, () => undefined)
      if (chunksB[i]) await b.update(chunksB[i]!, () => undefined)
    }
    expect(await Promise.all([a.digest(), b.digest()])).toEqual([sha256(one), sha256(two)])
  })

  it('gives back every chunk the thread had not hashed when a download is dropped', async () => {
    const bytes = randomBytes(THREAD_FROM_BYTES)
    const hash = downloadHash(bytes.length)
    const chunks = sharedChunks(bytes)
    let done = 0
    for (const chunk of chunks.slice(0, 4)) void hash.update(chunk, () => done++)
    hash.drop()
    expect(done).toBe(4)
    // A later download is hashed as usual.
    const next = downloadHash(bytes.length)
    for (const chunk of chunks) await next.update(chunk, () => undefined)
    expect(await next.digest()).toBe(sha256(bytes))
  })

  it('hashes a small download where it arrives, giving each chunk back at once', async () => {
    const bytes = randomBytes(THREAD_FROM_BYTES - 1)
    const hash = downloadHash(bytes.length)
    let done = 0
    for (const chunk of sharedChunks(bytes)) {
      expect(hash.update(chunk, () => done++)).toBeUndefined()
      expect(done).toBeGreaterThan(0)
      done = 0
    }
    expect(await hash.digest()).toBe(sha256(bytes))
  })
})
