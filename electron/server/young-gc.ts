import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * Bytes read off the network between two collections of V8's young generation.
 *
 * Every chunk a socket reads arrives in a fresh buffer (64 KiB over TCP, 16 KiB over TLS) that is
 * dead a moment later. Such buffers are freed only by a young-generation collection, which the
 * little JavaScript garbage of a transfer triggers rarely; V8's own trigger for them waits until
 * 32 MiB of buffers have piled up (twice its default largest semi-space, whatever the flags say).
 * At a gigabyte a second that pile was a third of the server's peak memory during an upload. A
 * collection of a young generation holding no more than this costs a few tenths of a millisecond.
 */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024

type Collect = (options: { type: 'minor' | 'major' }) => void

/** Bytes counted since the last collection. */
let sinceCollection = 0
/** V8's `gc`, found on first use; null where it cannot be had (then nothing is collected early). */
let collect: Collect | null | undefined

/** V8's `gc` function: the one --expose-gc gives, or one exposed now to a fresh context. */
function collector(): Collect | null {
  const exposed = (globalThis as { gc?: Collect }).gc
  if (typeof exposed === 'function') return exposed
  try {
    // Only contexts made after this see `gc`; this one's global stays as it was.
    v8.setFlagsFromString('--expose-gc')
    const made: unknown = vm.runInNewContext('gc')
    return typeof made === 'function' ? (made as Collect) : null
  } catch {
    return null
  }
}

/**
 * Counts `bytes` that arrived in fresh buffers now dead or about to be, and collects the young
 * generation once COLLECT_EVERY_BYTES have: the server's memory then holds at most that many of
 * them, instead of up to 32 MiB more than it needs.
 */
export function arrived(bytes: number): void {
  sinceCollection += bytes
  if (sinceCollection < COLLECT_EVERY_BYTES) return
  sinceCollection = 0
  collect ??= collector()
  collect?.({ type: 'minor' })
}
