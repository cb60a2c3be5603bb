import fs from 'node:fs/promises'
import path from 'node:path'
import type { ServerProcess } from '../context.js'
import { IntegrityError } from '../context.js'

export interface ListingResult {
  files: number
  folders: number
  firstEntryMs: number
  completeMs: number
  clientHeapGrowthMB: number
  /** The whole bench process, which also holds what earlier scenarios left. */
  clientRssGrowthMB: number
  /** The server's peak RSS while it listed, over its RSS at rest just before. */
  serverRssGrowthMB: number
}

/** `ls_f` of a bucket of `count` files spread over `folders` folders, made directly on disk. */
export async function listing(
  server: ServerProcess,
  root: string,
  count: number,
  folders: number,
): Promise<ListingResult> {
  const dir = path.join(root, 'listing')
  const folderOf = (n: number): string => path.join(dir, `folder ${n % folders}`)
  await Promise.all(
    Array.from({ length: folders }, (_, n) => fs.mkdir(folderOf(n), { recursive: true })),
  )
  const BATCH = 500
  for (let i = 0; i < count; i += BATCH)
    await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, j) =>
        fs.writeFile(path.join(folderOf(i + j), `entry-${String(i + j).padStart(6, '0')}.txt`), ''),
      ),
    )
  const client = await server.connect()
  await server.resetPeak()
  const serverAtRest = await server.peak()
  globalThis.gc?.()
  const before = process.memoryUsage()
  let heapPeak = before.heapUsed
  let rssPeak = before.rss
  let seen = 0
  let first = 0
  const start = performance.now()
  await client.listFiles('listing', () => {
    if (seen++ === 0) first = performance.now() - start
    if (seen % 10_000 === 0) {
      const now = process.memoryUsage()
      heapPeak = Math.max(heapPeak, now.heapUsed)
      rssPeak = Math.max(rssPeak, now.rss)
    }
  })
  const complete = performance.now() - start
  const serverPeak = await server.peak()
  client.close()
  if (seen !== count) throw new IntegrityError(`ls_f listed ${seen} of ${count} files`)
  return {
    files: count,
    folders,
    serverRssGrowthMB: (serverPeak - serverAtRest) / 1e6,
    firstEntryMs: first,
    completeMs: complete,
    clientHeapGrowthMB:
      (Math.max(heapPeak, process.memoryUsage().heapUsed) - before.heapUsed) / 1e6,
    clientRssGrowthMB: (Math.max(rssPeak, process.memoryUsage().rss) - before.rss) / 1e6,
  }
}
