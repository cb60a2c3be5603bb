import { randomBytes, createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { check, timed, type ServerProcess } from '../context.js'

export interface SmallResult {
  files: number
  sizeKiB: number
  uploadFilesPerSecond: number
  downloadFilesPerSecond: number
}

/** Many small files up, then down, all handed to the client at once (it runs TRANSFER_CONCURRENCY at a time). */
export async function smallFiles(
  server: ServerProcess,
  local: string,
  count: number,
  size: number,
): Promise<SmallResult> {
  const up = path.join(local, 'small-up')
  const down = path.join(local, 'small-down')
  await fs.mkdir(up, { recursive: true })
  await fs.mkdir(down, { recursive: true })
  const hashes = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    const data = randomBytes(size)
    const name = `file-${String(i).padStart(5, '0')}.bin`
    hashes.set(name, createHash('sha256').update(data).digest('hex'))
    await fs.writeFile(path.join(up, name), data)
  }
  const client = await server.connect()
  await client.createBucket('small').catch(() => undefined)
  const names = [...hashes.keys()]
  const upSeconds = await timed(() =>
    Promise.all(
      names.map(async (name) => {
        const result = await client.upload({ bucket: 'small', name, source: path.join(up, name) })
        check(result.sha256, hashes.get(name)!, `upload ${name}`)
      }),
    ),
  )
  const downSeconds = await timed(() =>
    Promise.all(
      names.map(async (name) => {
        const result = await client.download({ bucket: 'small', name, destination: down })
        check(result.sha256, hashes.get(name)!, `download ${name}`)
      }),
    ),
  )
  client.close()
  await fs.rm(up, { recursive: true })
  await fs.rm(down, { recursive: true })
  return {
    files: count,
    sizeKiB: size / 1024,
    uploadFilesPerSecond: count / upSeconds,
    downloadFilesPerSecond: count / downSeconds,
  }
}
