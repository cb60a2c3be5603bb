import v8 from 'node:v8'
import vm from 'node:vm'
import { trimNow } from './allocator.js'

/**
 * Bytes read off the network between two collections of V8's young generation.
 *
 * Every read leaves a little garbage behind (the views and promises of its chunk: tens of thousands
 * of reads a gigabyte over TLS), and where lendReads() cannot lend, a fresh buffer (64 KiB over TCP,
 * a 16 KiB record over TLS). Under that steady stream V8 lets its young generation grow to its cap
 * before it collects, and buffers pile up until 32 MiB of them (twice its default largest
 * semi-space, whatever the flags say): the server's peak memory through 1 GiB up and down was 94 to
 * 103 MB without these collections, 82 to 92 MB with them. A collection of a young generation
 * holding no more than this costs a few tenths of a millisecond.
 */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024

/**
 * Once this many bytes arrived and then none for IDLE_MS (to 2 × IDLE_MS), the heap is collected,
 * and the C allocator trimmed a tick later: a server at rest holds what it uses, not
 * the dead buffers and freed memory of its last transfers (glibc's heap at rest held 31 to 47 MiB
 * in the soak, 5 to 11 MiB since).
 */
export const IDLE_AFTER_BYTES = 1024 * 1024
export const IDLE_MS = 250

type Collect = (options?: { type: 'minor' }) => void

/** Bytes counted since the last collection. */
let sinceCollection = 0
/** Bytes counted since the last collection at rest, and as the idle watch last saw them. */
let sinceRest = 0
let seenAtTick = 0
/** Checks every IDLE_MS whether bytes still arrive, from the first byte on. */
let idleWatch: NodeJS.Timeout | undefined
/** A collection at rest ran: the allocator is trimmed at the next tick. */
let trimDue = false
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
  sinceRest += bytes
  idleWatch ??= setInterval(atRest, IDLE_MS).unref()
  if (sinceCollection < COLLECT_EVERY_BYTES) return
  sinceCollection = 0
  collect ??= collector()
  collect?.({ type: 'minor' })
}

/**
 * Nothing arrived since the last tick after IDLE_AFTER_BYTES did: the heap is collected whole,
 * and the allocator trimmed at the next tick, once V8's background sweeper has freed the dead
 * buffers' memory. Whole, because buffers that lived through two young collections (a long
 * command, a block of an upload) are freed by nothing else: after the 60 s soak glibc's heap held
 * 0.6 to 9.7 MiB more than at the start with a young collection only, 3.5 MiB each time with a
 * full one. (A full collection once set off a mark-compact every 40 ms through the uploads that
 * followed; that storm came from the buffer Node made for every read, which lendReads() ended:
 * seven 1 GiB transfers after collections at rest now run 4 or 5 mark-compacts in all.)
 */
function atRest(): void {
  if (trimDue) {
    trimDue = false
    void trimNow()
  }
  if (sinceRest !== seenAtTick) {
    seenAtTick = sinceRest
    return
  }
  if (sinceRest < IDLE_AFTER_BYTES) return
  sinceRest = seenAtTick = 0
  sinceCollection = 0
  collect ??= collector()
  collect?.()
  trimDue = true
}
