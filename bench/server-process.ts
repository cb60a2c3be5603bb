/**
 * The bench's server side, in a process of its own so its memory can be measured alone: our bucket
 * server (`bucket`), or the baseline, a minimal socket pipe to and from files with 1 MiB buffers
 * (`baseline`). Prints `{"port":…}` once listening; answers `peak` messages with its peak RSS.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { loadOrCreateIdentity, startServer } from '../electron/server/index.js'

const [mode, root, tlsDir] = process.argv.slice(2) as [
  'bucket' | 'baseline',
  string,
  string | undefined,
]
const BUFFER = 1024 * 1024

let peak = process.memoryUsage.rss()
setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10).unref()
process.on('message', (message) => {
  if (message === 'peak') process.send!({ peak: Math.max(peak, process.memoryUsage.rss()) })
  if (message === 'reset') peak = process.memoryUsage.rss()
})

async function bucketServer(): Promise<number> {
  const server = await startServer({
    root,
    port: 0,
    host: '127.0.0.1',
    maxConnectionsPerAddress: 1000,
    maxConnections: 1000,
    ...(tlsDir ? { tls: await loadOrCreateIdentity(tlsDir) } : {}),
  })
  return server.port
}

/**
 * Baseline: `up <name>\n` (or `upsync <name>\n`) + bytes → file, answered `ok\n`;
 * `down <name>\n` → the file's bytes.
 */
async function baselineServer(): Promise<number> {
  const baseline = net.createServer(
    { allowHalfOpen: true, highWaterMark: BUFFER } as net.ServerOpts,
    (socket) => {
      // The client hangs up once it has its answer; a reset then is no failure.
      socket.on('error', () => socket.destroy())
      socket.once('readable', () => {
        let header = ''
        for (
          let byte = socket.read(1) as Buffer | null;
          byte && byte[0] !== 0x0a;
          byte = socket.read(1) as Buffer | null
        )
          header += byte.toString()
        const [verb, name] = header.split(' ') as [string, string]
        const file = path.join(root, 'baseline', name)
        if (verb === 'up' || verb === 'upsync') {
          // `upsync` flushes to disk before answering, as our server does before 700 FUTBS.
          const out = createWriteStream(file, { highWaterMark: BUFFER, flush: verb === 'upsync' })
          socket.pipe(out)
          out.on('close', () => socket.end('ok\n'))
        } else {
          createReadStream(file, { highWaterMark: BUFFER }).pipe(socket)
        }
      })
    },
  )
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r))
  return (baseline.address() as net.AddressInfo).port
}

// One kind of server per process, so that each one's memory is its own.
const port = mode === 'bucket' ? await bucketServer() : await baselineServer()
process.stdout.write(`${JSON.stringify({ port })}\n`)
