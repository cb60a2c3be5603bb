import { createHash } from 'node:crypto'
import {
  formatCommand,
  parseMarker,
  parseResponseLine,
  ProtocolError,
} from '../../shared/protocol/index.js'
import type { Connection, RawResponse } from './connection.js'
import { localError, LocalFileError, type UploadSource } from './endpoints.js'
import { TransportError } from './errors.js'
import type { ConnectionPool } from './pool.js'
import { ProgressMeter } from './progress.js'
import type { Semaphore } from './semaphore.js'
import {
  checkDigest,
  resumeAnswer,
  type DownloadOptions,
  type TransferOptions,
  type TransferResult,
  type UploadOptions,
} from './transfers.js'

/**
 * Files up to this size move on lanes, held whole in memory: uploaded as `put_f` (protocol 2),
 * downloaded with `download` sent without waiting for the answers before it. Over a link with
 * latency the round trips, not the bytes, would set their pace.
 */
export const LANE_MAX_BYTES = 256 * 1024

/** Small transfers in flight on one connection: enough to keep it busy over a slow round trip. */
export const LANE_DEPTH = 16

/**
 * A small download whose answer announces more than this (the file grew since it was listed) is
 * not held in memory: its bytes are read past, and it is fetched again on a connection of its own.
 */
const LANE_DOWNLOAD_CAP_BYTES = 64 * LANE_MAX_BYTES

/**
 * One transfer connection carrying small transfers back to back: each is written when the one
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
   * `signal` was aborted before then; its answer is read in its turn by `read`, which returns a
   * refusal rather than throw it (a throw breaks the lane).
   */
  exchange<T>(
    data: Buffer,
    read: (connection: Connection) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const sent = this.written.then(async () => {
      if (signal?.aborted) throw new TransportError('cancelled', 'cancelled')
      await (await this.connection).write(data)
    })
    this.written = sent.catch(() => undefined)
    const answer = this.answered.then(async () => {
      // Nothing was sent for a cancelled transfer, so nothing is to be read for it.
      await sent
      return read(await this.connection)
    })
    this.answered = answer.catch((err: unknown) => {
      if (!(err instanceof TransportError && err.reason === 'cancelled')) this.broken = true
    })
    return answer
  }
}

/**
 * Small transfers share lanes: each lane is a pooled transfer connection holding one of the
 * client's transfer slots, with up to LANE_DEPTH transfers in flight. A lane is opened whenever a
 * slot is free, and given back once it has nothing in flight.
 */
export class Lanes {
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
      const send = sender(lane, signal, onCommand)
      // Skip identical, as upload() does; other uploads on the lane go on meanwhile. A small
      // file's held bytes are not worth continuing from: it is sent whole.
      if (options.resume !== false && source.repeatable === true) {
        const known = await send(formatCommand('resume_f', [bucket, name, size]), readResponse)
        if (resumeAnswer(known).same === sha256)
          return { response: known, size, sha256, alreadyThere: true }
      }
      const response = await send(formatCommand('put_f', [bucket, name, size]), readResponse, [
        bytes,
      ])
      if (!response.status.ok) throw new ProtocolError(response.status.code, response.status.detail)
      checkDigest(await lane.connection, response.lines, sha256)
      // Sent in one write: progress is its start and its end, once the server took it (a
      // refusal shows no transfer at all).
      movedAtOnce(size, options.onProgress)
      return { response, size, sha256 }
    } finally {
      this.done(lane)
    }
  }

  /**
   * Downloads a small file (its size known from a listing): its `download` goes out without
   * waiting for the answers before it on the lane, its bytes are held in memory, and the target
   * is written once their sha256 matched. The lane stays in step whatever happens to the target.
   * Undefined when the file grew too large for a lane since it was listed: nothing was written.
   */
  async download(
    options: DownloadOptions,
    onCommand: (line: string) => void,
  ): Promise<TransferResult | undefined> {
    const { bucket, name, target, signal } = options
    await target.check?.()
    const lane = await this.take(signal)
    try {
      const send = sender(lane, signal, onCommand)
      const holding = options.resume !== false && target.holding ? await target.holding(name) : {}
      if (holding.existing) {
        const { size } = holding.existing
        const known = await send(formatCommand('resume_f', [bucket, name, size]), readResponse)
        const { same } = resumeAnswer(known)
        if (same !== undefined && same === (await holding.existing.sha256())) {
          await target.discard()
          return { response: known, size, sha256: same, alreadyThere: true }
        }
      }
      const { bytes, ...response } = await send(
        formatCommand('download', [bucket, name]),
        readDownload,
      )
      if (signal?.aborted) throw new TransportError('cancelled', 'cancelled')
      if (!response.status.ok) throw new ProtocolError(response.status.code, response.status.detail)
      if (!bytes) {
        await target.discard()
        return undefined
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      checkDigest(await lane.connection, response.lines, sha256)
      await target.open({ name, size: bytes.length }, signal)
      await target.write(bytes, () => undefined)
      const written = await target.commit()
      // Read in one go: progress is its start and its end.
      movedAtOnce(bytes.length, options.onProgress)
      return { response, size: bytes.length, sha256, ...(written ? { path: written } : {}) }
    } catch (err) {
      await target.discard()
      throw err
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
          .filter((l) => !l.broken && l.inFlight < LANE_DEPTH)
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

/** Sends a command line (and the bytes that follow it) in its turn on `lane`; `read` takes its answer. */
function sender(lane: Lane, signal: AbortSignal | undefined, onCommand: (line: string) => void) {
  return <T>(
    line: string,
    read: (c: Connection) => Promise<T>,
    data: Buffer[] = [],
  ): Promise<T> => {
    const answer = lane.exchange(Buffer.concat([Buffer.from(`${line}\n`), ...data]), read, signal)
    onCommand(line)
    return answer
  }
}

/** A transfer moved in one go: its progress is its start and its end. */
function movedAtOnce(size: number, onProgress: TransferOptions['onProgress']): void {
  const meter = new ProgressMeter(size, onProgress)
  meter.add(size)
  meter.stop(true)
}

/** An answer of data lines and a status. */
async function readResponse(connection: Connection): Promise<RawResponse> {
  const lines: string[] = []
  const status = await connection.readResponse((text) => lines.push(text))
  return { lines, status }
}

/**
 * The answer to `download <bucket> <file>`: `size <n>`, the bytes, the digest and the status, or
 * a refusal (a status alone, with no bytes). A file too large for a lane is read past: no bytes.
 */
async function readDownload(
  connection: Connection,
): Promise<RawResponse & { bytes: Buffer | undefined }> {
  const line = await connection.readLine()
  const parsed = parseResponseLine(line)
  if (parsed.kind === 'status') return { lines: [], status: parsed.status, bytes: Buffer.alloc(0) }
  const size = parsed.kind === 'data' ? parseMarker(parsed.text, 'size') : undefined
  if (size === undefined) {
    connection.destroy()
    throw new TransportError(
      'protocol',
      `${connection.where}: expected "size <n>", got "${line.slice(0, 80)}"`,
    )
  }
  const bytes = size > LANE_DOWNLOAD_CAP_BYTES ? undefined : Buffer.allocUnsafe(size)
  let at = 0
  await connection.readBytes(size, (chunk, release) => {
    if (bytes) at += chunk.copy(bytes, at)
    release()
  })
  const lines = [parsed.text]
  const status = await connection.readResponse((text) => lines.push(text))
  return { lines, status, bytes }
}
