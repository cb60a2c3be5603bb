import os from 'node:os'
import { hostPort } from '../../shared/address.js'

/**
 * Where peers can reach a server listening on `host`:`port`, as "ip:port". For a wildcard host this
 * is loopback first, then every IPv4 address of the machine's network interfaces.
 */
export function reachableAddresses(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [hostPort(host, port)]
  const lan = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => `${a.address}:${port}`)
  return [`127.0.0.1:${port}`, ...lan]
}
