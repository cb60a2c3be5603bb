import { createReadStream, createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import path from 'node:path'
import { baselineDownload, baselineUpload } from '../baseline.js'
import { check, randomFile, sha256Of, timed, type ServerProcess } from '../context.js'
import { median, MiB } from '../stats.js'

/** Medians in MiB/s; ratios are ours / baseline. */
export interface Direction {
  oursMiBs: number
  /** The minimal socket pipe: the yardstick. */
  baselineMiBs: number
  ratio: number
  /** The same pipe doing the work our protocol requires (see baseline.ts), like for like. */
  equivalentMiBs: number
  equivalentRatio: number
  /** Every run's rate, in the order run, to see the spread behind the medians. */
  runsMiBs: { ours: number[]; baseline: number[]; equivalent: number[] }
  /**
   * CPU time of the bench process (the client side of every pipe) per GiB moved, medians: user
   * time is the work done; system time is mostly the kernel filling the page cache, which is what
   * swings from run to run on a virtual machine.
   */
  clientCpuMsPerGiB: Record<'ours' | 'baseline' | 'equivalent', { user: number; system: number }>
}

export interface LargeResult {
  sizeMiB: number
  runs: number
  upload: Direction
  download: Direction
  serverPeakRssMB: number
  /** Before any transfer, for scale. */
  serverIdleRssMB: number
  /** A local file copy with the same buffers: what the disk allows, for scale. */
  diskCopyMiBs: number
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

function copy(from: string, to: string): Promise<void> {
  const options = { highWaterMark: MiB }
  return pipeline(createReadStream(from, options), createWriteStream(to, options))
}

const STEPS = ['ourUp', 'baseUp', 'equivUp', 'ourDown', 'baseDown', 'equivDown'] as const
type Step = (typeof STEPS)[number]

/** One empty list per step. */
function perStep<T>(): Record<Step, T[]> {
  return Object.fromEntries(STEPS.map((step) => [step, []])) as unknown as Record<Step, T[]>
}

/**
 * One large file up and down, interleaved with the baseline pipes, `runs` times. Every copy is
 * checked (SHA-256 of the file on disk against the source) outside the timing.
 */
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
  const cpu = perStep<NodeJS.CpuUsage>()
  const times = perStep<number>()
  await server.resetPeak()
  const idle = await server.peak()
  let peak = 0
  // The file downloads read, on both servers.
  await client.upload({ bucket: 'large', name: 'large.bin', source })
  await fs.copyFile(path.join(root, 'large', 'large.bin'), path.join(root, 'baseline', 'large.bin'))
  // Every transfer writes a new file, as a real one does, and it is removed after its step:
  // overwriting one file in place is far faster on some disks than writing new blocks (a thin
  // virtual disk), which would flatter whichever side happened to reuse its file.
  let n = 0
  const steps: Record<Step, () => { written: string; run: () => Promise<unknown> }> = {
    baseUp: () => {
      const name = `transfer-${++n}.bin`
      return {
        written: path.join(root, 'baseline', name),
        run: () => baselineUpload(server.baselinePort, source, name, 'plain'),
      }
    },
    equivUp: () => {
      const name = `transfer-${++n}.bin`
      return {
        written: path.join(root, 'baseline', name),
        run: () => baselineUpload(server.baselinePort, source, name, 'equivalent'),
      }
    },
    ourUp: () => {
      const name = `transfer-${++n}.bin`
      return {
        written: path.join(root, 'large', name),
        run: async () =>
          check((await client.upload({ bucket: 'large', name, source })).sha256, hash, 'upload'),
      }
    },
    baseDown: () => {
      const written = path.join(local, `transfer-${++n}.bin`)
      return {
        written,
        run: () => baselineDownload(server.baselinePort, 'large.bin', written, 'plain'),
      }
    },
    equivDown: () => {
      const written = path.join(local, `transfer-${++n}.bin`)
      return {
        written,
        run: () => baselineDownload(server.baselinePort, 'large.bin', written, 'equivalent'),
      }
    },
    ourDown: () => {
      const written = path.join(local, `transfer-${++n}.bin`)
      return {
        written,
        run: async () => {
          const result = await client.download({
            bucket: 'large',
            name: 'large.bin',
            destination: written,
          })
          check(result.sha256, hash, 'download')
        },
      }
    },
  }
  for (let run = 0; run < runs; run++) {
    // Whoever goes later finds the disk still busy with the others' gigabytes (writing them back,
    // discarding the removed ones): each side takes each place in turn, once in every three runs.
    const up = rotate<Step>(['baseUp', 'ourUp', 'equivUp'], run)
    const down = rotate<Step>(['baseDown', 'ourDown', 'equivDown'], run)
    for (const name of [...up, ...down]) {
      if (!baseline && !name.startsWith('our')) continue
      const step = steps[name]()
      await server.resetPeak()
      const cpuBefore = process.cpuUsage()
      times[name].push(await timed(step.run))
      cpu[name].push(process.cpuUsage(cpuBefore))
      if (name.startsWith('our')) peak = Math.max(peak, await server.peak())
      // Outside the timing: what landed on disk is checked, then removed.
      check(await sha256Of(step.written), hash, `${name} (the file written)`)
      await fs.rm(step.written)
    }
  }
  const diskCopyMiBs = rate(await timed(() => copy(source, path.join(local, 'copy.bin'))))
  client.close()
  await Promise.all(
    [
      path.join(local, 'large.bin'),
      path.join(local, 'copy.bin'),
      path.join(root, 'large', 'large.bin'),
      path.join(root, 'baseline', 'large.bin'),
    ].map((f) => fs.rm(f, { force: true })),
  )
  const perGiB = (usage: NodeJS.CpuUsage[]): { user: number; system: number } => ({
    user: median(usage.map((u) => u.user)) / 1000 / (size / 1024 / MiB),
    system: median(usage.map((u) => u.system)) / 1000 / (size / 1024 / MiB),
  })
  const direction = (ours: Step, base: Step, equivalent: Step): Direction => {
    const oursMiBs = rate(median(times[ours]))
    const baselineMiBs = baseline ? rate(median(times[base])) : Number.NaN
    const equivalentMiBs = baseline ? rate(median(times[equivalent])) : Number.NaN
    return {
      oursMiBs,
      baselineMiBs,
      ratio: oursMiBs / baselineMiBs,
      equivalentMiBs,
      equivalentRatio: oursMiBs / equivalentMiBs,
      runsMiBs: {
        ours: times[ours].map(rate),
        baseline: times[base].map(rate),
        equivalent: times[equivalent].map(rate),
      },
      clientCpuMsPerGiB: {
        ours: perGiB(cpu[ours]),
        baseline: perGiB(cpu[base]),
        equivalent: perGiB(cpu[equivalent]),
      },
    }
  }
  return {
    sizeMiB: size / MiB,
    runs,
    upload: direction('ourUp', 'baseUp', 'equivUp'),
    download: direction('ourDown', 'baseDown', 'equivDown'),
    serverPeakRssMB: peak / 1e6,
    serverIdleRssMB: idle / 1e6,
    diskCopyMiBs,
  }
}
