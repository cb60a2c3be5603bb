import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BucketClient, fileTarget } from '../../../electron/client/index.js'
import { randomFile, sha256Of } from '../client/helpers.js'
import {
  FAULTS,
  IN_FLIGHT_BYTES,
  MiB,
  randomOffsets,
  resumedFrom,
  rig,
  runClientProcess,
  targetReaching,
  type Rig,
} from './faults.js'

const SIZE = 256 * MiB
const CUTS = 10

let r: Rig
let sourceHash: string
let local: string
let destination: string

beforeAll(async () => {
  r = await rig()
  local = path.join(r.dir, 'local')
  destination = path.join(local, 'f.bin')
  await fs.mkdir(local)
  sourceHash = await randomFile(path.join(r.root, 'b', 'f.bin'), SIZE)
}, 60_000)
afterAll(() => r?.stop())

/** The bytes kept beside the destination from a cut download. */
async function keptBytes(): Promise<number> {
  return (
    (await fs.stat(path.join(local, '.f.bin.bucketshare-part')).catch(() => undefined))?.size ?? 0
  )
}

describe('a download of 256 MiB cut at 10 random offsets', () => {
  it('continues after each fault from the bytes kept, and is renamed into place whole', async () => {
    const offsets = randomOffsets(CUTS, 4 * MiB, SIZE - 8 * MiB)
    const report: string[] = []
    for (const [i, offset] of offsets.entries()) {
      const fault = FAULTS[i % FAULTS.length]!
      const kept = await keptBytes()
      // A killed server sends what was in flight on top: each cut is beyond what is kept.
      const at = Math.max(offset, kept + MiB)
      const logFrom = r.server.lines.length
      const sent: string[] = []
      /** The bytes that reached this side before the cut (a killed server: all it sent). */
      let reached: number | undefined
      if (fault === 'client killed') {
        const run = await runClientProcess({
          direction: 'download',
          port: r.proxy.port,
          bucket: 'b',
          name: 'f.bin',
          local: destination,
          killAt: at,
        })
        expect(run.signal, run.out).toBe('SIGKILL')
        sent.push(...run.sent)
        reached = at
      } else if (fault === 'socket destroyed') {
        const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
        const cut = r.proxy.cutAfter('down', at - kept)
        await expect(
          client.download({
            bucket: 'b',
            name: 'f.bin',
            target: fileTarget(destination),
            onCommand: (l) => sent.push(l),
          }),
        ).rejects.toThrow()
        client.close()
        // The response's lines before the bytes went through the proxy too.
        reached = kept + (await cut)
      } else {
        const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
        await expect(
          client.download({
            bucket: 'b',
            name: 'f.bin',
            target: targetReaching(destination, at, () => r.server.kill()),
            onCommand: (l) => sent.push(l),
          }),
        ).rejects.toThrow()
        client.close()
        await r.server.restart()
      }
      const now = await keptBytes()
      reached ??= now
      report.push(`${fault} at ${at}: continued from ${kept}, ${now} kept, ${reached - now} lost`)
      // Each attempt continued from the bytes kept, with the version the first attempt was told.
      expect(sent.at(-1), sent.join('\n')).toMatch(
        kept > 0 ? /^download b f\.bin \d+ [0-9a-z.]+$/ : /^download b f\.bin 0$/,
      )
      expect(resumedFrom(sent.at(-1))).toBe(kept)
      if (kept > 0 && fault !== 'server killed')
        await r.server.awaitLine(`download b f.bin ${kept} `)
      expect(r.server.lines.slice(logFrom).some((l) => l.includes(' 1550 RPF'))).toBe(false)
      // Only what was in flight when the connection died is sent again.
      expect(now).toBeGreaterThan(kept)
      expect(reached - now).toBeLessThanOrEqual(IN_FLIGHT_BYTES)
      if (fault === 'server killed') expect(now).toBeGreaterThanOrEqual(at)
    }
    const kept = await keptBytes()
    const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
    const done = await client.download({ bucket: 'b', name: 'f.bin', target: fileTarget(local) })
    client.close()
    expect(done).toMatchObject({ sha256: sourceHash, resumedAt: kept, path: destination })
    await r.server.awaitLine(`-> 900 FDFBS, resumed at ${kept}`)
    expect(await fs.readdir(local)).toEqual(['f.bin'])
    expect(await sha256Of(destination)).toBe(sourceHash)
    console.log(`download cuts:\n  ${report.join('\n  ')}`)
  }, 300_000)
})
