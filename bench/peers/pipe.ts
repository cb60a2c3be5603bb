import fs from 'node:fs/promises'
import path from 'node:path'
import { baselineDownload, baselineUpload } from '../baseline.js'
import { spawnServer } from '../context.js'
import { cpuOfThisProcess, processCpu } from '../cpu.js'
import type { Peer } from './peer.js'

/**
 * The equivalent pipe (baseline.ts: SHA-256 of the bytes at both ends, the upload flushed to disk
 * before the answer) over Node's TLS 1.3, in a server process of its own: what TLS costs Node itself
 * on this machine for the same work, the yardstick for our TLS ÷ plain.
 */
export async function tlsPipePeer(
  script: string,
  base: string,
  source: string,
  local: string,
): Promise<Peer> {
  const folder = path.join(base, 'pipe-tls')
  await fs.mkdir(path.join(folder, 'baseline'), { recursive: true })
  await fs.copyFile(source, path.join(folder, 'baseline', 'large.bin'))
  const identity = path.join(base, 'pipe-tls-identity')
  const { child, port } = await spawnServer(script, ['baseline', folder, identity], undefined)
  return {
    label: 'equivalent pipe, TLS',
    note: 'SHA-256 both ends, fsync; Node TLS 1.3',
    upload: (file, name) => ({
      written: path.join(folder, 'baseline', name),
      run: () => cpuOfThisProcess(() => baselineUpload(port, file, name, 'equivalent', true)),
    }),
    download: (name) => {
      const written = path.join(local, name)
      return {
        written,
        run: () =>
          cpuOfThisProcess(() => baselineDownload(port, 'large.bin', written, 'equivalent', true)),
      }
    },
    serverCpu: () => processCpu(child.pid!),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill()
      await exited
      await fs.rm(folder, { recursive: true, force: true })
    },
  }
}
