/**
 * File bytes move in blocks of this size: the server gathers an upload's received bytes into them
 * (its socket reads are only lent), the client reads the file it sends into them. Few large
 * writes, and memory reused rather than made anew for every read.
 */
export const BLOCK_BYTES = 1024 * 1024
/** Empty full-sized blocks kept for the next transfers, across the process. */
const SPARE_BLOCKS = 4

const spare: Buffer[] = []

/**
 * A block for the next `bytes` (at most BLOCK_BYTES) of a file: a reused one when full-sized, so a
 * gigabyte moved allocates no new memory per read; V8 counts every new buffer as external memory
 * and starts a full collection each time 64 MB of them were made.
 */
export function takeBlock(bytes: number): Buffer {
  if (bytes < BLOCK_BYTES) return Buffer.allocUnsafe(bytes)
  return spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES)
}

/** Gives back a block nothing reads any more. */
export function returnBlock(block: Buffer): void {
  if (block.length === BLOCK_BYTES && spare.length < SPARE_BLOCKS) spare.push(block)
}
