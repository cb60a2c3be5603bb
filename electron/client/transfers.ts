import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import {
  formatCommand,
  parseDigest,
  parseMarker,
  parseResponseLine,
  ProtocolError,
} from '../../shared/protocol/index.js'
import type { Connection, RawResponse } from './connection.js'
import { localError, LocalFileError, type DownloadTarget, type UploadSource } from './endpoints.js'
import { TransportError } from './errors.js'
import { ProgressMeter, type Progress } from './progress.js'

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
  /** fileSource(path) or streamSource(size, stream). */
  source: UploadSource
}

export interface DownloadOptions extends TransferOptions {
  bucket: string
  name: string
  /** fileTarget(path) or streamTarget(start). */
  target: DownloadTarget
}

/** One transfer, whichever way it goes: what the app queues and the console types. */
export type TransferSpec =
  | { direction: 'upload'; bucket: string; name: string; source: UploadSource }
  | { direction: 'download'; bucket: string; name: string; target: DownloadTarget }

/** A finished transfer: the whole response, the content's sha256, and where it went. */
export interface TransferResult {
  response: RawResponse
  size: number
  sha256: string
  /** For a download to a path: the file written. */
  path?: string
}

export async function upload(
  connection: Connection,
  options: UploadOptions,
): Promise<TransferResult> {
  const { bucket, name, source } = options
  const { size, stream } = await source.open(options.signal)
  const stopWatching = watchAbort(connection, options.signal, stream)
  let meter: ProgressMeter | undefined
  const lines: string[] = []
  try {
    const line = formatCommand('upload', [bucket, name, size])
    await connection.sendLine(line)
    options.onCommand?.(line)
    const first = await firstAnswer(connection, lines)
    if (parseMarker(first, 'ready') !== size)
      throw unexpected(connection, `expected "ready ${size}", got "${first}"`)
    // Progress starts once the server accepted: a refusal never shows a transfer at 0 %.
    meter = new ProgressMeter(size, options.onProgress)
    const sha256 = await send(connection, source, size, stream, meter)
    const status = await connection.readResponse((text) => lines.push(text))
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    checkDigest(connection, lines, sha256)
    meter.stop(true)
    return { response: { lines, status }, size, sha256 }
  } finally {
    meter?.stop(false)
    stopWatching()
    stream.destroy()
  }
}

/** Sends exactly `size` bytes of the source; returns their sha256. */
async function send(
  connection: Connection,
  source: UploadSource,
  size: number,
  stream: Readable,
  meter: ProgressMeter,
): Promise<string> {
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
      err instanceof LocalFileError ? err : localError(err, `reading "${source.label}" failed`),
    )
  }
  if (sent < size)
    throw cut(connection, new LocalFileError('the file shrank while it was being sent'))
  return hash.digest('hex')
}

export async function download(
  connection: Connection,
  options: DownloadOptions,
): Promise<TransferResult> {
  const { bucket, name, target } = options
  await target.check?.()
  const stopWatching = watchAbort(connection, options.signal)
  const lines: string[] = []
  let meter: ProgressMeter | undefined
  try {
    const line = formatCommand('download', [bucket, name])
    await connection.sendLine(line)
    options.onCommand?.(line)
    const first = await firstAnswer(connection, lines)
    const size = parseMarker(first, 'size')
    if (size === undefined) throw unexpected(connection, `expected "size <n>", got "${first}"`)
    await target.open({ name, size }, options.signal)
    const counter = (meter = new ProgressMeter(size, options.onProgress))
    const hash = createHash('sha256')
    await connection.readBytes(size, (chunk, release) => {
      hash.update(chunk)
      counter.add(chunk.length)
      return target.write(chunk, release)
    })
    const sha256 = hash.digest('hex')
    const status = await connection.readResponse((text) => lines.push(text))
    if (!status.ok) throw new ProtocolError(status.code, status.detail)
    checkDigest(connection, lines, sha256)
    const written = await target.commit()
    meter.stop(true)
    return { response: { lines, status }, size, sha256, ...(written ? { path: written } : {}) }
  } catch (err) {
    // The server is still sending: the connection is out of step.
    if (err instanceof LocalFileError) connection.destroy()
    await target.discard()
    throw err
  } finally {
    meter?.stop(false)
    stopWatching()
  }
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
