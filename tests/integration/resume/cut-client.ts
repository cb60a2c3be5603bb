/**
 * A client process for the fault-injection tests: `cut-client.ts <upload|download> <port> <bucket>
 * <name> <local file> <kill at byte>`. Uploads or downloads through the client library (resume on,
 * as by default) and SIGKILLs its own process once the transfer reaches that byte of the file, the
 * way a crash or a power cut ends a client. Every command line it sends is written at once
 * (`sent: <line>`), so the kill loses none.
 */
import { writeSync } from 'node:fs'
import { Transform } from 'node:stream'
import {
  BucketClient,
  fileSource,
  fileTarget,
  type DownloadTarget,
  type UploadSource,
} from '../../../electron/client/index.js'

const [direction, port, bucket, name, local, killAtText] = process.argv.slice(2) as [
  'upload' | 'download',
  string,
  string,
  string,
  string,
  string,
]
const killAt = Number(killAtText)
const die = (): never => {
  process.kill(process.pid, 'SIGKILL')
  throw new Error('unreachable')
}

/** The local file, read through a counter that dies at `killAt` (a read runs ahead of the send). */
function dyingSource(): UploadSource {
  const inner = fileSource(local)
  return {
    ...inner,
    async open(signal) {
      const { size, stream } = await inner.open(signal)
      let position = 0
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          position += chunk.length
          if (position >= killAt) die()
          done(null, chunk)
        },
      })
      return { size, stream: stream.pipe(counter) }
    },
  }
}

/** The local destination, dying before it writes the chunk that reaches `killAt`. */
function dyingTarget(): DownloadTarget {
  const inner = fileTarget(local)
  let position = 0
  return {
    ...inner,
    open(file, signal) {
      position = file.from ?? 0
      return inner.open(file, signal)
    },
    write(chunk, release) {
      if (position + chunk.length >= killAt) die()
      position += chunk.length
      return inner.write(chunk, release)
    },
  }
}

const client = await BucketClient.connect({ host: '127.0.0.1', port: Number(port) })
const onCommand = (line: string): void => void writeSync(1, `sent: ${line}\n`)
const result =
  direction === 'upload'
    ? await client.upload({ bucket, name, source: dyingSource(), onCommand })
    : await client.download({ bucket, name, target: dyingTarget(), onCommand })
writeSync(1, `done: ${JSON.stringify({ sha256: result.sha256, resumedAt: result.resumedAt })}\n`)
client.close()
