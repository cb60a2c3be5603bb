import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileSource, fileTarget, TRANSFER_CONCURRENCY } from '../../electron/client/index.js'
import { check, sha256Of, timed, type ServerProcess } from '../context.js'

export interface SmallResult {
  files: number
  sizeKiB: number
  uploadFilesPerSecond: number
  downloadFilesPerSecond: number
  /**
   * The file system alone, for scale: the same files written durably (write, fsync, rename, fsync
   * of the folder, as an upload must before it is confirmed), TRANSFER_CONCURRENCY at a time,
   * measured just before and just after our uploads (mean).
   */
  durableWritesPerSecond: number
}

/**
 * Many small files up, then down (with their sizes, as a folder's are), all handed to the client at
 * once: it sends them on TRANSFER_CONCURRENCY connections, several in flight on each. Every file is
 * checked on both sides (SHA-256 on disk) outside the timing.
 */
export async function smallFiles(
  server: ServerProcess,
  root: string,
  local: string,
  count: number,
  size: number,
): Promise<SmallResult> {
  const up = path.join(local, 'small-up')
  const down = path.join(local, 'small-down')
  await fs.mkdir(up, { recursive: true })
  await fs.mkdir(down, { recursive: true })
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++)
    files.set(`file-${String(i).padStart(5, '0')}.bin`, randomBytes(size))
  const hashes = new Map(
    [...files].map(([name, data]) => [name, createHash('sha256').update(data).digest('hex')]),
  )
  for (const [name, data] of files) await fs.writeFile(path.join(up, name), data)
  const client = await server.connect()
  await client.createBucket('small').catch(() => undefined)
  const names = [...files.keys()]
  const scratch = path.join(path.dirname(root), 'durable-writes')
  const before = await durableWrites(scratch, files)
  const upSeconds = await timed(() =>
    Promise.all(
      names.map(async (name) => {
        const result = await client.upload({
          bucket: 'small',
          name,
          source: fileSource(path.join(up, name)),
        })
        check(result.sha256, hashes.get(name)!, `upload ${name}`)
      }),
    ),
  )
  const after = await durableWrites(scratch, files)
  const downSeconds = await timed(() =>
    Promise.all(
      names.map(async (name) => {
        // With its size, as a folder's listing gives it: small files then share lanes.
        const size = files.get(name)!.length
        const result = await client.download({
          bucket: 'small',
          name,
          target: fileTarget(down),
          size,
        })
        check(result.sha256, hashes.get(name)!, `download ${name}`)
      }),
    ),
  )
  client.close()
  // Outside the timing: every copy, on the server and here, against its source.
  for (const name of names) {
    check(await sha256Of(path.join(root, 'small', name)), hashes.get(name)!, `uploaded ${name}`)
    check(await sha256Of(path.join(down, name)), hashes.get(name)!, `downloaded ${name}`)
  }
  await Promise.all([up, down, path.join(root, 'small')].map((d) => fs.rm(d, { recursive: true })))
  return {
    files: count,
    sizeKiB: size / 1024,
    uploadFilesPerSecond: count / upSeconds,
    downloadFilesPerSecond: count / downSeconds,
    durableWritesPerSecond: (before + after) / 2,
  }
}

/** Files per second written durably into `dir` (emptied afterwards), as many at once as transfers. */
async function durableWrites(dir: string, files: Map<string, Buffer>): Promise<number> {
  await fs.mkdir(dir, { recursive: true })
  const queue = [...files]
  const start = performance.now()
  await Promise.all(
    Array.from({ length: TRANSFER_CONCURRENCY }, async () => {
      for (let next = queue.pop(); next; next = queue.pop()) {
        const [name, data] = next
        const temp = path.join(dir, `${name}.part`)
        const handle = await fs.open(temp, 'wx')
        await handle.writeFile(data)
        await handle.sync()
        await handle.close()
        await fs.rename(temp, path.join(dir, name))
        // Windows cannot open a folder to sync it; its file system journals the rename itself.
        if (process.platform === 'win32') continue
        const folder = await fs.open(dir, 'r')
        await folder.sync()
        await folder.close()
      }
    }),
  )
  const perSecond = files.size / ((performance.now() - start) / 1000)
  await fs.rm(dir, { recursive: true })
  return perSecond
}
