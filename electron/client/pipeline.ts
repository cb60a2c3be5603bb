import { createHash } from 'node:crypto'
import {
  formatCommand,
  parseDigest,
  parseSame,
  ProtocolError,
} from '../../shared/protocol/index.js'
import type { Connection, RawResponse } from './connection.js'
import { localError, LocalFileError, type UploadSource } from './endpoints.js'
import { TransportError } from './errors.js'
import type { ConnectionPool } from './pool.js'
import { ProgressMeter } from './progress.js'
import type { Semaphore } from './semaphore.js'
import type { TransferResult, UploadOptions } from './transfers.js'

/**
 * Files up to this size are sent as `put_f` (protocol 2), read whole into memory first: over a
 * link with latency the round trips of `upload`, not the bytes, would set their pace.
 */
export const PUT_MAX_BYTES = 256 * 1024

/** `put_f` uploads in flight on one connection: enough to keep it busy over a slow round trip. */
export const PUT_DEPTH = 16

/**
 * One transfer connection carrying `put_f` uploads back to back: each is written when the one
 * before it has been written, and its answer read when the one before it has been read.
 */
class Lane {
  /** Uploads given to this lane and not yet answered. */
  inFlight = 0
  /** Its connection failed or could not be opened: no more uploads join it. */
  broken = false
  /** Settles when the last upload given to the lane has been written (or skipped). */
  private written: Promise<unknown>
  /** Settles when the last upload given to the lane has been answered (or skipped). */
  private answered: Promise<unknown>

  constructor(
    /** The connection, once open (a lane is used while it connects). */
    readonly connection: Promise<Connection>,
    /** Gives back the lane's transfer slot. */
    readonly releaseSlot: () => void,
  ) {
    this.written = connection
    this.answered = connection
    connection.catch(() => (this.broken = true))
  }

  /**
   * Queues one exchange: `data` (a command line, and a put_f's bytes) goes out in its turn, unless
   * `signal` was aborted before then; its answer is read in its turn.
   */
  exchange(data: Buffer, signal?: AbortSignal): Promise<RawResponse> {
    const sent = this.written.then(async () => {
      if (signal?.aborted) throw new TransportError('cancelled', 'cancelled')
      await (await this.connection).write(data)
    })
    this.written = sent.catch(() => undefined)
    const answer = this.answered.then(async () => {
      // Nothing was sent for a cancelled upload, so nothing is to be read for it.
      await sent
      const lines: string[] = []
      const status = await (await this.connection).readResponse((text) => lines.push(text))
      return { lines, status }
    })
    this.answered = answer.catch((err: unknown) => {
      if (!(err instanceof TransportError && err.reason === 'cancelled')) this.broken = true
    })
    return answer
  }
}

/**
 * Small uploads share lanes: each lane is a pooled transfer connection holding one of the client's
 * transfer slots, with up to PUT_DEPTH uploads in flight. A lane is opened whenever a slot is free,
 * and given back once it has nothing in flight.
 */
export class PutLanes {
  private lanes: Lane[] = []
  /** Uploads waiting for room in a lane. */
  private waiting: (() => void)[] = []

  constructor(
    private readonly slots: Semaphore,
    private readonly pool: ConnectionPool,
  ) {}

  /** Uploads a small file with `put_f`; `onCommand` is told the command line once it is queued. */
  async upload(options: UploadOptions, onCommand: (line: string) => void): Promise<TransferResult> {
    const { bucket, name, source, signal } = options
    const lane = await this.take(signal)
    try {
      const { bytes, sha256 } = await readWhole(source, signal)
      const size = bytes.length
      const send = (line: string, data: Buffer[] = []): Promise<RawResponse> => {
        const answer = lane.exchange(Buffer.concat([Buffer.from(`${line}\n`), ...data]), signal)
        onCommand(line)
        return answer
      }
      // Skip identical, as upload() does; other uploads on the lane go on meanwhile. A small
      // file's held bytes are not worth continuing from: it is sent whole.
      if (options.resume !== false && source.repeatable === true) {
        const known = await send(formatCommand('resume_f', [bucket, name, size]))
        if (known.status.ok && known.lines.map(parseSame).includes(sha256))
          return { response: known, size, sha256, alreadyThere: true }
      }
      const { lines, status } = await send(formatCommand('put_f', [bucket, name, size]), [bytes])
      if (!status.ok) throw new ProtocolError(status.code, status.detail)
      if (lines.map(parseDigest).find((d) => d !== undefined) !== sha256) {
        ;(await lane.connection).destroy()
        throw new TransportError('integrity', 'the content arrived damaged (sha256 mismatch)')
      }
      // Sent in one write: progress is its start and its end, once the server took it (a
      // refusal shows no transfer at all).
      const meter = new ProgressMeter(size, options.onProgress)
      meter.add(size)
      meter.stop(true)
      return { response: { lines, status }, size, sha256 }
    } finally {
      this.done(lane)
    }
  }

  /** A new lane when a slot is free, else the least busy lane with room, else the first to have room. */
  private async take(signal?: AbortSignal): Promise<Lane> {
    for (;;) {
      if (signal?.aborted) throw new TransportError('cancelled', 'cancelled')
      // A free slot opens another lane: the server stores the files of several connections at
      // once (each runs its commands one at a time).
      const slot =
        this.slots.tryAcquire() ??
        (this.lanes.length === 0 ? await this.slots.acquire(signal) : undefined)
      let lane: Lane | undefined
      if (slot) {
        lane = new Lane(this.pool.acquire(), slot)
        this.lanes.push(lane)
      } else
        lane = this.lanes
          .filter((l) => !l.broken && l.inFlight < PUT_DEPTH)
          .reduce<Lane | undefined>((a, b) => (a && a.inFlight <= b.inFlight ? a : b), undefined)
      if (lane) {
        lane.inFlight++
        return lane
      }
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', cancel)
          resolve()
        }
        const cancel = (): void => {
          this.waiting = this.waiting.filter((w) => w !== wake)
          reject(new TransportError('cancelled', 'cancelled'))
        }
        signal?.addEventListener('abort', cancel, { once: true })
        this.waiting.push(wake)
      })
    }
  }

  private done(lane: Lane): void {
    lane.inFlight--
    if (lane.inFlight === 0) {
      this.lanes = this.lanes.filter((l) => l !== lane)
      lane.releaseSlot()
      void lane.connection.then(
        (c) => this.pool.release(c),
        () => undefined,
      )
    }
    this.waiting.shift()?.()
  }
}

/** The whole content of a small source and its sha256; a source that fails sends nothing. */
async function readWhole(
  source: UploadSource,
  signal?: AbortSignal,
): Promise<{ bytes: Buffer; sha256: string }> {
  const { size, stream } = await source.open(signal)
  const parts: Buffer[] = []
  let read = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk)
      read += chunk.length
      if (read >= size) break
    }
  } catch (err) {
    throw err instanceof LocalFileError || err instanceof TransportError
      ? err
      : localError(err, `reading "${source.label}" failed`)
  } finally {
    stream.destroy()
  }
  if (read < size) throw new LocalFileError('the file shrank while it was being sent')
  const bytes = Buffer.concat(parts, read).subarray(0, size)
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') }
}
