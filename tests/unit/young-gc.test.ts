import { describe, expect, it, vi } from 'vitest'
import {
  arrived,
  COLLECT_EVERY_BYTES,
  IDLE_AFTER_BYTES,
  IDLE_MS,
} from '../../electron/server/young-gc.js'

const MiB = 2 ** 20

/** Makes `total` bytes of 64 KiB buffers dropped at once, as socket reads are; returns the most alive at a time. */
function readsOf(total: number, count: (bytes: number) => void): number {
  let most = 0
  for (let made = 0; made < total; made += 64 * 1024) {
    const chunk = Buffer.alloc(64 * 1024, made)
    count(chunk.length)
    most = Math.max(most, process.memoryUsage().arrayBuffers)
  }
  return most
}

describe('arrived', () => {
  it('keeps the buffers of bytes read, dead but not yet collected, to a few collection intervals', () => {
    const before = process.memoryUsage().arrayBuffers
    const most = readsOf(256 * MiB, arrived)
    // Left to itself, V8 lets 32 MiB of them pile up before it collects (33 to 43 MiB measured
    // here). Their memory is given back by a background thread shortly after each collection,
    // which a busy machine delays: 11 to 18 MiB measured.
    expect(most - before).toBeLessThan(3 * COLLECT_EVERY_BYTES)
  })

  it('frees the buffers of the last bytes read once no more arrive', async () => {
    // Fewer than a collection's worth: only the collection at rest can free them.
    const bytes = Math.max(IDLE_AFTER_BYTES, COLLECT_EVERY_BYTES - MiB)
    readsOf(bytes, arrived)
    const made = process.memoryUsage().arrayBuffers
    await vi.waitFor(
      () => expect(process.memoryUsage().arrayBuffers).toBeLessThan(made - bytes / 2),
      { timeout: 4 * IDLE_MS + 1_000, interval: 50 },
    )
  })
})
