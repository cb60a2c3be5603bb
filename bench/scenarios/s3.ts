import fs from 'node:fs/promises'
import path from 'node:path'
import { fileSource, fileTarget } from '../../electron/client/index.js'
import { S3RVER_CREDENTIALS, startTestS3 } from '../../tests/integration/stores/s3rver.js'
import {
  check,
  randomFile,
  sha256Of,
  startServerProcess,
  timed,
  type ServerProcess,
} from '../context.js'
import { median, MiB } from '../stats.js'

/** One store's medians: MiB/s each way, and the server's peak RSS while moving the file. */
export interface StoreFigures {
  uploadMiBs: number
  downloadMiBs: number
  serverPeakRssMB: number
}

export interface S3Result {
  sizeMiB: number
  runs: number
  folder: StoreFigures
  /** s3rver, the test server, on this machine's disk: the store's own work is in the figures. */
  s3: StoreFigures
}

/**
 * One large file up and down through a server sharing a folder and one sharing an S3-compatible
 * store (s3rver on a free loopback port, over a folder of its own), interleaved, `runs` times. The
 * client checks every transfer's SHA-256; downloads are checked again on disk.
 */
export async function s3Store(
  script: string,
  base: string,
  local: string,
  size: number,
  runs: number,
): Promise<S3Result> {
  const source = path.join(local, 's3-source.bin')
  const hash = await randomFile(source, size)
  const s3 = await startTestS3('bucketshare-bench')
  Object.assign(process.env, S3RVER_CREDENTIALS, { BENCH_S3_ENDPOINT: s3.endpoint })
  const folderRoot = path.join(base, 's3-folder-root')
  await fs.mkdir(folderRoot)
  const servers: Record<'folder' | 's3', ServerProcess> = {
    folder: await startServerProcess(script, folderRoot),
    s3: await startServerProcess(script, 's3://bucketshare-bench/bench'),
  }
  const times = {
    folder: { up: [] as number[], down: [] as number[] },
    s3: { up: [] as number[], down: [] as number[] },
  }
  const peaks = { folder: 0, s3: 0 }
  try {
    for (const kind of ['folder', 's3'] as const) {
      const client = await servers[kind].connect()
      await client.createBucket('large')
      client.close()
    }
    for (let run = 0; run < runs; run++) {
      // Each store goes first in turn: the one after finds the disk busy with the other's bytes.
      for (const kind of run % 2 === 0
        ? (['folder', 's3'] as const)
        : (['s3', 'folder'] as const)) {
        const server = servers[kind]
        const client = await server.connect()
        try {
          await server.resetPeak()
          times[kind].up.push(
            await timed(async () => {
              const r = await client.upload({
                bucket: 'large',
                name: 'large.bin',
                source: fileSource(source),
              })
              check(r.sha256, hash, `${kind} upload`)
            }),
          )
          const written = path.join(local, `s3-${kind}-${run}.bin`)
          times[kind].down.push(
            await timed(async () => {
              const r = await client.download({
                bucket: 'large',
                name: 'large.bin',
                target: fileTarget(written),
              })
              check(r.sha256, hash, `${kind} download`)
            }),
          )
          peaks[kind] = Math.max(peaks[kind], await server.peak())
          check(await sha256Of(written), hash, `${kind} download (the file written)`)
          await fs.rm(written)
        } finally {
          client.close()
        }
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()))
    delete process.env.BENCH_S3_ENDPOINT
    await s3.stop()
    await fs.rm(source, { force: true })
  }
  const rate = (seconds: number[]): number => size / MiB / median(seconds)
  const figures = (kind: 'folder' | 's3'): StoreFigures => ({
    uploadMiBs: rate(times[kind].up),
    downloadMiBs: rate(times[kind].down),
    serverPeakRssMB: peaks[kind] / 1e6,
  })
  return { sizeMiB: size / MiB, runs, folder: figures('folder'), s3: figures('s3') }
}
