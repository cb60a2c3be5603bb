import fs from 'node:fs/promises'
import path from 'node:path'
import { baselineDownload, baselineUpload } from '../baseline.js'
import { check, randomFile, sha256Of, timed, type ServerProcess } from '../context.js'
import { median, MiB } from '../stats.js'

export interface LargeResult {
  sizeMiB: number
  runs: number
  upload: { oursMiBs: number; baselineMiBs: number; ratio: number }
  download: { oursMiBs: number; baselineMiBs: number; ratio: number }
  serverPeakRssMB: number
}

/** One large file up and down, interleaved with the baseline pipe, `runs` times. */
export async function largeFile(
  server: ServerProcess,
  root: string,
  local: string,
  size: number,
  runs: number,
  baseline = true,
): Promise<LargeResult> {
  const source = path.join(local, 'large.bin')
  const hash = await randomFile(source, size)
  await fs.mkdir(path.join(root, 'baseline'), { recursive: true })
  const client = await server.connect()
  await client.createBucket('large').catch(() => undefined)
  const rate = (seconds: number): number => size / MiB / seconds
  const times = {
    ourUp: [] as number[],
    baseUp: [] as number[],
    ourDown: [] as number[],
    baseDown: [] as number[],
  }
  let peak = 0
  for (let run = 0; run < runs; run++) {
    if (baseline)
      times.baseUp.push(await timed(() => baselineUpload(server.baselinePort, source, 'large.bin')))
    server.resetPeak()
    times.ourUp.push(
      await timed(async () => {
        const result = await client.upload({ bucket: 'large', name: 'large.bin', source })
        check(result.sha256, hash, 'large upload')
      }),
    )
    peak = Math.max(peak, await server.peak())
    if (baseline)
      times.baseDown.push(
        await timed(() =>
          baselineDownload(server.baselinePort, 'large.bin', path.join(local, 'b.bin')),
        ),
      )
    server.resetPeak()
    times.ourDown.push(
      await timed(async () => {
        const result = await client.download({
          bucket: 'large',
          name: 'large.bin',
          destination: path.join(local, 'o.bin'),
        })
        check(result.sha256, hash, 'large download')
      }),
    )
    peak = Math.max(peak, await server.peak())
  }
  if (baseline) check(await sha256Of(path.join(local, 'b.bin')), hash, 'baseline download')
  check(await sha256Of(path.join(local, 'o.bin')), hash, 'downloaded file')
  client.close()
  await Promise.all(
    ['large.bin', 'b.bin', 'o.bin'].map((f) => fs.rm(path.join(local, f), { force: true })),
  )
  const pair = (ours: number[], base: number[]): LargeResult['upload'] => {
    const oursMiBs = rate(median(ours))
    const baselineMiBs = baseline ? rate(median(base)) : Number.NaN
    return { oursMiBs, baselineMiBs, ratio: oursMiBs / baselineMiBs }
  }
  return {
    sizeMiB: size / MiB,
    runs,
    upload: pair(times.ourUp, times.baseUp),
    download: pair(times.ourDown, times.baseDown),
    serverPeakRssMB: peak / 1e6,
  }
}
