/**
 * Incremental splitter of a byte stream into protocol lines. A TCP chunk is not a message: one line
 * may arrive in many chunks and one chunk may hold many lines, or a line followed by raw transfer
 * bytes. The owner pushes chunks, pulls lines one at a time, and may take the unread bytes back
 * (`takeRest`) when the stream switches to raw bytes after an `upload` or a download's size line.
 *
 * Lines end with LF; a CR before the LF is dropped. A line longer than `maxLineBytes` (without its
 * terminator) is reported once as `overflow` and the rest of it is discarded up to the next LF, so a
 * peer can never make the buffer grow without bound.
 */
export type LineEvent =
  | { kind: 'line'; text: string }
  /** The line was not valid UTF-8. `head`: its start, decoded leniently, to tell its verb. */
  | { kind: 'invalid'; head: string }
  /** The line exceeded the limit; its bytes were discarded. */
  | { kind: 'overflow'; head: string }

const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TAB = 0x09
const EMPTY = new Uint8Array(0)
/** Bytes of a bad line's start kept in its event: enough for any verb. */
const HEAD_BYTES = 32
const lenient = new TextDecoder('utf-8')
const headOf = (bytes: Uint8Array): string => lenient.decode(bytes.subarray(0, HEAD_BYTES))

export class LineReader {
  /** Bytes received and not yet returned as a line or taken back. */
  private buffer: Uint8Array = EMPTY
  /** True while skipping the tail of an over-long line, up to its LF. */
  private discarding = false
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })

  constructor(readonly maxLineBytes: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    if (this.buffer.length === 0) {
      this.buffer = chunk
      return
    }
    const joined = new Uint8Array(this.buffer.length + chunk.length)
    joined.set(this.buffer, 0)
    joined.set(chunk, this.buffer.length)
    this.buffer = joined
  }

  /** The next complete line, or undefined when more bytes are needed. */
  next(): LineEvent | undefined {
    for (;;) {
      const lf = this.buffer.indexOf(LF)
      if (this.discarding) {
        if (lf < 0) {
          this.buffer = EMPTY
          return undefined
        }
        this.drop(lf + 1)
        this.discarding = false
        continue
      }
      if (lf < 0) {
        // A trailing CR may be the first half of a CRLF split across chunks.
        const limit = this.maxLineBytes + (this.buffer[this.buffer.length - 1] === CR ? 1 : 0)
        if (this.buffer.length > limit) {
          // Keep nothing of a line that cannot be valid; report it once.
          const head = headOf(this.buffer)
          this.buffer = EMPTY
          this.discarding = true
          return { kind: 'overflow', head }
        }
        this.keepOnlyRest()
        return undefined
      }
      const end = lf > 0 && this.buffer[lf - 1] === CR ? lf - 1 : lf
      const bytes = this.buffer.subarray(0, end)
      this.drop(lf + 1)
      if (bytes.length > this.maxLineBytes) return { kind: 'overflow', head: headOf(bytes) }
      try {
        return { kind: 'line', text: this.decoder.decode(bytes) }
      } catch {
        return { kind: 'invalid', head: headOf(bytes) }
      }
    }
  }

  /**
   * Drops the blank lines (nothing but spaces, tabs and a CR before the LF) at the front of what
   * is buffered, in one scan: a flood of them costs a pass over its bytes, not a line event each.
   */
  skipBlankLines(): void {
    if (this.discarding) return
    let end = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const byte = this.buffer[i]
      if (byte === LF) end = i + 1
      else if (byte === CR ? this.buffer[i + 1] !== LF : byte !== SPACE && byte !== TAB) break
    }
    if (end > 0) this.drop(end)
  }

  /**
   * Forgets the first `n` bytes. What was read arrives in chunks of up to 64 KiB; an empty view of
   * one would keep it all in memory for as long as the connection waits for its next command.
   */
  private drop(n: number): void {
    this.buffer = n >= this.buffer.length ? EMPTY : this.buffer.subarray(n)
  }

  /** While waiting for the rest of a line, holds only its bytes, not the whole chunk they came in. */
  private keepOnlyRest(): void {
    if (this.buffer.byteLength * 4 < this.buffer.buffer.byteLength)
      this.buffer = this.buffer.slice()
  }

  /** Takes back every byte not yet returned as a line (for a switch to raw transfer bytes). */
  takeRest(): Uint8Array {
    const rest = this.buffer
    this.buffer = EMPTY
    return rest
  }

  /** Bytes buffered and not yet returned. */
  get pending(): number {
    return this.buffer.length
  }

  /** True between the first byte of a line and its end, even while an over-long one is skipped. */
  get midLine(): boolean {
    return this.buffer.length > 0 || this.discarding
  }
}

/** Largest command or response line, in bytes, without its terminator. */
export const MAX_LINE_BYTES = 8192
