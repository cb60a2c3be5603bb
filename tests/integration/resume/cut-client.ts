/**
 * A client process for the fault-injection tests: `cut-client.ts <upload|download> <port> <bucket>
 * <name> <local file> <kill at byte>`. Uploads or downloads through the client library (resume on,
 * as by default) and SIGKILLs its own process once the transfer reaches that byte of the file, the
 * way a crash or a power cut ends a client. Every command line it sends is written at once
 * (`sent: <line>`), so the kill loses none.
 */
import { writeSync } from 'node:fs'
import { BucketClient } from '../../../electron/client/index.js'
import { sourceReaching, targetReaching } from './faults.js'

const [direction, port, bucket, name, local, killAtText] = process.argv.slice(2) as [
  'upload' | 'download',
  string,
  string,
  string,
  string,
  string,
]
const killAt = Number(killAtText)
const die = (): Promise<void> => {
  process.kill(process.pid, 'SIGKILL')
  return new Promise(() => undefined)
}

const client = await BucketClient.connect({ host: '127.0.0.1', port: Number(port) })
const onCommand = (line: string): void => void writeSync(1, `sent: ${line}\n`)
const result =
  direction === 'upload'
    ? await client.upload({ bucket, name, source: sourceReaching(local, killAt, die), onCommand })
    : await client.download({ bucket, name, target: targetReaching(local, killAt, die), onCommand })
writeSync(1, `done: ${JSON.stringify({ sha256: result.sha256, resumedAt: result.resumedAt })}\n`)
client.close()
