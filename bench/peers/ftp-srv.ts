import fs from 'node:fs/promises'
import path from 'node:path'
import { Client } from 'basic-ftp'
import { cpuOfThisProcess, processCpu } from '../cpu.js'
import { spawnServer } from '../context.js'
import type { Peer } from './peer.js'

/**
 * The Node FTP pair: ftp-srv in a process of its own (anonymous, rooted in its own folder) and
 * basic-ftp in the bench's process, as our client library runs. A session per transfer, as a
 * person's upload would open one.
 */
export async function ftpSrvPeer(
  script: string,
  folder: string,
  source: string,
  local: string,
): Promise<Peer> {
  await fs.mkdir(folder, { recursive: true })
  await fs.copyFile(source, path.join(folder, 'large.bin'))
  const { child, port } = await spawnServer(script, ['ftp', folder], undefined)
  const session = async <T>(use: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client(0)
    try {
      await client.access({ host: '127.0.0.1', port, user: 'anonymous', password: 'bench' })
      return await use(client)
    } finally {
      client.close()
    }
  }
  return {
    label: 'ftp-srv + basic-ftp',
    note: 'no hashing, no fsync',
    upload: (file, name) => ({
      written: path.join(folder, name),
      run: () => cpuOfThisProcess(() => session((c) => c.uploadFrom(file, name))),
    }),
    download: (name) => {
      const written = path.join(local, name)
      return {
        written,
        run: () => cpuOfThisProcess(() => session((c) => c.downloadTo(written, 'large.bin'))),
      }
    },
    serverCpu: () => processCpu(child.pid!),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill()
      await exited
      await fs.rm(path.join(folder, 'large.bin'), { force: true })
    },
  }
}
