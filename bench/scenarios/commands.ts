import fs from 'node:fs/promises'
import path from 'node:path'
import type { BucketClient } from '../../electron/client/index.js'
import type { ServerProcess } from '../context.js'
import { percentile } from '../stats.js'

export interface CommandsResult {
  connections: number
  seconds: number
  commands: number
  perSecond: number
  p50ms: number
  p99ms: number
  /**
   * The file system alone, for scale: folders created and removed per second by as many
   * concurrent loops, measured just before and just after ours (mean). Each create_b / ls_b /
   * delete_b cycle needs one of each, so it bounds this mix at three times as many commands.
   */
  fsPairsPerSecond: number
}

/** `connections` clients each cycling create_b / ls_b / delete_b for `seconds`. */
export async function commands(
  server: ServerProcess,
  scratch: string,
  connections: number,
  seconds: number,
): Promise<CommandsResult> {
  const clients: BucketClient[] = await Promise.all(
    Array.from({ length: connections }, () => server.connect()),
  )
  const before = await folderPairs(scratch, connections, seconds)
  const latencies: number[] = []
  const start = performance.now()
  const deadline = start + seconds * 1000
  await Promise.all(
    clients.map(async (client, i) => {
      const steps = [
        () => client.createBucket(`c${i}`),
        () => client.listBuckets(),
        () => client.deleteBucket(`c${i}`),
      ]
      for (let n = 0; performance.now() < deadline; n++) {
        const t = performance.now()
        await steps[n % 3]!()
        latencies.push(performance.now() - t)
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  clients.forEach((c) => c.close())
  const after = await folderPairs(scratch, connections, seconds)
  return {
    connections,
    seconds: elapsed,
    commands: latencies.length,
    perSecond: latencies.length / elapsed,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    fsPairsPerSecond: (before + after) / 2,
  }
}

/** Folder creations and removals (one of each) per second, `loops` at once in `dir`. */
async function folderPairs(dir: string, loops: number, seconds: number): Promise<number> {
  await fs.mkdir(dir, { recursive: true })
  let pairs = 0
  const start = performance.now()
  const deadline = start + seconds * 1000
  await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      const folder = path.join(dir, `c${i}`)
      while (performance.now() < deadline) {
        // As the server does: mkdir for create_b, a recursive rm for delete_b.
        await fs.mkdir(folder)
        await fs.rm(folder, { recursive: true })
        pairs++
      }
    }),
  )
  return pairs / ((performance.now() - start) / 1000)
}
