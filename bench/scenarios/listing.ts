import fs from 'node:fs/promises'
import path from 'node:path'
import type { ServerProcess } from '../context.js'
import { IntegrityError } from '../context.js'

export interface ListingResult {
  files: number
  firstEntryMs: number
  completeMs: number
  clientHeapGrowthMB: number
}

/** `ls_f` of a bucket of `count` files, made directly on disk. */
export async function listing(
  server: ServerProcess,
  root: string,
  count: number,
): Promise<ListingResult> {
  const dir = path.join(root, 'listing')
  await fs.mkdir(dir, { recursive: true })
  const BATCH = 500
  for (let i = 0; i < count; i += BATCH)
    await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, j) =>
        fs.writeFile(path.join(dir, `entry-${String(i + j).padStart(6, '0')}.txt`), ''),
      ),
    )
  const client = await server.connect()
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  let heapPeak = heapBefore
  let seen = 0
  let first = 0
  const start = performance.now()
  await client.listFiles('listing', () => {
    if (seen++ === 0) first = performance.now() - start
    if (seen % 10_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
  })
  const complete = performance.now() - start
  client.close()
  if (seen !== count) throw new IntegrityError(`ls_f listed ${seen} of ${count} files`)
  return {
    files: count,
    firstEntryMs: first,
    completeMs: complete,
    clientHeapGrowthMB: (Math.max(heapPeak, process.memoryUsage().heapUsed) - heapBefore) / 1e6,
  }
}
