import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import {
  BucketClient,
  fileSource,
  fileTarget,
  TRANSFER_CONCURRENCY,
} from '../../electron/client/index.js'
import { check, timed, type ServerProcess } from '../context.js'
import { delayProxy } from '../delay-proxy.js'

/** One way of moving the files through the delaying link. */
export interface LatencyRun {
  filesPerSecond: number
  /** Round trips each file waits for, one after another on its connection (none when pipelined). */
  roundTrips: number
  /**
   * What round trips alone allow: TRANSFER_CONCURRENCY connections, each waiting `roundTrips`
   * round trips per file, one after another. A figure near it means round trips, not bytes or
   * disk, set the pace.
   */
  bound: number
}

export interface LatencyResult {
  files: number
  sizeKiB: number
  /** Added one way; a round trip costs twice this. */
  delayMs: number
  /**
   * `upload`, as a client of protocol 1 sends it: `resume_f` (to skip an identical file), then
   * `-> ready`, then the status.
   */
  upload: LatencyRun
  /** `put_f` (protocol 2): the bytes follow the command, up to LANE_DEPTH in flight per connection. */
  put: LatencyRun
  /** `download` of a file whose size the client does not know: one round trip per file. */
  download: LatencyRun
  /** `download` of files a listing gave the sizes of: up to LANE_DEPTH in flight per connection. */
  listed: LatencyRun
}

/**
 * Small files over a link with latency (a delaying proxy in front of the server): how far round
 * trips per file bound throughput, with `upload` (three per file) and with `put_f` (pipelined), and
 * for downloads (one per file, or pipelined when a listing gave the sizes). Every file is checked
 * by its SHA-256.
 */
export async function latency(
  server: ServerProcess,
  local: string,
  count: number,
  size: number,
  delayMs: number,
): Promise<LatencyResult> {
  const proxy = await delayProxy(server.port, delayMs)
  const up = path.join(local, 'latency-up')
  const down = path.join(local, 'latency-down')
  await fs.mkdir(up, { recursive: true })
  await fs.mkdir(down, { recursive: true })
  const hashes = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    const name = `file-${String(i).padStart(5, '0')}.bin`
    const data = randomBytes(size)
    hashes.set(name, createHash('sha256').update(data).digest('hex'))
    await fs.writeFile(path.join(up, name), data)
  }
  const connect = () => BucketClient.connect({ host: '127.0.0.1', port: proxy.port })
  const older = await connect()
  // A client of protocol 1: it never sends put_f, whatever the server announces.
  older.protocolVersion = () => Promise.resolve(1)
  const client = await connect()
  const names = [...hashes.keys()]
  const uploadAll = async (c: BucketClient, bucket: string): Promise<number> => {
    await c.createBucket(bucket).catch(() => undefined)
    return timed(() =>
      Promise.all(
        names.map(async (name) => {
          const r = await c.upload({ bucket, name, source: fileSource(path.join(up, name)) })
          check(r.sha256, hashes.get(name)!, `upload ${name}`)
        }),
      ),
    )
  }
  const run = (seconds: number, roundTrips: number): LatencyRun => ({
    filesPerSecond: count / seconds,
    roundTrips,
    bound: roundTrips === 0 ? Infinity : TRANSFER_CONCURRENCY / ((roundTrips * 2 * delayMs) / 1000),
  })
  try {
    const upload = run(await uploadAll(older, 'latency-upload'), 3)
    const put = run(await uploadAll(client, 'latency-put'), 0)
    const downloadAll = (listed: boolean): Promise<number> =>
      timed(() =>
        Promise.all(
          names.map(async (name) => {
            const r = await client.download({
              bucket: 'latency-put',
              name,
              target: fileTarget(down),
              // A listing gives each file's size: small ones then share lanes.
              ...(listed ? { size } : {}),
              // Each run fetches every file: none is skipped as already there.
              resume: false,
            })
            check(r.sha256, hashes.get(name)!, `download ${name}`)
          }),
        ),
      )
    const download = run(await downloadAll(false), 1)
    await fs.rm(down, { recursive: true })
    await fs.mkdir(down)
    const listed = run(await downloadAll(true), 0)
    return { files: count, sizeKiB: size / 1024, delayMs, upload, put, download, listed }
  } finally {
    older.close()
    client.close()
    await proxy.close()
    await Promise.all([up, down].map((d) => fs.rm(d, { recursive: true, force: true })))
  }
}
