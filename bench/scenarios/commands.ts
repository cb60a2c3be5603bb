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
}

/** `connections` clients each cycling create_b / ls_b / delete_b for `seconds`. */
export async function commands(
  server: ServerProcess,
  connections: number,
  seconds: number,
): Promise<CommandsResult> {
  const clients: BucketClient[] = await Promise.all(
    Array.from({ length: connections }, () => server.connect()),
  )
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
  return {
    connections,
    seconds: elapsed,
    commands: latencies.length,
    perSecond: latencies.length / elapsed,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
  }
}
