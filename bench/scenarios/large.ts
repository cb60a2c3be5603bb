import { createReadStream, createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import path from 'node:path'
import {
  fileSource,
  fileTarget,
  type BucketClient,
  type UploadSource,
} from '../../electron/client/index.js'
import { baselineDownload, baselineUpload } from '../baseline.js'
import { check, diskAtRest, randomFile, sha256Of, timed, type ServerProcess } from '../context.js'
import { cpuOfThisProcess, cpuSince, processCpu, type Cpu } from '../cpu.js'
import type { Peer, PeerStep } from '../peers/peer.js'
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
  clientCpuMsPerGiB: Record<'ours' | 'baseline' | 'equivalent', Cpu>
  /** Our server process's CPU per GiB moved, medians. */
  serverCpuMsPerGiB: Cpu
  /**
   * Uploads only: from the client reading the file's last byte to `700 FUTBS`, each run, in ms:
   * the last bytes crossing the socket buffers, then the server's final fsync, rename and folder
   * sync. Syncs while the bytes arrive keep it short (the target: < 50 ms for 1 GiB).
   */
  tailMs?: number[]
}

/** A peer's figures in one direction (medians; CPU per GiB moved, each side). */
export interface PeerDirection {
  MiBs: number
  runsMiBs: number[]
  clientCpuMsPerGiB: Cpu
  serverCpuMsPerGiB: Cpu
}

export interface PeerResult {
  label: string
  note: string
  upload: PeerDirection
  download: PeerDirection
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
  /** Other servers and clients, run in the same interleaving (`--peers`). */
  peers?: PeerResult[]
}

/** The same source, noting when its last byte has been read. */
function endNoted(source: UploadSource, ended: () => void): UploadSource {
  return {
    ...source,
    open: async (signal) => {
      const opened = await source.open(signal)
      opened.stream.once('end', ended)
      return opened
    },
  }
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

function copy(from: string, to: string): Promise<void> {
  const options = { highWaterMark: MiB }
  return pipeline(createReadStream(from, options), createWriteStream(to, options))
}

type Step = 'ourUp' | 'baseUp' | 'equivUp' | 'ourDown' | 'baseDown' | 'equivDown'
/** A peer's step: `up:<label>` or `down:<label>`. */
type PeerStepName = `${'up' | 'down'}:${string}`
type AnyStep = Step | PeerStepName

/** A list per step, created on first use. */
function perStep<T>(): (step: AnyStep) => T[] {
  const lists = new Map<AnyStep, T[]>()
  return (step) => lists.get(step) ?? lists.set(step, []).get(step)!
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
  /** Started with a copy of the file to download; this scenario stops them. */
  peers: (source: string) => Promise<Peer[]> = async () => [],
): Promise<LargeResult> {
  const source = path.join(local, 'large.bin')
  const hash = await randomFile(source, size)
  await fs.mkdir(path.join(root, 'baseline'), { recursive: true })
  let client = await server.connect()
  await client.createBucket('large').catch(() => undefined)
  // The peers' steps can outlast the server's idle timeout (300 s), which closes this command
  // connection as it would any idle one: our steps connect again when it did.
  const connected = async (): Promise<BucketClient> => {
    if (!client.connected) client = await server.connect()
    return client
  }
  const rate = (seconds: number): number => size / MiB / seconds
  const cpu = perStep<Cpu>()
  const serverCpu = perStep<Cpu>()
  const times = perStep<number>()
  const tails: number[] = []
  await server.resetPeak()
  const idle = await server.peak()
  let peak = 0
  // The file downloads read, on both servers.
  await client.upload({ bucket: 'large', name: 'large.bin', source: fileSource(source) })
  await fs.copyFile(path.join(root, 'large', 'large.bin'), path.join(root, 'baseline', 'large.bin'))
  // Every transfer writes a new file, as a real one does, and it is removed after its step:
  // overwriting one file in place is far faster on some disks than writing new blocks (a thin
  // virtual disk), which would flatter whichever side happened to reuse its file.
  const others = await peers(source)
  let n = 0
  // In-process steps measure the bench's own CPU; peers measure their client themselves.
  const inProcess = (written: string, transfer: () => Promise<unknown>): PeerStep => ({
    written,
    run: () => cpuOfThisProcess(transfer),
  })
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
      let lastByte = Number.NaN
      return {
        written: path.join(root, 'large', name),
        run: async () => {
          const timedSource = endNoted(fileSource(source), () => (lastByte = performance.now()))
          const result = await (
            await connected()
          ).upload({
            bucket: 'large',
            name,
            source: timedSource,
          })
          tails.push(performance.now() - lastByte)
          check(result.sha256, hash, 'upload')
        },
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
          const result = await (
            await connected()
          ).download({
            bucket: 'large',
            name: 'large.bin',
            target: fileTarget(written),
          })
          check(result.sha256, hash, 'download')
        },
      }
    },
  }
  const peerOf = new Map(others.map((p) => [p.label, p]))
  const stepOf = (name: AnyStep): { step: PeerStep; server: () => Promise<Cpu> } => {
    const [direction, label] = name.split(':') as ['up' | 'down', string]
    const peer = peerOf.get(label)
    if (!peer) {
      const { written, run } = steps[name as Step]()
      return { step: inProcess(written, run), server: () => processCpu(server.pid) }
    }
    const file = `transfer-${++n}.bin`
    const step = direction === 'up' ? peer.upload(source, file) : peer.download(file)
    return { step, server: () => peer.serverCpu() }
  }
  try {
    for (let run = 0; run < runs; run++) {
      // Every step starts with the others' gigabytes written back (diskAtRest), but not with
      // the page cache as they left it: each side takes each place in turn.
      const mine = (steps: Step[]) => (baseline ? steps : steps.filter((s) => s.startsWith('our')))
      const up = rotate<AnyStep>(
        [...mine(['baseUp', 'ourUp', 'equivUp']), ...others.map((p) => `up:${p.label}` as const)],
        run,
      )
      const down = rotate<AnyStep>(
        [
          ...mine(['baseDown', 'ourDown', 'equivDown']),
          ...others.map((p) => `down:${p.label}` as const),
        ],
        run,
      )
      for (const name of [...up, ...down]) {
        const { step, server: serverCpuOf } = stepOf(name)
        await server.resetPeak()
        const serverBefore = await serverCpuOf()
        let used: Cpu = { user: 0, system: 0 }
        times(name).push(await timed(async () => (used = await step.run())))
        cpu(name).push(used)
        serverCpu(name).push(cpuSince(serverBefore, await serverCpuOf()))
        if (name.startsWith('our')) peak = Math.max(peak, await server.peak())
        // Outside the timing: what landed on disk is checked, then removed.
        check(await sha256Of(step.written), hash, `${name} (the file written)`)
        await fs.rm(step.written)
        await diskAtRest()
      }
    }
  } finally {
    await Promise.all(others.map((p) => p.stop()))
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
  const perGiB = (usage: Cpu[]): Cpu => ({
    user: median(usage.map((u) => u.user)) / (size / 1024 / MiB),
    system: median(usage.map((u) => u.system)) / (size / 1024 / MiB),
  })
  const direction = (ours: Step, base: Step, equivalent: Step): Direction => {
    const oursMiBs = rate(median(times(ours)))
    const baselineMiBs = baseline ? rate(median(times(base))) : Number.NaN
    const equivalentMiBs = baseline ? rate(median(times(equivalent))) : Number.NaN
    return {
      oursMiBs,
      baselineMiBs,
      ratio: oursMiBs / baselineMiBs,
      equivalentMiBs,
      equivalentRatio: oursMiBs / equivalentMiBs,
      runsMiBs: {
        ours: times(ours).map(rate),
        baseline: times(base).map(rate),
        equivalent: times(equivalent).map(rate),
      },
      clientCpuMsPerGiB: {
        ours: perGiB(cpu(ours)),
        baseline: perGiB(cpu(base)),
        equivalent: perGiB(cpu(equivalent)),
      },
      serverCpuMsPerGiB: perGiB(serverCpu(ours)),
    }
  }
  const peerDirection = (name: PeerStepName): PeerDirection => ({
    MiBs: rate(median(times(name))),
    runsMiBs: times(name).map(rate),
    clientCpuMsPerGiB: perGiB(cpu(name)),
    serverCpuMsPerGiB: perGiB(serverCpu(name)),
  })
  return {
    sizeMiB: size / MiB,
    runs,
    upload: { ...direction('ourUp', 'baseUp', 'equivUp'), tailMs: tails },
    download: direction('ourDown', 'baseDown', 'equivDown'),
    serverPeakRssMB: peak / 1e6,
    serverIdleRssMB: idle / 1e6,
    diskCopyMiBs,
    ...(others.length > 0
      ? {
          peers: others.map((p) => ({
            label: p.label,
            note: p.note,
            upload: peerDirection(`up:${p.label}`),
            download: peerDirection(`down:${p.label}`),
          })),
        }
      : {}),
  }
}
