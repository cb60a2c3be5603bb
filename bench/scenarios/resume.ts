import fs from 'node:fs/promises'
import path from 'node:path'
import {
  BucketClient,
  fileSource,
  fileTarget,
  type TransferResult,
} from '../../electron/client/index.js'
import { parseHeld } from '../../shared/protocol/index.js'
import { check, randomFile, timed, type ServerProcess } from '../context.js'
import { CutProxy } from '../cut-proxy.js'
import { MiB } from '../stats.js'

/** One direction: the same file whole, then cut at half and continued. */
export interface ResumeDirection {
  /** The file moved whole without a cut, for scale. */
  wholeSeconds: number
  /** The first attempt, until the connection dropped at half the file. */
  cutSeconds: number
  /** The second attempt: hashing the kept half, then moving the rest. */
  continueSeconds: number
  /** The byte the second attempt continued from. */
  resumedAt: number
  /** Bytes that crossed the wire in both attempts beyond the file's size (command lines too). */
  resentBytes: number
}

export interface ResumeResult {
  sizeMiB: number
  upload: ResumeDirection
  download: ResumeDirection
}

/**
 * A transfer of `size` bytes cut at 50 % (the connection dropped by a proxy in front of the server)
 * and continued by running it again, both ways, against the same file moved whole. Every copy is
 * checked by its SHA-256.
 */
export async function resume(
  server: ServerProcess,
  local: string,
  size: number,
): Promise<ResumeResult> {
  const proxy = await CutProxy.start(() => server.port)
  const work = path.join(local, 'resume')
  await fs.mkdir(path.join(work, 'whole'), { recursive: true })
  await fs.mkdir(path.join(work, 'cut'))
  const source = path.join(work, 'source.bin')
  const hash = await randomFile(source, size)
  const client = await BucketClient.connect({ host: '127.0.0.1', port: proxy.port })
  const half = Math.floor(size / 2)
  try {
    await client.createBucket('resume').catch(() => undefined)
    const up = async (name: string): Promise<TransferResult> => {
      const r = await client.upload({ bucket: 'resume', name, source: fileSource(source) })
      check(r.sha256, hash, `upload ${name}`)
      return r
    }
    const down = async (dir: string): Promise<TransferResult> => {
      const r = await client.download({
        bucket: 'resume',
        name: 'whole.bin',
        target: fileTarget(dir),
      })
      check(r.sha256, hash, `download into ${dir}`)
      return r
    }
    /** Runs a direction whole, then cut at half, then again. */
    const measure = async (
      direction: 'up' | 'down',
      whole: () => Promise<TransferResult>,
      again: () => Promise<TransferResult>,
    ): Promise<ResumeDirection> => {
      const wholeSeconds = await timed(whole)
      const before = proxy.forwarded[direction]
      const cutSeconds = await timed(() =>
        Promise.all([proxy.cutAfter(direction, half), again().catch(() => undefined)]),
      )
      // The server keeps a cut upload's bytes once it noticed the cut.
      if (direction === 'up') await heldSettled(client, size)
      let result: TransferResult | undefined
      const continueSeconds = await timed(async () => (result = await again()))
      return {
        wholeSeconds,
        cutSeconds,
        continueSeconds,
        resumedAt: result!.resumedAt ?? 0,
        resentBytes: proxy.forwarded[direction] - before - size,
      }
    }
    const upload = await measure(
      'up',
      () => up('whole.bin'),
      () => up('cut.bin'),
    )
    const download = await measure(
      'down',
      () => down(path.join(work, 'whole')),
      () => down(path.join(work, 'cut')),
    )
    return { sizeMiB: size / MiB, upload, download }
  } finally {
    client.close()
    await proxy.close()
    await fs.rm(work, { recursive: true, force: true })
  }
}

/** Waits until the server holds the cut upload's bytes and their count stops changing. */
async function heldSettled(client: BucketClient, size: number): Promise<void> {
  let last = -1
  for (let i = 0; i < 100; i++) {
    const { lines } = await client.send(`resume_f resume cut.bin ${size}`)
    const held = lines.map(parseHeld).find((h) => h !== undefined)?.bytes ?? 0
    if (held > 0 && held === last) return
    last = held
    await new Promise((r) => setTimeout(r, 100))
  }
}
