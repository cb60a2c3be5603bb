/**
 * The bench's server side, in a process of its own so its memory can be measured alone: our bucket
 * server (`bucket`), the baseline, a minimal socket pipe to and from files with 1 MiB buffers
 * (`baseline`), or ftp-srv, the Node FTP server (`ftp`, anonymous, rooted in the folder). Prints `{"port":…}` once listening; answers `peak` messages with its peak RSS since the last `reset`.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import tls from 'node:tls'
import path from 'node:path'
import { FtpSrv } from 'ftp-srv'
import { loadOrCreateIdentity, startServer } from '../electron/server/index.js'

const [mode, root, tlsDir] = process.argv.slice(2) as [
  'bucket' | 'baseline' | 'ftp',
  string,
  string | undefined,
]
const BUFFER = 1024 * 1024

/**
 * Peak RSS. On Linux the kernel keeps it (VmHWM) and resets it on request (clear_refs 5), so no
 * spike between two samples is missed; elsewhere, sampling every 10 ms.
 */
const procStatus = '/proc/self/status'
const kernelPeak = (): number | undefined => {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(procStatus, 'utf8'))?.[1]
    return kib === undefined ? undefined : Number(kib) * 1024
  } catch {
    return undefined
  }
}
const resetKernelPeak = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}
const useKernel = kernelPeak() !== undefined && resetKernelPeak()
let sampled = process.memoryUsage.rss()
if (!useKernel)
  setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 10).unref()
process.on('message', (message) => {
  if (message === 'peak')
    process.send!({
      peak: useKernel ? kernelPeak() : Math.max(sampled, process.memoryUsage.rss()),
    })
  if (message === 'reset') {
    if (useKernel) resetKernelPeak()
    else sampled = process.memoryUsage.rss()
    process.send!({ reset: true })
  }
})
// A CPU profile (--cpu-prof) is written on exit, which a plain SIGTERM would skip.
process.on('SIGTERM', () => process.exit(0))

async function bucketServer(): Promise<number> {
  const server = await startServer({
    root,
    port: 0,
    host: '127.0.0.1',
    maxConnectionsPerAddress: 1000,
    maxConnections: 1000,
    ...(tlsDir ? { tls: await loadOrCreateIdentity(tlsDir) } : {}),
    // An s3:// root (the s3 scenario) names its store here; credentials come from the environment.
    ...(process.env.BENCH_S3_ENDPOINT
      ? { s3: { endpoint: process.env.BENCH_S3_ENDPOINT, pathStyle: true } }
      : {}),
  })
  return server.port
}

/**
 * Baseline: `up <name> <kind>\n` + bytes → file, answered `ok\n` once the file is closed;
 * `down <name> <kind>\n` → the file's bytes. With kind `equivalent`, the bytes are hashed (SHA-256;
 * an upload's answer is `ok <hex>`) and an upload is flushed to disk before the answer, the work
 * our server does for every transfer (see baseline.ts). Over TLS when given a folder for its
 * identity.
 */
async function baselineServer(): Promise<number> {
  const baseline = pipeServer(tlsDir ? await loadOrCreateIdentity(tlsDir) : undefined)
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r))
  return (baseline.address() as net.AddressInfo).port
}

/** Over TLS 1.3 when given an identity: what Node's TLS costs on the same work. */
function pipeServer(identity?: { key: string; cert: string }): net.Server {
  const options = { allowHalfOpen: true, highWaterMark: BUFFER } as net.ServerOpts
  const serve = (socket: net.Socket): void => {
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
      const [verb, name, kind] = header.split(' ') as [string, string, string]
      const file = path.join(root, 'baseline', name)
      const hash = kind === 'equivalent' ? createHash('sha256') : undefined
      if (verb === 'up') {
        const out = createWriteStream(file, { highWaterMark: BUFFER, flush: hash !== undefined })
        if (hash) socket.on('data', (chunk: Buffer) => hash.update(chunk))
        socket.pipe(out)
        out.on('close', () => socket.end(hash ? `ok ${hash.digest('hex')}\n` : 'ok\n'))
      } else {
        const source = createReadStream(file, { highWaterMark: BUFFER })
        if (hash) source.on('data', (chunk) => hash.update(chunk))
        source.pipe(socket)
      }
    })
  }
  return identity
    ? tls.createServer(
        { ...options, key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3' },
        serve,
      )
    : net.createServer(options, serve)
}

/** ftp-srv as its README sets it up, quiet: its default logger writes every event to stdout. */
async function ftpServer(): Promise<number> {
  const quiet = {
    child: () => quiet,
    ...Object.fromEntries(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, () => undefined]),
    ),
  }
  const ftp = new FtpSrv({
    url: 'ftp://127.0.0.1:0',
    pasv_url: '127.0.0.1',
    anonymous: true,
    log: quiet as never,
  })
  ftp.on('login', (_data, resolve) => resolve({ root }))
  await ftp.listen()
  return ((ftp as unknown as { server: net.Server }).server.address() as net.AddressInfo).port
}

const servers = { bucket: bucketServer, baseline: baselineServer, ftp: ftpServer }
// One kind of server per process, so that each one's memory is its own.
const port = await servers[mode]()
process.stdout.write(`${JSON.stringify({ port })}\n`)
