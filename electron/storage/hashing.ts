import { createHash, type Hash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { ResumeRefused } from './errors.js'

/** Files are read back in blocks this large to hash them. */
const READ_BLOCK_BYTES = 1024 * 1024

/**
 * The sha256 of a file's first `bytes` bytes, to go on with the rest: the bytes a continued
 * transfer does not move again still count in its whole-file digest.
 */
export async function hashPrefix(handle: FileHandle, bytes: number): Promise<Hash> {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(Math.min(READ_BLOCK_BYTES, Math.max(bytes, 1)))
  for (let at = 0; at < bytes;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - at), at)
    if (bytesRead === 0) throw new ResumeRefused('the file is shorter than that; start from 0')
    hash.update(buffer.subarray(0, bytesRead))
    at += bytesRead
  }
  return hash
}
