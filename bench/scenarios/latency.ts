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

export interface LatencyResult {
  files: number
  sizeKiB: number
  /** Added one way; a round trip costs twice this. */
  delayMs: number
  uploadFilesPerSecond: number
  downloadFilesPerSecond: number
  /**
   * What round trips alone allow: TRANSFER_CONCURRENCY connections, each waiting `roundTrips`
   * round trips per file. A figure near it means round trips, not bytes or disk, set the pace.
   */
  roundTripBound: { upload: number; download: number }
}

/**
 * Small files over a link with latency (a delaying proxy in front of the server): how far round
 * trips per file bound throughput. Every file is checked by its SHA-256.
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
  const client = await BucketClient.connect({ host: '127.0.0.1', port: proxy.port })
  try {
    await client.createBucket('latency').catch(() => undefined)
    const names = [...hashes.keys()]
    const upSeconds = await timed(() =>
      Promise.all(
        names.map(async (name) => {
          const r = await client.upload({
            bucket: 'latency',
            name,
            source: fileSource(path.join(up, name)),
          })
          check(r.sha256, hashes.get(name)!, `upload ${name}`)
        }),
      ),
    )
    const downSeconds = await timed(() =>
      Promise.all(
        names.map(async (name) => {
          const r = await client.download({ bucket: 'latency', name, target: fileTarget(down) })
          check(r.sha256, hashes.get(name)!, `download ${name}`)
        }),
      ),
    )
    const perSecond = (roundTrips: number) =>
      TRANSFER_CONCURRENCY / ((roundTrips * 2 * delayMs) / 1000)
    return {
      files: count,
      sizeKiB: size / 1024,
      delayMs,
      uploadFilesPerSecond: count / upSeconds,
      downloadFilesPerSecond: count / downSeconds,
      // Today: `upload` waits for `-> ready`, then for the status; `download` for its answer.
      roundTripBound: { upload: perSecond(2), download: perSecond(1) },
    }
  } finally {
    client.close()
    await proxy.close()
    await Promise.all([up, down].map((d) => fs.rm(d, { recursive: true, force: true })))
  }
}
