import { describe, expect, it, vi } from 'vitest'
import { arrived, IDLE_AFTER_BYTES, IDLE_MS } from '../../electron/server/young-gc.js'

const MiB = 2 ** 20

/** Makes `total` bytes of 64 KiB buffers dropped at once (as a download's file reads are); returns the most alive at a time. */
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
  it('frees the buffers of the last bytes read once no more arrive', async () => {
    // Too few for V8 to collect them by itself: only the collection at rest frees them.
    const bytes = Math.max(IDLE_AFTER_BYTES, 7 * MiB)
    readsOf(bytes, arrived)
    const made = process.memoryUsage().arrayBuffers
    await vi.waitFor(
      () => expect(process.memoryUsage().arrayBuffers).toBeLessThan(made - bytes / 2),
      { timeout: 4 * IDLE_MS + 1_000, interval: 50 },
    )
  })
})
