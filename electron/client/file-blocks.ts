import fs, { type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { BLOCK_BYTES, Blocks } from '../blocks.js'

/** Full-sized blocks lent out by readers, by their memory (a chunk's own view may be a part). */
const lent = new WeakMap<ArrayBufferLike, { block: Buffer; blocks: Blocks }>()

/**
 * The bytes `start` to `end` (inclusive, as createReadStream counts) of a file, read into blocks
 * of its own that are used again (electron/blocks.ts), instead of a new buffer per read: sending
 * a gigabyte otherwise made V8 collect its whole heap every 28 MB, since every new buffer counts
 * as external memory to it. Each chunk is lent: `giveBack(chunk)` once nothing reads it any more (after the socket's write
 * callback) lets the next read use its memory. A chunk never given back is an ordinary buffer,
 * left to the garbage collector. Reads one block ahead of its consumer.
 */
export function blockReader(file: string, start: number, end: number): Readable {
  let handle: FileHandle | undefined
  let position = start
  const blocks = new Blocks()
  return new Readable({
    objectMode: true,
    highWaterMark: 1,
    construct(callback) {
      fs.open(file, 'r').then(
        (opened) => {
          handle = opened
          callback()
        },
        (err: Error) => callback(err),
      )
    },
    read() {
      const left = end + 1 - position
      if (left <= 0) return void this.push(null)
      const block = blocks.take(Math.min(BLOCK_BYTES, left))
      handle!.read(block, 0, block.length, position).then(
        ({ bytesRead }) => {
          // Shorter than it was: the consumer sees the end early and says so.
          if (bytesRead === 0) {
            blocks.give(block)
            return void this.push(null)
          }
          position += bytesRead
          if (block.length === BLOCK_BYTES) lent.set(block.buffer, { block, blocks })
          this.push(block.subarray(0, bytesRead))
        },
        (err: Error) => this.destroy(err),
      )
    },
    destroy(err, callback) {
      if (!handle) return callback(err)
      handle.close().then(
        () => callback(err),
        () => callback(err),
      )
    },
  })
}

/** Returns the block of a chunk from blockReader() once nothing reads it; other chunks are left be. */
export function giveBack(chunk: Uint8Array): void {
  const owner = lent.get(chunk.buffer)
  if (!owner) return
  lent.delete(chunk.buffer)
  owner.blocks.give(owner.block)
}
