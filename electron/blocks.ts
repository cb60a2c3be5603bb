/**
 * File bytes move in blocks of this size: the server gathers an upload's received bytes into them
 * (its socket reads are only lent), the client reads the file it sends into them. Few large
 * writes, and memory reused rather than made anew for every read.
 */
export const BLOCK_BYTES = 1024 * 1024
/**
 * Empty full-sized blocks a transfer keeps for its next bytes: more than it ever has in flight
 * (an upload: two being written and one filling), so that none is dropped and made anew; dropped
 * blocks pile up, dead, until V8's next full collection.
 */
const SPARE_BLOCKS = 4

/**
 * One transfer's blocks: a full-sized block given back is used again, so a gigabyte moved
 * allocates a few blocks, not a buffer per read (V8 counts every new buffer as external memory,
 * and starts a full collection each time 64 MB of them were made). The blocks go with the
 * transfer: a server at rest holds none of them.
 */
export class Blocks {
  private readonly spare: Buffer[] = []

  /** A block for the next `bytes` (at most BLOCK_BYTES) of a file. */
  take(bytes: number): Buffer {
    if (bytes < BLOCK_BYTES) return Buffer.allocUnsafe(bytes)
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES)
  }

  /** Gives back a block nothing reads any more. */
  give(block: Buffer): void {
    if (block.length === BLOCK_BYTES && this.spare.length < SPARE_BLOCKS) this.spare.push(block)
  }
}
