import { createHash } from 'node:crypto'
import { SourceThread } from '../source-thread.js'

/**
 * The SHA-256 of a download as its bytes arrive. A large download is hashed on a thread of its
 * own, which reads the received bytes where the socket put them (shared memory, no copy): on the
 * client's own thread the hash took a third of a download's CPU, which over TLS also decrypts
 * every record (docs/performance.md).
 */
export interface DownloadHash {
  /** Hashes `chunk` next; `done` runs once it no longer needs the chunk. Waits when far behind. */
  update(chunk: Buffer, done: () => void): void | Promise<void>
  /** The digest of everything given, once hashed. */
  digest(): Promise<string>
  /** Forgets this hash (a download that failed). */
  drop(): void
}

/** Downloads this large or larger are hashed on the hashing thread; smaller ones where they arrive. */
export const THREAD_FROM_BYTES = 8 * 1024 * 1024
/** Bytes given to the hashing thread and not hashed yet, at most, before update() waits. */
const BEHIND_BYTES = 8 * 1024 * 1024

/** A hash for a download of `size` bytes. */
export function downloadHash(size: number): DownloadHash {
  return size >= THREAD_FROM_BYTES ? hashingThread.start() : inlineHash()
}

function inlineHash(): DownloadHash {
  const hash = createHash('sha256')
  return {
    update(chunk, done) {
      hash.update(chunk)
      done()
    },
    digest: () => Promise.resolve(hash.digest('hex')),
    drop: () => undefined,
  }
}

/** Messages to the thread: a chunk to hash (in shared memory, or a copy), a digest asked, a drop. */
type Order =
  | ['update', number, SharedArrayBuffer, number, number]
  | ['update', number, ArrayBuffer]
  | ['digest', number]
  | ['drop', number]
/** Messages from it: a chunk hashed, a digest. */
type Report = ['hashed', number] | ['digest', number, string]

/** The thread's code: self-contained, so that every bundle (app, CLI, tests) carries it as is. */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const hashes = new Map()
parentPort.on('message', ([op, id, memory, offset, length]) => {
  if (op === 'update') {
    let hash = hashes.get(id)
    if (!hash) hashes.set(id, (hash = createHash('sha256')))
    hash.update(offset === undefined ? new Uint8Array(memory) : new Uint8Array(memory, offset, length))
    parentPort.postMessage(['hashed', id])
  } else if (op === 'digest') {
    const hash = hashes.get(id) ?? createHash('sha256')
    hashes.delete(id)
    parentPort.postMessage(['digest', id, hash.digest('hex')])
  } else hashes.delete(id)
})
`

/** One download's hash on the thread: what waits for the thread, in order. */
interface Stream {
  /** `done` of each chunk sent and not hashed yet, oldest first, with its size. */
  sent: { done: () => void; bytes: number }[]
  behind: number
  /** Settles once the thread caught up, while updates wait for it, and settles it. */
  caughtUp?: Promise<void>
  wake?: () => void
  /** Set when the thread died with this hash unfinished. */
  failure?: Error
  digest?: { resolve: (sha256: string) => void; reject: (err: Error) => void }
}

/** The hashing thread, started on first use and left idle (not keeping the process alive) between downloads. */
class HashingThread {
  private readonly streams = new Map<number, Stream>()
  private nextId = 1
  private readonly thread = new SourceThread<Report>(
    THREAD_SOURCE,
    (report) => this.reported(report),
    (err) => this.fail(err),
  )

  start(): DownloadHash {
    const id = this.nextId++
    const stream: Stream = { sent: [], behind: 0 }
    this.streams.set(id, stream)
    this.thread.hold()
    return {
      update: (chunk, done) => {
        if (stream.failure) throw stream.failure
        const bytes = chunk.length
        stream.sent.push({ done, bytes })
        stream.behind += bytes
        if (chunk.buffer instanceof SharedArrayBuffer)
          this.send(['update', id, chunk.buffer, chunk.byteOffset, bytes])
        else {
          // Not shared memory (bytes that came with the response lines): the thread gets a copy.
          const copy = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + bytes)
          this.send(['update', id, copy], [copy])
        }
        if (stream.behind <= BEHIND_BYTES) return
        stream.caughtUp ??= new Promise<void>((resolve) => (stream.wake = resolve))
        return stream.caughtUp.then(() => {
          if (stream.failure) throw stream.failure
        })
      },
      digest: () =>
        new Promise<string>((resolve, reject) => {
          if (stream.failure) return reject(stream.failure)
          stream.digest = { resolve, reject }
          this.send(['digest', id])
        }),
      drop: () => {
        if (!this.streams.has(id)) return
        this.end(id)
        this.send(['drop', id])
        // Nothing waits for this hash any more: the chunks' memory may be used again.
        for (const chunk of stream.sent.splice(0)) chunk.done()
        wakeUp(stream)
      },
    }
  }

  private send(order: Order, transfer: ArrayBuffer[] = []): void {
    this.thread.post(order, transfer)
  }

  private reported(report: Report): void {
    const stream = this.streams.get(report[1])
    if (!stream) return
    if (report[0] === 'digest') {
      this.end(report[1])
      return stream.digest?.resolve(report[2])
    }
    const chunk = stream.sent.shift()!
    stream.behind -= chunk.bytes
    chunk.done()
    if (stream.behind <= BEHIND_BYTES / 2) wakeUp(stream)
  }

  private end(id: number): void {
    if (this.streams.delete(id)) this.thread.letGo()
  }

  /** The thread died: every hash fails, and the next download starts a new thread. */
  private fail(err: Error): void {
    for (const stream of this.streams.values()) {
      stream.failure = err
      // The chunks are no longer read: their memory may be used again.
      for (const chunk of stream.sent.splice(0)) chunk.done()
      wakeUp(stream)
      stream.digest?.reject(err)
    }
    this.streams.clear()
  }
}

function wakeUp(stream: Stream): void {
  stream.wake?.()
  stream.caughtUp = stream.wake = undefined
}

const hashingThread = new HashingThread()
