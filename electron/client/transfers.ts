import { createHash, type Hash } from 'node:crypto'
import type { Readable } from 'node:stream'
import {
  formatCommand,
  parseDigest,
  parseHeld,
  parseMarker,
  parseResponseLine,
  parseSame,
  parseVersion,
  ProtocolError,
} from '../../shared/protocol/index.js'
import type { Connection, RawResponse } from './connection.js'
import {
  localError,
  LocalFileError,
  type DownloadTarget,
  type Holding,
  type UploadSource,
} from './endpoints.js'
import { downloadHash, type DownloadHash } from './download-hash.js'
import { TransportError } from './errors.js'
import { giveBack } from './file-blocks.js'
import { ProgressMeter, type Progress } from './progress.js'

export interface TransferOptions {
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
  /** Told the exact command line once it is sent (for a console transcript). */
  onCommand?: (line: string) => void
  /** Passed on to the client's `command` event. */
  origin?: string
  /**
   * Continue what a cut transfer left (the server's kept bytes of an upload, the target's of a
   * download) and finish at once when the file is there already. On by default.
   */
  resume?: boolean
  /**
   * A cancelled download keeps its bytes to be continued (a pause); by default a cancel leaves
   * nothing behind. A download cut any other way keeps them whenever `resume` is on. A function is
   * asked once the download was cancelled (the app's queue knows only then whether it paused).
   */
  keepPartial?: boolean | (() => boolean)
}

export interface UploadOptions extends TransferOptions {
  bucket: string
  name: string
  /** fileSource(path) or streamSource(size, stream). */
  source: UploadSource
}

export interface DownloadOptions extends TransferOptions {
  bucket: string
  name: string
  /** fileTarget(path) or streamTarget(start). */
  target: DownloadTarget
  /**
   * The file's size as a listing gave it, when known: a small file then shares a connection with
   * others, several in flight (pipeline.ts).
   */
  size?: number
}

/** One transfer, whichever way it goes: what the app queues and the console types. */
export type TransferSpec =
  | { direction: 'upload'; bucket: string; name: string; source: UploadSource }
  | { direction: 'download'; bucket: string; name: string; target: DownloadTarget; size?: number }

/** A finished transfer: the whole response, the content's sha256, and where it went. */
export interface TransferResult {
  response: RawResponse
  size: number
  sha256: string
  /** For a download to a path: the file written. */
  path?: string
  /** The byte a cut transfer was continued from: the bytes before it did not move again. */
  resumedAt?: number
  /**
   * The other side had this very file already (same size and sha256): nothing moved. `response` is
   * then resume_f's.
   */
  alreadyThere?: true
}

/** The sha256 of no bytes: what `resume_f` reports when it keeps nothing. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export async function upload(
  connection: Connection,
  options: UploadOptions,
): Promise<TransferResult> {
  const { bucket, name, source, signal } = options
  const resume = options.resume !== false && source.repeatable === true
  let { size, stream } = await source.open(signal)
  // Cancelled while the source opened: nobody reads the stream yet to hear its error.
  if (signal?.aborted) {
    stream.destroy()
    throw new TransportError('cancelled', 'cancelled')
  }
  let reader = new ChunkReader(stream)
  const stopWatching = watchAbort(connection, signal, () => stream)
  let meter: ProgressMeter | undefined
  const lines: string[] = []
  /** Reads the source again from its first byte. */
  const reopen = async (): Promise<void> => {
    stream.destroy()
    ;({ size, stream } = await source.open(signal))
    reader = new ChunkReader(stream)
  }
  try {
    let hash = createHash('sha256')
    let held = { bytes: 0, sha256: EMPTY_SHA256 }
    if (resume) {
      const known = await askResume(connection, options, size)
      if (known.same !== undefined) {
        const whole = await readOf(connection, source, reader, size, createHash('sha256'))
        if (whole === known.same)
          return { response: known.response, size, sha256: whole, alreadyThere: true }
        await reopen()
      }
      if (known.held && known.held.bytes > 0 && known.held.bytes <= size) {
        // The server's bytes must be this file's first bytes, or the whole would be mixed.
        const prefix = await readOf(connection, source, reader, known.held.bytes, hash)
        if (prefix === known.held.sha256) held = known.held
        else {
          await reopen()
          hash = createHash('sha256')
        }
      }
    }
    let first: string
    for (;;) {
      const line = formatCommand(
        'upload',
        held.bytes > 0 ? [bucket, name, size, held.bytes, held.sha256] : [bucket, name, size],
      )
      await connection.sendLine(line)
      options.onCommand?.(line)
      try {
        first = await firstAnswer(connection, lines)
        break
      } catch (err) {
        // The server no longer holds those bytes (or another upload is continuing them): from 0.
        if (!(held.bytes > 0 && err instanceof ProtocolError && err.code === 1550)) throw err
        held = { bytes: 0, sha256: EMPTY_SHA256 }
        await reopen()
        hash = createHash('sha256')
      }
    }
    const from = held.bytes
    if (parseMarker(first, 'ready') !== size - from)
      throw unexpected(connection, `expected "ready ${size - from}", got "${first}"`)
    // Progress starts once the server accepted: a refusal never shows a transfer at 0 %.
    meter = new ProgressMeter(size, options.onProgress, from)
    const sha256 = await send(connection, source, size - from, reader, meter, hash)
    const status = await connection.readResponse((text) => lines.push(text))
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    checkDigest(connection, lines, sha256)
    meter.stop(true)
    return { response: { lines, status }, size, sha256, ...(from > 0 ? { resumedAt: from } : {}) }
  } finally {
    meter?.stop(false)
    stopWatching()
    stream.destroy()
  }
}

/** What the server holds of this upload's file (`resume_f`); nothing when it would not say. */
async function askResume(
  connection: Connection,
  options: { bucket: string; name: string; onCommand?: (line: string) => void },
  size: number,
): Promise<{ held?: { bytes: number; sha256: string }; same?: string; response: RawResponse }> {
  const line = formatCommand('resume_f', [options.bucket, options.name, size])
  await connection.sendLine(line)
  options.onCommand?.(line)
  const lines: string[] = []
  const status = await connection.readResponse((text) => lines.push(text))
  return resumeAnswer({ lines, status })
}

/** What `resume_f` answered: the bytes the other side holds, and the digest of its same-size file. */
export function resumeAnswer(response: RawResponse): {
  held?: { bytes: number; sha256: string }
  same?: string
  response: RawResponse
} {
  // Refused (a server without resume, a code that may not ask): the transfer itself will tell.
  if (!response.status.ok) return { response }
  const held = response.lines.map(parseHeld).find((h) => h !== undefined)
  const same = response.lines.map(parseSame).find((d) => d !== undefined)
  return { response, ...(held ? { held } : {}), ...(same ? { same } : {}) }
}

/** The server has no file of that name (950 FDF no such file). */
export function noSuchFile(err: unknown): boolean {
  return err instanceof ProtocolError && err.code === 950 && err.detail === 'no such file'
}

/** Sends the next `count` bytes of the source; returns the sha256 of everything hashed. */
async function send(
  connection: Connection,
  source: UploadSource,
  count: number,
  reader: ChunkReader,
  meter: ProgressMeter,
  hash: Hash,
): Promise<string> {
  await pull(connection, source, reader, count, async (part) => {
    hash.update(part)
    // A file's chunk is lent (file-blocks.ts): its memory is reused once the socket has taken it.
    await connection.write(part, () => giveBack(part))
    meter.add(part.length)
  })
  return hash.digest('hex')
}

/** Reads the next `count` bytes of the source into `hash`; returns the digest so far. */
async function readOf(
  connection: Connection,
  source: UploadSource,
  reader: ChunkReader,
  count: number,
  hash: Hash,
): Promise<string> {
  await pull(connection, source, reader, count, (part) => {
    hash.update(part)
    giveBack(part)
  })
  return hash.copy().digest('hex')
}

/** Takes exactly `count` bytes from the source, a local problem worded as one. */
async function pull(
  connection: Connection,
  source: UploadSource,
  reader: ChunkReader,
  count: number,
  take: (part: Buffer) => void | Promise<void>,
): Promise<void> {
  let got = 0
  try {
    got = await reader.take(count, take)
  } catch (err) {
    if (err instanceof TransportError) throw err
    throw cut(
      connection,
      err instanceof LocalFileError ? err : localError(err, `reading "${source.label}" failed`),
    )
  }
  if (got < count)
    throw cut(connection, new LocalFileError('the file shrank while it was being sent'))
}

/**
 * A source stream read in parts: the first bytes checked against the server's, the rest sent, in
 * one pass (a chunk that straddles the two is split).
 */
class ChunkReader {
  private readonly chunks: AsyncIterator<Buffer>
  private rest: Buffer | undefined

  constructor(stream: Readable) {
    this.chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  /** Passes up to `count` bytes to `take`; returns how many there were. */
  async take(count: number, take: (part: Buffer) => void | Promise<void>): Promise<number> {
    let got = 0
    while (got < count) {
      let chunk = this.rest
      this.rest = undefined
      if (!chunk) {
        const next = await this.chunks.next()
        if (next.done) break
        chunk = next.value
      }
      if (got + chunk.length > count) {
        // A copy: the chunk's memory may be given back once its first part is taken.
        this.rest = Buffer.from(chunk.subarray(count - got))
        chunk = chunk.subarray(0, count - got)
      }
      got += chunk.length
      await take(chunk)
    }
    return got
  }
}

export async function download(
  connection: Connection,
  options: DownloadOptions,
): Promise<TransferResult> {
  const { bucket, name, target, signal } = options
  const resume = options.resume !== false && target.holding !== undefined
  await target.check?.()
  const stopWatching = watchAbort(connection, signal)
  const lines: string[] = []
  let meter: ProgressMeter | undefined
  let hashing: DownloadHash | undefined
  /** Set once the target writes a download that may be continued if cut. */
  let resumable = false
  /** Bytes an earlier, cut download of this very file kept, to continue from. */
  let partial: Holding['partial']
  try {
    const holding = resume ? await target.holding!(name) : {}
    if (holding.existing) {
      const { size } = holding.existing
      const known = await askResume(connection, options, size)
      if (known.same !== undefined && known.same === (await holding.existing.sha256())) {
        await target.discard()
        return { response: known.response, size, sha256: known.same, alreadyThere: true }
      }
    }
    // The same server (by certificate when it has one), bucket and file.
    const source = `${connection.fingerprint ?? connection.where} ${bucket} ${name}`
    partial = holding.partial?.identity.source === source ? holding.partial : undefined
    const ask = async (args: (string | number)[]): Promise<string> => {
      const line = formatCommand('download', [bucket, name, ...args])
      await connection.sendLine(line)
      options.onCommand?.(line)
      return firstAnswer(connection, lines)
    }
    let version: string | undefined
    if (resume) {
      let first: string
      try {
        first = await ask(partial ? [partial.bytes, partial.identity.version] : [0])
      } catch (err) {
        // Another version of the file, or shorter than what is kept: never a mixed file.
        if (!(partial && err instanceof ProtocolError && err.code === 1550)) throw err
        partial = undefined
        lines.length = 0
        first = await ask([0])
      }
      version = parseVersion(first)
      if (version === undefined)
        throw unexpected(connection, `expected "version <word>", got "${first}"`)
    }
    const from = partial?.bytes ?? 0
    const first = resume ? await firstAnswer(connection, lines) : await ask([])
    const rest = parseMarker(first, 'size')
    if (rest === undefined) throw unexpected(connection, `expected "size <n>", got "${first}"`)
    const size = from + rest
    const identity = version === undefined ? undefined : { source, version, size }
    await target.open({ name, size, ...(identity ? { identity, from } : {}) }, signal)
    resumable = identity !== undefined
    const hash = (hashing = downloadHash(size))
    if (from > 0) for await (const chunk of target.kept!()) await hash.update(chunk, nothing)
    const counter = (meter = new ProgressMeter(size, options.onProgress, from))
    await connection.readBytes(rest, (chunk, release) => {
      counter.add(chunk.length)
      // The chunk's memory is used again once both the hash and the file are done with it.
      const done = afterTwo(release)
      const hashed = hash.update(chunk, done)
      const written = target.write(chunk, done)
      return hashed || written ? Promise.all([hashed, written]).then(nothing) : undefined
    })
    const sha256 = await hash.digest()
    const status = await connection.readResponse((text) => lines.push(text))
    // A cancel wins even when every byte had arrived already (read from memory after the cut).
    if (signal?.aborted) throw new TransportError('cancelled', 'cancelled')
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    resumable = false // a mismatch starts over: the kept bytes may be the damaged ones
    checkDigest(connection, lines, sha256)
    const written = await target.commit()
    meter.stop(true)
    return {
      response: { lines, status },
      size,
      sha256,
      ...(written ? { path: written } : {}),
      ...(from > 0 ? { resumedAt: from } : {}),
    }
  } catch (err) {
    // The server is still sending: the connection is out of step.
    if (err instanceof LocalFileError) connection.destroy()
    // The server no longer has the file the kept bytes are of: they can never be continued.
    if (partial && noSuchFile(err)) await target.forget?.()
    const keepCancelled =
      typeof options.keepPartial === 'function' ? options.keepPartial() : options.keepPartial
    await target.discard(resumable && keeps(err, keepCancelled === true))
    throw err
  } finally {
    meter?.stop(false)
    hashing?.drop()
    stopWatching()
  }
}

/** Whether a download failed this way is worth continuing later from the bytes it got. */
function keeps(err: unknown, keepCancelled: boolean): boolean {
  if (!(err instanceof TransportError)) return false
  return err.reason === 'cancelled' ? keepCancelled : err.reason !== 'integrity'
}

/**
 * Cancelling cuts the connection: the server keeps what it received of an upload (it cannot tell a
 * cancel from a cut), and a download leaves nothing at its destination unless asked to keep it.
 */
function watchAbort(
  connection: Connection,
  signal: AbortSignal | undefined,
  source?: () => Readable,
): () => void {
  if (!signal) return () => undefined
  const abort = (): void => {
    const cancelled = new TransportError('cancelled', 'cancelled')
    connection.destroy(cancelled)
    // Wakes an upload waiting for its source.
    source?.().destroy(cancelled)
  }
  if (signal.aborted) abort()
  signal.addEventListener('abort', abort, { once: true })
  return () => signal.removeEventListener('abort', abort)
}

/** The first answer to a transfer command: its marker line, or a refusal thrown as ProtocolError. */
async function firstAnswer(connection: Connection, lines: string[]): Promise<string> {
  const line = await connection.readLine()
  const parsed = parseResponseLine(line)
  if (parsed.kind === 'status') throw new ProtocolError(parsed.status.code, parsed.status.detail)
  if (parsed.kind === 'garbage')
    throw unexpected(connection, `unexpected answer "${line.slice(0, 80)}"`)
  lines.push(parsed.text)
  return parsed.text
}

/** The digest the server reported is `sha256`, or the content was damaged: the connection is cut. */
export function checkDigest(connection: Connection, lines: string[], sha256: string): void {
  const reported = lines.map(parseDigest).find((d) => d !== undefined)
  if (reported !== sha256)
    throw cut(
      connection,
      new TransportError('integrity', 'the content arrived damaged (sha256 mismatch)'),
    )
}

function unexpected(connection: Connection, what: string): TransportError {
  return cut(connection, new TransportError('protocol', `${connection.where}: ${what}`))
}

/** The connection cannot be trusted to be in step any more. */
function cut<E extends Error>(connection: Connection, err: E): E {
  connection.destroy()
  return err
}

const nothing = (): void => undefined

/** Runs `then` on its second call. */
function afterTwo(then: () => void): () => void {
  let calls = 0
  return () => {
    if (++calls === 2) then()
  }
}
