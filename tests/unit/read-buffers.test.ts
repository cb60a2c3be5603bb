import { describe, expect, it } from 'vitest'
import {
  MIN_READ_BYTES,
  READ_BLOCK_BYTES,
  ReadBuffers,
  type Received,
} from '../../electron/client/read-buffers.js'

/** What Node does on a read: fill the memory next() gave, then report how much. */
function read(buffers: ReadBuffers, bytes: number, fill: number): Received {
  const landing = buffers.next()
  expect(landing.length).toBeGreaterThanOrEqual(MIN_READ_BYTES)
  landing.fill(fill, 0, bytes)
  return buffers.take(bytes)
}

describe('ReadBuffers', () => {
  it('lands reads one after another in a block', () => {
    const buffers = new ReadBuffers()
    const a = read(buffers, 1000, 1)
    const b = read(buffers, 2000, 2)
    expect(b.chunk.buffer).toBe(a.chunk.buffer)
    expect(b.chunk.byteOffset).toBe(a.chunk.byteOffset + 1000)
    expect(a.chunk.every((x) => x === 1)).toBe(true)
    expect(b.chunk.every((x) => x === 2)).toBe(true)
  })

  it('never reads into memory a chunk still holds', () => {
    const buffers = new ReadBuffers()
    const reads = 3 * (READ_BLOCK_BYTES / MIN_READ_BYTES)
    const held: Received[] = []
    for (let i = 0; i < reads; i++) held.push(read(buffers, MIN_READ_BYTES, i % 256))
    // Every chunk still has its own bytes: blocks were only added, none reused.
    held.forEach((r, i) => expect(r.chunk.every((x) => x === i % 256)).toBe(true))
  })

  it('uses a block again once every chunk read into it is released', () => {
    const buffers = new ReadBuffers()
    const first = read(buffers, READ_BLOCK_BYTES - MIN_READ_BYTES + 1, 1)
    // Too little room is left in the first block: the next read starts a second one.
    const second = read(buffers, MIN_READ_BYTES, 2)
    expect(second.chunk.buffer).not.toBe(first.chunk.buffer)
    first.release()
    first.release() // a second release changes nothing
    for (let i = 0; i < READ_BLOCK_BYTES / MIN_READ_BYTES; i++) read(buffers, MIN_READ_BYTES, 3)
    // The second block is full and still held by `second`; the first one was free again.
    const next = read(buffers, 10, 4)
    expect(next.chunk.buffer).toBe(first.chunk.buffer)
    expect(second.chunk.every((x) => x === 2)).toBe(true)
  })
})
