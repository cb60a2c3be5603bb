import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'

/* Test files of any size, written and checked in constant memory (the bench and the tests). */

/** Writes `size` random bytes to `file` and returns their sha256. */
export async function randomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(file, { highWaterMark: 1024 * 1024 })
  for (let left = size; left > 0;) {
    const block = randomBytes(Math.min(left, 1024 * 1024))
    hash.update(block)
    left -= block.length
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  )
  return hash.digest('hex')
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * Waits until the system has written every file's bytes to disk (`sync`; nothing where there is
 * no such command). Between two timed steps: a step that leaves gigabytes in the page cache (a
 * server that never syncs) would otherwise have the next one pay for writing them back.
 */
export async function diskAtRest(): Promise<void> {
  if (process.platform === 'win32') return
  await new Promise<void>((resolve) => execFile('sync', () => resolve()))
}
