import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BucketClient, fileSource } from '../../../electron/client/index.js'
import { randomFile, sha256Of } from '../client/helpers.js'
import {
  FAULTS,
  heldBytes,
  IN_FLIGHT_BYTES,
  MiB,
  randomOffsets,
  resumedFrom,
  rig,
  runClientProcess,
  sourceReaching,
  stagedBytes,
  SYNC_BYTES,
  type Rig,
} from './faults.js'

const SIZE = 256 * MiB
const CUTS = 10

let r: Rig
let source: string
let sourceHash: string

beforeAll(async () => {
  r = await rig()
  source = path.join(r.dir, 'source.bin')
  sourceHash = await randomFile(source, SIZE)
}, 60_000)
afterAll(() => r?.stop())

/** Waits until the server's staging file stops growing: everything sent has been written. */
async function settledStaging(): Promise<number> {
  let last = -1
  for (;;) {
    const now = await stagedBytes(r.root)
    if (now === last) return now
    last = now
    await new Promise((r) => setTimeout(r, 300))
  }
}

/** The bytes the server says it kept of a cut upload, from its log line after `from`. */
async function keptAfterCut(from: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const line = r.server.lines.slice(from).find((l) => / cut: \d+ bytes kept/.test(l))
    if (line) return Number(/ cut: (\d+) bytes kept/.exec(line)![1])
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('the server logged no cut upload')
}

describe('an upload of 256 MiB cut at 10 random offsets', () => {
  it('continues after each fault from what the server holds, and arrives whole', async () => {
    const offsets = randomOffsets(CUTS, 4 * MiB, SIZE - 8 * MiB)
    const report: string[] = []
    /** What the server had received when the previous attempt was cut, and whether it lived on. */
    let previous: { received: number; survived: boolean; fault: string } | undefined
    for (const [i, offset] of offsets.entries()) {
      const fault = FAULTS[i % FAULTS.length]!
      const held = await heldBytes(r.proxy.port, 'b', 'f.bin', SIZE)
      const at = Math.max(offset, held + MiB)
      if (previous) {
        // A server that lived synced all it got; a killed one lost at most one sync's worth.
        const resent = previous.received - held
        report.push(`${previous.fault} at ${previous.received}: held ${held}, ${resent} sent again`)
        expect(resent, `after "${previous.fault}"`).toBeGreaterThanOrEqual(0)
        if (previous.survived) expect(resent).toBe(0)
        else expect(resent).toBeLessThanOrEqual(SYNC_BYTES)
      }
      const logFrom = r.server.lines.length
      const sent: string[] = []
      if (fault === 'client killed') {
        const run = await runClientProcess({
          direction: 'upload',
          port: r.proxy.port,
          bucket: 'b',
          name: 'f.bin',
          local: source,
          killAt: at,
        })
        expect(run.signal, run.out).toBe('SIGKILL')
        sent.push(...run.sent)
        const received = await keptAfterCut(logFrom)
        // The client read ahead of what it sent, at most the bytes in flight.
        expect(at - received).toBeLessThanOrEqual(IN_FLIGHT_BYTES)
        previous = { received, survived: true, fault }
      } else if (fault === 'socket destroyed') {
        const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
        const cut = r.proxy.cutAfter('up', at - held)
        await expect(
          client.upload({
            bucket: 'b',
            name: 'f.bin',
            source: fileSource(source),
            onCommand: (l) => sent.push(l),
          }),
        ).rejects.toThrow()
        client.close()
        const passed = await cut
        const received = await keptAfterCut(logFrom)
        expect(passed - (received - held)).toBeLessThanOrEqual(1024)
        previous = { received, survived: true, fault }
      } else {
        const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
        let stalled!: () => void
        const reached = new Promise<void>((r) => (stalled = r))
        let go!: () => void
        const killed = new Promise<void>((r) => (go = r))
        const upload = client.upload({
          bucket: 'b',
          name: 'f.bin',
          source: sourceReaching(source, at, () => (stalled(), killed)),
          onCommand: (l) => sent.push(l),
        })
        const failed = expect(upload).rejects.toThrow()
        await reached
        const received = await settledStaging()
        await r.server.kill()
        go()
        await failed
        client.close()
        await r.server.restart()
        previous = { received, survived: false, fault }
      }
      // Each attempt continued from what the server held.
      expect(resumedFrom(sent.at(-1)), sent.join('\n')).toBe(held)
      expect(sent[0]).toBe(`resume_f b f.bin ${SIZE}`)
    }
    const held = await heldBytes(r.proxy.port, 'b', 'f.bin', SIZE)
    report.push(`${previous!.fault} at ${previous!.received}: held ${held}`)
    if (!previous!.survived) expect(previous!.received - held).toBeLessThanOrEqual(SYNC_BYTES)
    else expect(held).toBe(previous!.received)
    const client = await BucketClient.connect({ host: '127.0.0.1', port: r.proxy.port })
    const done = await client.upload({ bucket: 'b', name: 'f.bin', source: fileSource(source) })
    client.close()
    expect(done).toMatchObject({ sha256: sourceHash, resumedAt: held })
    await r.server.awaitLine(`-> 700 FUTBS, resumed at ${held}`)
    expect(await sha256Of(path.join(r.root, 'b', 'f.bin'))).toBe(sourceHash)
    console.log(`upload cuts (offsets ${offsets.join(', ')}):\n  ${report.join('\n  ')}`)
  }, 300_000)
})
