import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { BucketClient } from '../../../electron/client/index.js'
import { startServer, type BucketServer } from '../../../electron/server/index.js'

/** A server on a fresh folder, a scratch folder for local files, and clients that are closed after. */
export interface Fixture {
  server: BucketServer
  /** The shared folder. */
  root: string
  /** A local folder for files to upload and downloads. */
  local: string
  connect(): Promise<BucketClient>
  stop(): Promise<void>
}

export async function fixture(): Promise<Fixture> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-client-')))
  const root = path.join(base, 'shared')
  const local = path.join(base, 'local')
  await fs.mkdir(root)
  await fs.mkdir(local)
  const server = await startServer({ root, port: 0, host: '127.0.0.1' })
  const clients: BucketClient[] = []
  return {
    server,
    root,
    local,
    async connect() {
      const client = await BucketClient.connect({ host: '127.0.0.1', port: server.port })
      clients.push(client)
      return client
    },
    async stop() {
      clients.forEach((c) => c.close())
      await server.close()
      await fs.rm(base, { recursive: true, force: true })
    },
  }
}

export { randomFile, sha256Of } from '../../../bench/files.js'
