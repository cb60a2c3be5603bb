import { createReadStream, createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import path from 'node:path'
import { baselineDownload, baselineUpload } from '../baseline.js'
import { check, randomFile, sha256Of, timed, type ServerProcess } from '../context.js'
import { median, MiB } from '../stats.js'

export interface LargeResult {
  sizeMiB: number
  runs: number
  upload: { oursMiBs: number; baselineMiBs: number; ratio: number }
  /** The baseline with an fsync before it answers, the durability our uploads give. */
  uploadSynced: { baselineMiBs: number; ratio: number }
  download: { oursMiBs: number; baselineMiBs: number; ratio: number }
  serverPeakRssMB: number
  /** A local file copy with the same buffers: what the disk allows, for scale. */
  diskCopyMiBs: number
}

function copy(from: string, to: string): Promise<void> {
  const options = { highWaterMark: MiB }
  return pipeline(createReadStream(from, options), createWriteStream(to, options))
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
    baseUpSync: [] as number[],
    baseUp: [] as number[],
    ourDown: [] as number[],
    baseDown: [] as number[],
  }
  let peak = 0
  // Every transfer writes a new file, as a real one does, and it is removed after its step:
  // overwriting one file in place is far faster on some disks than writing new blocks (a thin
  // virtual disk), which would flatter whichever side happened to reuse its file.
  let n = 0
  const fresh = (dir: string): string => path.join(dir, `transfer-${++n}.bin`)
  await client.upload({ bucket: 'large', name: 'large.bin', source })
  await fs.copyFile(path.join(root, 'large', 'large.bin'), path.join(root, 'baseline', 'large.bin'))
  const written: string[] = []
  const steps = {
    baseUp: async () => {
      const name = path.basename(fresh(''))
      written.push(path.join(root, 'baseline', name))
      await baselineUpload(server.baselinePort, source, name)
    },
    baseUpSync: async () => {
      const name = path.basename(fresh(''))
      written.push(path.join(root, 'baseline', name))
      await baselineUpload(server.baselinePort, source, name, true)
    },
    ourUp: async () => {
      const name = path.basename(fresh(''))
      written.push(path.join(root, 'large', name))
      const result = await client.upload({ bucket: 'large', name, source })
      check(result.sha256, hash, 'large upload')
    },
    baseDown: async () => {
      const destination = fresh(local)
      written.push(destination)
      await baselineDownload(server.baselinePort, 'large.bin', destination)
    },
    ourDown: async () => {
      const destination = fresh(local)
      written.push(destination)
      const result = await client.download({ bucket: 'large', name: 'large.bin', destination })
      check(result.sha256, hash, 'large download')
    },
  }
  for (let run = 0; run < runs; run++) {
    // Whoever goes second finds the disk still writing back the first one's gigabyte: take turns.
    const up: (keyof typeof steps)[] =
      run % 2 === 0 ? ['baseUp', 'ourUp', 'baseUpSync'] : ['baseUpSync', 'ourUp', 'baseUp']
    const down: (keyof typeof steps)[] =
      run % 2 === 0 ? ['baseDown', 'ourDown'] : ['ourDown', 'baseDown']
    for (const name of [...up, ...down]) {
      if (!baseline && name.startsWith('base')) continue
      server.resetPeak()
      times[name].push(await timed(steps[name]))
      if (name.startsWith('our')) peak = Math.max(peak, await server.peak())
      // Outside the timing: the copy is checked, then removed.
      const file = written.pop()!
      if (name === 'baseDown') check(await sha256Of(file), hash, 'baseline download')
      if (name === 'baseUp' || name === 'baseUpSync')
        check(await sha256Of(file), hash, 'baseline upload')
      await fs.rm(file)
    }
  }
  const diskCopyMiBs = rate(await timed(() => copy(source, path.join(local, 'copy.bin'))))
  client.close()
  await Promise.all(
    [
      path.join(local, 'large.bin'),
      path.join(local, 'copy.bin'),
      path.join(root, 'large', 'large.bin'),
    ].map((f) => fs.rm(f, { force: true })),
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
    uploadSynced: (({ baselineMiBs, ratio }) => ({ baselineMiBs, ratio }))(
      pair(times.ourUp, times.baseUpSync),
    ),
    download: pair(times.ourDown, times.baseDown),
    serverPeakRssMB: peak / 1e6,
    diskCopyMiBs,
  }
}
