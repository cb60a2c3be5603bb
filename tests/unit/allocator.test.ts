import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { trimNow } from '../../electron/server/allocator.js'

const MiB = 2 ** 20

/** A full collection, through the `gc` that --expose-gc gives a fresh context. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc')
  ;(vm.runInNewContext('gc') as () => void)()
}

describe('trimNow', () => {
  it.runIf(process.platform === 'linux')(
    'gives back the free memory that smaller allocations still alive hold in the heap',
    async () => {
      // 64 MiB of 32 KiB buffers (taken from glibc's heap, below its mmap threshold), each
      // followed by a small one that stays: once the big ones are freed, their memory lies in
      // holes that glibc keeps.
      const base = process.memoryUsage().arrayBuffers
      const kept: Buffer[] = []
      let big: Buffer[] = []
      for (let i = 0; i < 2048; i++) {
        big.push(Buffer.allocUnsafeSlow(32 * 1024).fill(i))
        kept.push(Buffer.allocUnsafeSlow(512).fill(i))
      }
      big = []
      collect()
      // V8 frees the buffers' memory on a thread of its own shortly after the collection.
      await vi.waitFor(
        () => expect(process.memoryUsage().arrayBuffers).toBeLessThan(base + 8 * MiB),
        { timeout: 5_000 },
      )
      const before = process.memoryUsage().rss
      expect(await trimNow()).toBe(true)
      const after = process.memoryUsage().rss
      expect(before - after).toBeGreaterThan(32 * MiB)
      expect(kept.length + big.length).toBe(2048)
    },
  )
})
