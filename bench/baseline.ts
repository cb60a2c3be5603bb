import { createReadStream, createWriteStream } from 'node:fs'
import net from 'node:net'

/**
 * The yardstick: a minimal Node socket pipe between files, with 1 MiB stream buffers (the best
 * setting measured on these machines; Node's defaults move about half as much).
 */
const BUFFER = 1024 * 1024

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      port,
      host: '127.0.0.1',
      highWaterMark: BUFFER,
    } as net.NetConnectOpts)
    socket.once('connect', () => resolve(socket)).once('error', reject)
  })
}

/**
 * File → socket → the server's file; resolves when the server has closed its file (with `fsync`,
 * once the file is flushed to disk).
 */
export async function baselineUpload(
  port: number,
  file: string,
  name: string,
  fsync = false,
): Promise<void> {
  const socket = await connect(port)
  socket.write(`${fsync ? 'upsync' : 'up'} ${name}\n`)
  const done = new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve())
    socket.once('error', reject)
  })
  createReadStream(file, { highWaterMark: BUFFER }).pipe(socket)
  await done
  socket.destroy()
}

/** The server's file → socket → a local file; resolves when the local file is closed. */
export async function baselineDownload(port: number, name: string, file: string): Promise<void> {
  const socket = await connect(port)
  socket.write(`down ${name}\n`)
  const out = createWriteStream(file, { highWaterMark: BUFFER })
  socket.pipe(out)
  await new Promise<void>((resolve, reject) => out.once('close', resolve).once('error', reject))
}
