/** Size of the blocks socket reads land in. */
export const READ_BLOCK_BYTES = 1024 * 1024
/** Each read is given at least this much room: the end of a block too short for it goes unused. */
export const MIN_READ_BYTES = 64 * 1024
/** Empty blocks kept for reuse; more are made while the consumer holds these. */
const SPARE_BLOCKS = 4

/**
 * A block in memory that another thread can read: a large download is hashed on a thread of its
 * own, straight from where its bytes landed (download-hash.ts).
 */
function sharedBlock(): Buffer {
  return Buffer.from(new SharedArrayBuffer(READ_BLOCK_BYTES))
}

/** Received bytes, valid until `release()`, which gives their memory back (once; later calls do nothing). */
export interface Received {
  chunk: Buffer
  release: () => void
}

/**
 * The memory a socket reads into (Node's `onread`): each read lands right after the previous one
 * in the current block, and a block is used again once every chunk read into it was released.
 * Without it Node makes a new buffer for every read (64 KiB over TCP, a 16 KiB record over TLS),
 * which a download pays for in garbage collection and page faults (docs/performance.md).
 */
export class ReadBuffers {
  private readonly spare: Buffer[] = []
  private block: Buffer = sharedBlock()
  private used = 0
  /** Chunks handed out and not yet released, by block. */
  private readonly held = new Map<Buffer, number>()

  /** Where the next read lands; Node asks for it before each read. */
  readonly next = (): Buffer => {
    if (READ_BLOCK_BYTES - this.used < MIN_READ_BYTES) {
      const full = this.block
      this.block = this.spare.pop() ?? sharedBlock()
      this.used = 0
      if (!this.held.has(full)) this.recycle(full)
    }
    return this.block.subarray(this.used)
  }

  /** The `n` bytes the last read put where `next()` said. */
  take(n: number): Received {
    const block = this.block
    const chunk = block.subarray(this.used, this.used + n)
    this.used += n
    this.held.set(block, (this.held.get(block) ?? 0) + 1)
    let released = false
    return {
      chunk,
      release: () => {
        if (released) return
        released = true
        this.release(block)
      },
    }
  }

  private release(block: Buffer): void {
    const left = (this.held.get(block) ?? 1) - 1
    if (left > 0) return void this.held.set(block, left)
    this.held.delete(block)
    // The current block is still being read into; it is recycled when it is full.
    if (block !== this.block) this.recycle(block)
  }

  private recycle(block: Buffer): void {
    if (this.spare.length < SPARE_BLOCKS) this.spare.push(block)
  }
}
