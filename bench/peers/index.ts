import fs from 'node:fs/promises'
import path from 'node:path'
import { startServerProcess, type ServerProcess } from '../context.js'
import { cliPeer } from './cli.js'
import { ftpSrvPeer } from './ftp-srv.js'
import { tlsPipePeer } from './pipe.js'
import type { Peer } from './peer.js'
import { findVsftpd, vsftpdPeer } from './vsftpd.js'

export type { Peer } from './peer.js'

/**
 * What users would run instead, and our terminal client as they run it (`--peers`): started
 * beside the large-file scenario's server, each with a copy of the file to download. Says on
 * stderr which peer is left out and why.
 */
export async function startPeers(options: {
  script: string
  base: string
  server: ServerProcess
  root: string
  local: string
  source: string
}): Promise<Peer[]> {
  const { script, base, server, root, local, source } = options
  const peers: Peer[] = [
    await cliPeer('npm run client, plain TCP', server, {
      root,
      tls: false,
      dataDir: path.join(base, 'cli-data'),
      local,
    }),
  ]
  // A TLS server of its own, on its own folder, holding the file to download.
  const tlsRoot = path.join(base, 'peers-tls-root')
  await fs.mkdir(path.join(tlsRoot, 'large'), { recursive: true })
  await fs.copyFile(source, path.join(tlsRoot, 'large', 'large.bin'))
  const tlsServer = await startServerProcess(script, tlsRoot, {
    tlsDir: path.join(base, 'peers-tls-identity'),
  })
  const tls = await cliPeer('npm run client, TLS', tlsServer, {
    root: tlsRoot,
    tls: true,
    dataDir: path.join(base, 'cli-data'),
    local,
  })
  peers.push({ ...tls, stop: () => tlsServer.stop() })
  peers.push(await tlsPipePeer(script, base, source, local))
  peers.push(await ftpSrvPeer(script, path.join(base, 'ftp-srv'), source, local))
  const vsftpd = findVsftpd()
  if ('path' in vsftpd)
    peers.push(await vsftpdPeer(vsftpd.path, base, path.join(base, 'vsftpd'), source, local))
  else console.error(`… vsftpd + curl left out: ${vsftpd.missing}`)
  return peers
}
