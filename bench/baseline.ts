import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import net from 'node:net'
import tls from 'node:tls'
import type { Readable } from 'node:stream'
import { IntegrityError } from './context.js'

/**
 * The yardstick: a minimal Node socket pipe between files, with 1 MiB stream buffers (the best
 * setting measured on these machines; Node's defaults move about half as much).
 */
const BUFFER = 1024 * 1024

/**
 * What the pipe does besides moving bytes. `plain` is the yardstick. `equivalent` adds the
 * work the bucket protocol requires of every transfer, so that ours can be compared like for like:
 * SHA-256 of the bytes on both ends, and for uploads a flush to disk before the server answers
 * (`700 FUTBS` promises the file is on disk).
 */
export type BaselineKind = 'plain' | 'equivalent'

/** The pipe over plain TCP, or over TLS 1.3 (`encrypted`: the bench's self-signed certificate). */
function connect(port: number, encrypted: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const options = { port, host: '127.0.0.1', highWaterMark: BUFFER }
    const socket = encrypted
      ? tls.connect({ ...options, rejectUnauthorized: false, minVersion: 'TLSv1.3' })
      : net.connect(options as net.NetConnectOpts)
    socket.once(encrypted ? 'secureConnect' : 'connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Hashes what flows through `stream`, beside the pipe that consumes it. */
function tap(stream: Readable, kind: BaselineKind): Hash | undefined {
  if (kind === 'plain') return undefined
  const hash = createHash('sha256')
  stream.on('data', (chunk: Buffer) => hash.update(chunk))
  return hash
}

/**
 * File → socket → the server's file; resolves once the server has closed its file (flushed to
 * disk, for `equivalent`) and answered.
 */
export async function baselineUpload(
  port: number,
  file: string,
  name: string,
  kind: BaselineKind,
  encrypted = false,
): Promise<void> {
  const socket = await connect(port, encrypted)
  socket.write(`up ${name} ${kind}\n`)
  const answer = new Promise<string>((resolve, reject) => {
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
    socket.once('end', () => resolve(text.trim()))
    socket.once('error', reject)
  })
  const source = createReadStream(file, { highWaterMark: BUFFER })
  const hash = tap(source, kind)
  source.pipe(socket)
  const text = await answer
  socket.destroy()
  if (hash && text !== `ok ${hash.digest('hex')}`)
    throw new IntegrityError(`baseline upload: the server answered "${text}"`)
}

/** The server's file → socket → a local file; resolves when the local file is closed. */
export async function baselineDownload(
  port: number,
  name: string,
  file: string,
  kind: BaselineKind,
  encrypted = false,
): Promise<void> {
  const socket = await connect(port, encrypted)
  socket.write(`down ${name} ${kind}\n`)
  const out = createWriteStream(file, { highWaterMark: BUFFER })
  tap(socket, kind)
  socket.pipe(out)
  await new Promise<void>((resolve, reject) => out.once('close', resolve).once('error', reject))
}
