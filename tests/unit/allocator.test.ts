import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
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

/**
 * How much more memory a fresh process holds after 20 code checks (scrypt, 16 MiB each, on the
 * hasher's thread) than after one; with `tuned`, glibc's thresholds are fixed first, as a server
 * does as it starts. In a process of its own: the thresholds are the whole process's.
 */
async function keptByCodeChecks(tuned: boolean): Promise<number> {
  const from = (file: string): string =>
    JSON.stringify(path.resolve(import.meta.dirname, '../../electron/server', file))
  const script = `
    import { findTrim } from ${from('allocator.ts')}
    import { hashCode } from ${from('grants.ts')}
    if (${tuned}) await findTrim()
    await hashCode('first', 'salt')
    const before = process.memoryUsage().rss
    for (let i = 0; i < 20; i++) await hashCode('code ' + i, 'salt')
    console.log(process.memoryUsage().rss - before)`
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-allocator-'))
  try {
    await fs.writeFile(path.join(dir, 'checks.mjs'), script)
    const run = promisify(execFile)
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      path.join(dir, 'checks.mjs'),
    ])
    return Number(stdout.trim())
  } finally {
    await fs.rm(dir, { recursive: true })
  }
}

describe("glibc's thresholds, fixed as a server starts", () => {
  it.runIf(process.platform === 'linux')(
    "give back the 16 MiB that each code check takes on the hasher's thread",
    async () => {
      const [left, tuned] = await Promise.all([keptByCodeChecks(false), keptByCodeChecks(true)])
      // Left to glibc, the thread's arena keeps at least one 16 MiB block for good.
      expect(left).toBeGreaterThan(14 * MiB)
      expect(tuned).toBeLessThan(4 * MiB)
    },
    30_000,
  )
})
