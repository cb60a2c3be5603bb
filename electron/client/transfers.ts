import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, type WriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import {
  formatCommand,
  parseDigest,
  parseMarker,
  parseResponseLine,
  ProtocolError,
} from '../../shared/protocol/index.js'
import type { Connection, RawResponse } from './connection.js'
import { TransportError } from './errors.js'
import { ProgressMeter, type Progress } from './progress.js'

/** Large reads and writes keep the network and the disk busy with few system calls. */
const BUFFER_BYTES = 1024 * 1024

export interface TransferOptions {
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
  /** Told the exact command line once it is sent (for a console transcript). */
  onCommand?: (line: string) => void
  /** Passed on to the client's `command` event. */
  origin?: string
}

export interface UploadOptions extends TransferOptions {
  bucket: string
  name: string
  /** A local file path, or bytes of a known size from elsewhere (e.g. an HTTP request body). */
  source: string | { size: number; stream: Readable }
}

export interface DownloadOptions extends TransferOptions {
  bucket: string
  name: string
  /**
   * A local path: a folder (the file keeps its name) or a file path. Bytes go to a temporary file
   * beside it that replaces it only once the sha256 matched. Or a stream, e.g. an HTTP response,
   * whose `size` is told before the first byte.
   */
  destination: string | { start(size: number): Writable }
}

/** A finished transfer: the whole response, the content's sha256, and where it went. */
export interface TransferResult {
  response: RawResponse
  size: number
  sha256: string
  /** For a download to a path: the file written. */
  path?: string
}

/** A local file problem, worded for a person; the connection is not at fault. */
export class LocalFileError extends Error {
  override readonly name = 'LocalFileError'
}

function localError(err: unknown, what: string): LocalFileError {
  const code = (err as NodeJS.ErrnoException).code
  const why =
    code === 'ENOENT'
      ? 'no such file or folder'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'ENOSPC'
            ? 'disk full'
            : (code ?? 'I/O error')
  return new LocalFileError(`${what}: ${why}`)
}

/**
 * Cancelling cuts the connection: the server then drops the partial upload, and nothing half
 * written stays at the destination of a download.
 */
function watchAbort(
  connection: Connection,
  signal: AbortSignal | undefined,
  source?: Readable,
): () => void {
  if (!signal) return () => undefined
  const abort = (): void => {
    const cancelled = new TransportError('cancelled', 'cancelled')
    connection.destroy(cancelled)
    // Wakes an upload waiting for its source.
    source?.destroy(cancelled)
  }
  if (signal.aborted) abort()
  signal.addEventListener('abort', abort, { once: true })
  return () => signal.removeEventListener('abort', abort)
}

export async function upload(
  connection: Connection,
  options: UploadOptions,
): Promise<TransferResult> {
  const { bucket, name, source } = options
  let size: number
  let stream: Readable
  if (typeof source === 'string') {
    const stats = await fs.stat(source).catch((err: unknown) => {
      throw localError(err, `cannot read "${source}"`)
    })
    if (!stats.isFile()) throw new LocalFileError(`cannot read "${source}": it is not a file`)
    size = stats.size
    stream = createReadStream(source, {
      highWaterMark: BUFFER_BYTES,
      ...(size > 0 ? { end: size - 1 } : {}),
    })
  } else {
    ;({ size, stream } = source)
  }
  const stopWatching = watchAbort(connection, options.signal, stream)
  const meter = new ProgressMeter(size, options.onProgress)
  const lines: string[] = []
  try {
    const line = formatCommand('upload', [bucket, name, size])
    await connection.sendLine(line)
    options.onCommand?.(line)
    const first = await firstAnswer(connection, lines)
    if (parseMarker(first, 'ready') !== size)
      throw unexpected(connection, `expected "ready ${size}", got "${first}"`)
    const hash = createHash('sha256')
    let sent = 0
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const part = sent + chunk.length > size ? chunk.subarray(0, size - sent) : chunk
        hash.update(part)
        sent += part.length
        await connection.write(part)
        meter.add(part.length)
        if (sent === size) break
      }
    } catch (err) {
      if (err instanceof TransportError) throw err
      throw cut(
        connection,
        localError(err, `reading "${typeof source === 'string' ? source : name}" failed`),
      )
    }
    if (sent < size)
      throw cut(connection, new LocalFileError('the file shrank while it was being sent'))
    const sha256 = hash.digest('hex')
    const status = await connection.readResponse((text) => lines.push(text))
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    checkDigest(connection, lines, sha256)
    meter.stop(true)
    return { response: { lines, status }, size, sha256 }
  } finally {
    meter.stop(false)
    stopWatching()
    stream.destroy()
  }
}

export async function download(
  connection: Connection,
  options: DownloadOptions,
): Promise<TransferResult> {
  const { bucket, name, destination } = options
  const target =
    typeof destination === 'string' ? await resolveTarget(destination, name) : undefined
  const stopWatching = watchAbort(connection, options.signal)
  const lines: string[] = []
  let meter: ProgressMeter | undefined
  let sink: Writable | undefined
  let temp: string | undefined
  try {
    const line = formatCommand('download', [bucket, name])
    await connection.sendLine(line)
    options.onCommand?.(line)
    const first = await firstAnswer(connection, lines)
    const size = parseMarker(first, 'size')
    if (size === undefined) throw unexpected(connection, `expected "size <n>", got "${first}"`)
    if (target) {
      temp = path.join(path.dirname(target), `.${randomBytes(6).toString('hex')}.bucketshare-part`)
      sink = await openTemp(temp)
    } else {
      sink = (destination as { start(size: number): Writable }).start(size)
    }
    meter = new ProgressMeter(size, options.onProgress)
    const hash = createHash('sha256')
    const out = sink
    const failed = new Promise<never>((_, reject) =>
      out.once('error', (err) => reject(localError(err, 'writing the download failed'))),
    )
    failed.catch(() => undefined)
    const counter = meter
    await Promise.race([
      failed,
      connection.readBytes(size, (chunk, release) => {
        hash.update(chunk)
        counter.add(chunk.length)
        // Our file stream is done with a chunk once its write callback runs; a stream of the
        // caller's might keep it longer, so it gets a copy.
        const writable = target ? out.write(chunk, release) : out.write(Buffer.from(chunk))
        if (!target) release()
        if (!writable)
          return Promise.race([failed, new Promise<void>((r) => out.once('drain', () => r()))])
      }),
    ])
    out.end()
    await Promise.race([failed, finished(out)])
    const sha256 = hash.digest('hex')
    const status = await connection.readResponse((text) => lines.push(text))
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    checkDigest(connection, lines, sha256)
    if (target && temp) {
      await fs.rename(temp, target).catch((err: unknown) => {
        throw localError(err, `cannot write "${target}"`)
      })
      temp = undefined
    }
    meter.stop(true)
    return { response: { lines, status }, size, sha256, ...(target ? { path: target } : {}) }
  } catch (err) {
    if (err instanceof LocalFileError) connection.destroy()
    sink?.destroy(err as Error)
    throw err
  } finally {
    meter?.stop(false)
    stopWatching()
    if (temp) await fs.rm(temp, { force: true }).catch(() => undefined)
  }
}

/** A folder keeps the file's name; anything else is the file path to write. */
async function resolveTarget(destination: string, name: string): Promise<string> {
  const stats = await fs.stat(destination).catch(() => undefined)
  if (stats?.isDirectory()) return path.join(destination, name)
  const parent = await fs.stat(path.dirname(destination)).catch(() => undefined)
  if (!parent?.isDirectory())
    throw new LocalFileError(`cannot write "${destination}": no such folder`)
  return destination
}

async function openTemp(temp: string): Promise<WriteStream> {
  const handle = await fs.open(temp, 'wx').catch((err: unknown) => {
    throw localError(err, `cannot write in "${path.dirname(temp)}"`)
  })
  // No fsync: a download is only renamed into place once whole and verified, and a copy can be
  // fetched again; syncing would halve the speed for little.
  return handle.createWriteStream({ highWaterMark: BUFFER_BYTES })
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

function checkDigest(connection: Connection, lines: string[], sha256: string): void {
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
